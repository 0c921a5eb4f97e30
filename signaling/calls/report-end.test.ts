/**
 * `call.reportEnd`: a bound device tells the server how an answered call ended while it could not reach
 * it. A live call ends at the reported time for both; an end the server guessed (connection lost,
 * interrupted) is corrected; anything else is refused with a code and changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newCallId } from '../accounts/tokens.js';
import { CallsTable } from '../db/calls.js';
import type { HistoryEntry } from '../protocol/index.js';
import {
  befriend,
  connect,
  person,
  startTestServer,
  type Person,
  type TestDevice,
  type TestServer,
} from '../test-support/harness.js';

let server: TestServer;
afterEach(() => server.stop());

let alice: Person;
let bob: Person;

async function start(): Promise<void> {
  server = await startTestServer({ gracePeriod: 1 });
  alice = await person(server, 'alice');
  bob = await person(server, 'bob');
  await befriend(alice, bob);
}

async function ringing(): Promise<string> {
  const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
  await bob.device.next('call.incoming', (p) => p.callId === callId);
  return callId;
}

/** An answered call, and when it was answered (server time, from history). */
async function answered(): Promise<{ callId: string; answeredAt: number }> {
  const callId = await ringing();
  await bob.device.ok('call.accept', { callId });
  await alice.device.next('call.accepted', (p) => p.callId === callId);
  return { callId, answeredAt: Date.parse((await entryOf(alice.device, callId)).answeredAt!) };
}

async function entryOf(device: TestDevice, callId: string): Promise<HistoryEntry> {
  const entries = (await device.ok('history.list', {})).entries.filter((e) => e.callId === callId);
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

/** Waits until at least `ms` have passed since `since` (the report needs a past to point into). */
const after = async (since: number, ms: number) => {
  while (Date.now() < since + ms) await new Promise((r) => setTimeout(r, since + ms - Date.now()));
};

describe('call.reportEnd on a live call', () => {
  it('ends it for both at the reported time', async () => {
    await start();
    const { callId, answeredAt } = await answered();
    await after(answeredAt, 600);
    const from = Date.now();
    await alice.device.ok('call.reportEnd', { callId, reason: 'completed', endedMsAgo: 400 });
    const by = Date.now();
    expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'completed',
    });
    const entry = await entryOf(bob.device, callId);
    expect(entry).toMatchObject({ endReason: 'completed', missed: false });
    expect(Date.parse(entry.endedAt!)).toBeGreaterThanOrEqual(from - 400);
    expect(Date.parse(entry.endedAt!)).toBeLessThanOrEqual(by - 400);
    // Bob is free again: a new call rings.
    expect(await ringing()).toEqual(expect.any(String));
  });

  it('says failed when the device says so', async () => {
    await start();
    const { callId, answeredAt } = await answered();
    await after(answeredAt, 100);
    await bob.device.ok('call.reportEnd', { callId, reason: 'failed', endedMsAgo: 50 });
    expect(await alice.device.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'failed',
    });
    expect(await entryOf(alice.device, callId)).toMatchObject({ endReason: 'failed' });
  });

  it('refuses an end before the answer (E_INVALID), a ringing call (E_CALL_STATE), and anyone but a bound device (E_CALL_NOT_FOUND); the call goes on', async () => {
    await start();
    const carol = await person(server, 'carol');
    await befriend(alice, carol);
    const ring = await ringing();
    const report = { callId: ring, reason: 'completed', endedMsAgo: 0 } as const;
    expect(await alice.device.fails('call.reportEnd', report)).toBe('E_CALL_STATE');
    expect(await bob.device.fails('call.reportEnd', report)).toBe('E_CALL_STATE');
    expect(await carol.device.fails('call.reportEnd', report)).toBe('E_CALL_NOT_FOUND');
    await bob.device.ok('call.accept', { callId: ring });
    const { answeredAt } = { answeredAt: Date.parse((await entryOf(alice.device, ring)).answeredAt!) };

    const bobsOtherDevice = await connect(server, bob.token);
    const tooEarly = Date.now() - answeredAt + 5_000;
    expect(await alice.device.fails('call.reportEnd', { ...report, endedMsAgo: tooEarly })).toBe('E_INVALID');
    expect(await bobsOtherDevice.fails('call.reportEnd', report)).toBe('E_CALL_NOT_FOUND');
    expect(await carol.device.fails('call.reportEnd', report)).toBe('E_CALL_NOT_FOUND');
    expect(await alice.device.fails('call.reportEnd', { ...report, callId: newCallId() })).toBe(
      'E_CALL_NOT_FOUND',
    );

    expect(alice.device.all('call.ended')).toEqual([]);
    expect(await entryOf(alice.device, ring)).toMatchObject({ endedAt: null });
    await alice.device.ok('call.hangup', { callId: ring });
    expect(await bob.device.next('call.ended', (p) => p.callId === ring)).toEqual({
      callId: ring,
      reason: 'completed',
    });
  });
});

