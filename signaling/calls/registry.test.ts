import { describe, expect, it } from 'vitest';
import type { LiveCall } from './machine.js';
import { MemoryCallRegistry } from './registry.js';

const ALICE = 1;
const BOB = 2;
const CAROL = 3;
const DAVE = 4;

let seq = 0;
const call = (callerId: number, calleeId: number): LiveCall => ({
  id: `call-${String(++seq).padStart(17, '0')}`,
  media: 'audio',
  caller: { userId: callerId, deviceId: `dev-${callerId}` },
  callee: { userId: calleeId, deviceId: null },
  state: 'ringing',
  createdAt: 1_000,
  answeredAt: null,
});

describe('MemoryCallRegistry', () => {
  it('claims a call and finds it by id and by either party', async () => {
    const reg = new MemoryCallRegistry();
    const c = call(ALICE, BOB);
    expect(await reg.claim(c)).toBe('ok');
    expect(await reg.get(c.id)).toEqual(c);
    expect(await reg.callsOf(ALICE)).toEqual([c]);
    expect(await reg.callsOf(BOB)).toEqual([c]);
    expect(await reg.callsOf(CAROL)).toEqual([]);
    expect(await reg.all()).toEqual([c]);
  });

  it('refuses a claim when the caller or the callee already has a live call', async () => {
    const reg = new MemoryCallRegistry();
    expect(await reg.claim(call(ALICE, BOB))).toBe('ok');

    expect(await reg.claim(call(ALICE, CAROL))).toBe('caller-in-call');
    expect(await reg.claim(call(BOB, CAROL))).toBe('caller-in-call');
    expect(await reg.claim(call(CAROL, ALICE))).toBe('callee-in-call');
    expect(await reg.claim(call(CAROL, BOB))).toBe('callee-in-call');

    expect(await reg.claim(call(CAROL, DAVE))).toBe('ok');
    expect(await reg.all()).toHaveLength(2);
    expect(await reg.callsOf(CAROL)).toHaveLength(1);
  });

  it('refuses B->A while A->B is live', async () => {
    const reg = new MemoryCallRegistry();
    expect(await reg.claim(call(ALICE, BOB))).toBe('ok');
    expect(await reg.claim(call(BOB, ALICE))).toBe('caller-in-call');
  });

  it('lets only one of two people calling each other at once through', async () => {
    const reg = new MemoryCallRegistry();
    const ab = call(ALICE, BOB);
    const ba = call(BOB, ALICE);
    const results = await Promise.all([reg.claim(ab), reg.claim(ba)]);
    expect(results).toEqual(['ok', 'caller-in-call']);
    expect(await reg.all()).toEqual([ab]);
    expect(await reg.get(ba.id)).toBeUndefined();
  });

  it('removes the call and frees both users when update returns next = null', async () => {
    const reg = new MemoryCallRegistry();
    const c = call(ALICE, BOB);
    await reg.claim(c);

    const result = await reg.update(c.id, (current) => ({ next: null, result: current.id }));
    expect(result).toBe(c.id);
    expect(await reg.get(c.id)).toBeUndefined();
    expect(await reg.callsOf(ALICE)).toEqual([]);
    expect(await reg.callsOf(BOB)).toEqual([]);
    expect(await reg.all()).toEqual([]);

    expect(await reg.claim(call(BOB, ALICE))).toBe('ok');
  });

  it('replaces the call when update returns a next call', async () => {
    const reg = new MemoryCallRegistry();
    const c = call(ALICE, BOB);
    await reg.claim(c);
    const next: LiveCall = {
      ...c,
      state: 'active',
      answeredAt: 2_000,
      callee: { userId: BOB, deviceId: 'bob-1' },
    };

    expect(await reg.update(c.id, () => ({ next, result: 'accepted' }))).toBe('accepted');
    expect(await reg.get(c.id)).toEqual(next);
    expect(await reg.callsOf(BOB)).toEqual([next]);
    expect(await reg.claim(call(CAROL, BOB))).toBe('callee-in-call');
  });

  it('leaves the call as it was when update returns next = undefined', async () => {
    const reg = new MemoryCallRegistry();
    const c = call(ALICE, BOB);
    await reg.claim(c);

    expect(await reg.update(c.id, () => ({ next: undefined, result: 'refused' }))).toBe('refused');
    expect(await reg.get(c.id)).toEqual(c);
    expect(await reg.callsOf(ALICE)).toEqual([c]);
    expect(await reg.claim(call(CAROL, ALICE))).toBe('callee-in-call');
  });

  it('resolves undefined for an unknown call without calling change', async () => {
    const reg = new MemoryCallRegistry();
    let called = false;
    const result = await reg.update('no-such-call', () => {
      called = true;
      return { next: null, result: 'x' };
    });
    expect(result).toBeUndefined();
    expect(called).toBe(false);
  });
});