describe('call.reportEnd after the server ended the call', () => {
  /** Bob's device drops; after the grace period the server ends the call as connection-lost. */
  async function lostCall(): Promise<{ callId: string; answeredAt: number; lostAt: number }> {
    const { callId, answeredAt } = await answered();
    bob.device.close();
    expect(await alice.device.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'connection-lost',
    });
    const lostAt = Date.parse((await entryOf(alice.device, callId)).endedAt!);
    return { callId, answeredAt, lostAt };
  }

  it('replaces a connection-lost end with the reported one, tells both, and a repeat changes nothing', async () => {
    await start();
    const { callId, lostAt } = await lostCall();
    // Bob's device comes back: the two kept talking peer-to-peer for a while after the server gave up.
    const bobAgain = await connect(server, bob.token, bob.device.deviceId);
    await after(lostAt, 300);
    const from = Date.now();
    await bobAgain.ok('call.reportEnd', { callId, reason: 'completed', endedMsAgo: 100 });
    const by = Date.now();

    const pushed = await alice.device.next(
      'history.entry',
      (p) => p.entry.callId === callId && p.entry.endReason === 'completed',
    );
    expect(Date.parse(pushed.entry.endedAt!)).toBeGreaterThanOrEqual(from - 100);
    expect(Date.parse(pushed.entry.endedAt!)).toBeLessThanOrEqual(by - 100);
    expect(await bobAgain.next('history.entry', (p) => p.entry.callId === callId)).toMatchObject({
      entry: { endReason: 'completed', endedAt: pushed.entry.endedAt, missed: false },
    });

    // Idempotent: the same report again, or alice's own, is accepted and changes nothing.
    await bobAgain.ok('call.reportEnd', { callId, reason: 'completed', endedMsAgo: 0 });
    await alice.device.ok('call.reportEnd', { callId, reason: 'failed', endedMsAgo: 0 });
    expect(await entryOf(alice.device, callId)).toMatchObject({
      endReason: 'completed',
      endedAt: pushed.entry.endedAt,
    });
  });

  it('keeps an end the server saw (a hang-up), and accepts the report', async () => {
    await start();
    const { callId } = await answered();
    await alice.device.ok('call.hangup', { callId });
    const seen = await entryOf(bob.device, callId);
    await bob.device.ok('call.reportEnd', { callId, reason: 'failed', endedMsAgo: 0 });
    expect(await entryOf(bob.device, callId)).toEqual(seen);
  });

  it('refuses an end before the answer, a device that was not bound, an unanswered call, and a guess too old to correct', async () => {
    await start();
    const { callId, answeredAt } = await lostCall();
    const before = await entryOf(alice.device, callId);
    const report = { callId, reason: 'completed', endedMsAgo: 0 } as const;
    const sinceAnswer = Date.now() - answeredAt;
    expect(await alice.device.fails('call.reportEnd', { ...report, endedMsAgo: sinceAnswer + 5_000 })).toBe(
      'E_INVALID',
    );
    const bobsOtherDevice = await connect(server, bob.token);
    expect(await bobsOtherDevice.fails('call.reportEnd', report)).toBe('E_CALL_NOT_FOUND');

    const { callId: declined } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bobsOtherDevice.next('call.incoming', (p) => p.callId === declined);
    await bobsOtherDevice.ok('call.decline', { callId: declined });
    expect(await alice.device.fails('call.reportEnd', { ...report, callId: declined })).toBe('E_CALL_STATE');

    // A call the server ended as connection-lost more than an hour ago.
    const old = newCallId();
    const calls = new CallsTable(server.db);
    const hoursAgo = (h: number) => Date.now() - h * 3_600_000;
    const ids = await server.db.all<{ id: number }>('SELECT id FROM users ORDER BY id');
    await calls.insert({
      id: old,
      callerId: ids[0]!.id,
      calleeId: ids[1]!.id,
      media: 'audio',
      callerDevice: alice.device.deviceId,
      createdAt: hoursAgo(3),
    });
    await calls.markAnswered(old, hoursAgo(3), bob.device.deviceId);
    await calls.markEnded(old, hoursAgo(2), 'connection-lost', true);
    expect(
      await alice.device.fails('call.reportEnd', { ...report, callId: old, endedMsAgo: 3_000_000 }),
    ).toBe('E_CALL_STATE');

    expect(await entryOf(alice.device, callId)).toEqual(before);
    expect(await entryOf(alice.device, old)).toMatchObject({ endReason: 'connection-lost' });
  });
});
