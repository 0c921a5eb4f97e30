/**
 * Connecting while it rings (`connectWhileRinging`): each ringing device of the callee and the caller's
 * device exchange SDP/ICE before the answer, the caller addressing each device by its leg; from the
 * answer on only the answering device's leg is relayed. With the setting off nothing is relayed while it
 * rings and no leg or preconnect appears anywhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../config.js';
import type { Signal } from '../protocol/index.js';
import {
  befriend,
  connect,
  person,
  startTestServer,
  type Person,
  type TestDevice,
  type TestServer,
} from '../test-support/harness.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const LEG = /^[A-Za-z0-9_-]{16}$/;

const offer = (sdp: string): Signal => ({ kind: 'description', description: { type: 'offer', sdp } });
const answer = (sdp: string): Signal => ({ kind: 'description', description: { type: 'answer', sdp } });
const candidate = (n: number): Signal => ({
  kind: 'candidate',
  candidate: { candidate: `candidate:${n} 1 udp 2122260223 192.0.2.${n} 5000${n} typ host`, sdpMid: '0' },
});
const sdpOf = (s: Signal): string | undefined => (s.kind === 'description' ? s.description.sdp : undefined);

/** Alice, and Bob on two devices (desk and phone), and Carol, a contact of both; all mutual contacts. */
async function setup(overrides: Partial<ServerConfig> = {}) {
  server = await startTestServer({ ringTimeout: 30, ...overrides });
  const [alice, bob, carol] = await Promise.all([
    person(server, 'alice'),
    person(server, 'bob'),
    person(server, 'carol'),
  ]);
  await befriend(alice, bob);
  await befriend(carol, alice);
  await befriend(carol, bob);
  const bobPhone = await connect(server, bob.token);
  return { alice, bob, bobDesk: bob.device, bobPhone, carol };
}

/** Alice calls Bob; resolves once every given device of Bob rings (with preconnect) and Alice hears it ring. */
async function ring(alice: Person, bobDevices: TestDevice[]) {
  const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'video' });
  for (const d of bobDevices) {
    expect(await d.next('call.incoming', (p) => p.callId === callId)).toMatchObject({ preconnect: true });
  }
  await alice.device.next('call.ringing', (p) => p.callId === callId);
  return callId;
}

/** A callee device offers while it rings; resolves with the leg under which the offer reached Alice. */
async function offerEarly(alice: Person, from: TestDevice, callId: string, sdp: string): Promise<string> {
  await from.ok('call.signal', { callId, signal: offer(sdp) });
  const got = await alice.device.next('call.signal', (p) => p.callId === callId && sdpOf(p.signal) === sdp);
  expect(got).toEqual({ callId, signal: offer(sdp), leg: expect.stringMatching(LEG) });
  return got.leg!;
}

describe('while it rings', () => {
  it("each ringing device's signals reach the caller under a leg of its own; the caller's answer reaches only the device its leg names", async () => {
    const { alice, bobDesk, bobPhone, carol } = await setup();
    const callId = await ring(alice, [bobDesk, bobPhone]);

    const deskLeg = await offerEarly(alice, bobDesk, callId, 'v=0 desk');
    const phoneLeg = await offerEarly(alice, bobPhone, callId, 'v=0 phone');
    expect(deskLeg).not.toBe(phoneLeg);
    // A device keeps its leg for the whole call.
    await bobPhone.ok('call.signal', { callId, signal: candidate(2) });
    expect(await alice.device.next('call.signal')).toEqual({ callId, signal: candidate(2), leg: phoneLeg });

    // Each answer goes to the named device only, without the leg; a second round is the barrier for the first.
    for (const round of [1, 2]) {
      await alice.device.ok('call.signal', { callId, signal: answer(`v=0 desk ${round}`), leg: deskLeg });
      await alice.device.ok('call.signal', { callId, signal: answer(`v=0 phone ${round}`), leg: phoneLeg });
      await bobDesk.next('call.signal', (p) => sdpOf(p.signal) === `v=0 desk ${round}`);
      await bobPhone.next('call.signal', (p) => sdpOf(p.signal) === `v=0 phone ${round}`);
    }
    expect(bobDesk.all('call.signal')).toEqual(
      [1, 2].map((r) => ({ callId, signal: answer(`v=0 desk ${r}`) })),
    );
    expect(bobPhone.all('call.signal')).toEqual(
      [1, 2].map((r) => ({ callId, signal: answer(`v=0 phone ${r}`) })),
    );

    // Barrier for Carol: Bob's busy presence reaches her after anything relayed before the answer.
    await bobDesk.ok('call.accept', { callId });
    await carol.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'busy');
    expect(carol.device.all('call.signal')).toEqual([]);
    expect(alice.device.all('call.signal')).toHaveLength(3);
  });

  it('refuses a stranger, the caller without a leg or with a leg of no ringing device, and a callee device that names a leg; none of it is delivered', async () => {
    const { alice, bobDesk, bobPhone, carol } = await setup();
    const alicePhone = await connect(server!, alice.token);
    const callId = await ring(alice, [bobDesk, bobPhone]);
    const deskLeg = await offerEarly(alice, bobDesk, callId, 'v=0 desk');
    const phoneLeg = await offerEarly(alice, bobPhone, callId, 'v=0 phone');
    const sig = offer('v=0 refused');

    for (const leg of [undefined, deskLeg]) {
      expect(await carol.device.fails('call.signal', { callId, signal: sig, leg })).toBe('E_CALL_NOT_FOUND');
      // The caller's other devices are not the caller's device.
      expect(await alicePhone.fails('call.signal', { callId, signal: sig, leg })).toBe('E_CALL_NOT_FOUND');
    }
    expect(await alice.device.fails('call.signal', { callId, signal: sig })).toBe('E_CALL_STATE');
    expect(await alice.device.fails('call.signal', { callId, signal: sig, leg: 'AAAAAAAAAAAAAAAA' })).toBe(
      'E_CALL_NOT_FOUND',
    );
    // A callee device is never told a leg, so naming one (its own or another's) is a malformed request.
    expect(await bobDesk.request('call.signal', { callId, signal: sig, leg: deskLeg })).toEqual({
      ok: false,
      error: { code: 'E_INVALID', message: 'leg: only the caller names a leg' },
    });
    expect(await bobDesk.fails('call.signal', { callId, signal: sig, leg: phoneLeg })).toBe('E_INVALID');

    // A ringing device that leaves takes its leg with it. (With the desk away, Bob turning away tells Carol
    // that the server has forgotten the phone.)
    await alice.device.ok('call.signal', { callId, signal: answer('v=0 to phone'), leg: phoneLeg });
    expect(await bobPhone.next('call.signal')).toEqual({ callId, signal: answer('v=0 to phone') });
    await bobDesk.ok('presence.update', { away: true });
    bobPhone.close();
    await carol.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'away');
    expect(await alice.device.fails('call.signal', { callId, signal: sig, leg: phoneLeg })).toBe(
      'E_CALL_NOT_FOUND',
    );

    // Barriers: the call's end reaches the parties, and an acknowledgement the others, after anything sent before.
    await alice.device.ok('call.cancel', { callId });
    await bobDesk.next('call.ended', (p) => p.callId === callId);
    await alicePhone.ok('history.list', {});
    await carol.device.ok('history.list', {});
    expect(bobDesk.all('call.signal')).toEqual([]);
    expect(bobPhone.all('call.signal')).toHaveLength(1);
    expect(alice.device.all('call.signal').map((p) => sdpOf(p.signal))).toEqual(['v=0 desk', 'v=0 phone']);
    expect(alicePhone.all('call.signal')).toEqual([]);
    expect(carol.device.all('call.signal')).toEqual([]);
  });

  it('the same device has another leg in the next call, and the old leg names nothing there', async () => {
    const { alice, bobDesk } = await setup();
    const first = await ring(alice, [bobDesk]);
    const oldLeg = await offerEarly(alice, bobDesk, first, 'v=0 first');
    await alice.device.ok('call.cancel', { callId: first });
    await bobDesk.next('call.ended', (p) => p.callId === first);

    const second = await ring(alice, [bobDesk]);
    const newLeg = await offerEarly(alice, bobDesk, second, 'v=0 second');
    expect(newLeg).not.toBe(oldLeg);
    expect(
      await alice.device.fails('call.signal', { callId: second, signal: answer('v=0'), leg: oldLeg }),
    ).toBe('E_CALL_NOT_FOUND');
  });

  it('a device that connects while the call rings finds it in session.ready with preconnect, and connects early too', async () => {
    const { alice, bob, bobDesk } = await setup();
    const callId = await ring(alice, [bobDesk]);
    const deskLeg = await offerEarly(alice, bobDesk, callId, 'v=0 desk');

    const late = await connect(server!, bob.token);
    expect(late.ready.calls).toEqual([
      {
        callId,
        role: 'callee',
        peer: { username: 'alice', displayName: 'ALICE' },
        media: 'video',
        state: 'ringing',
        boundHere: false,
        preconnect: true,
      },
    ]);
    const lateLeg = await offerEarly(alice, late, callId, 'v=0 late');
    expect(lateLeg).not.toBe(deskLeg);
    await alice.device.ok('call.signal', { callId, signal: answer('v=0 to late'), leg: lateLeg });
    expect(await late.next('call.signal')).toEqual({ callId, signal: answer('v=0 to late') });

    // The caller's other device sees the call too, but it is not one that connects early.
    const alicePhone = await connect(server!, alice.token);
    expect(alicePhone.ready.calls).toEqual([
      expect.objectContaining({ callId, role: 'caller', state: 'ringing', boundHere: false }),
    ]);
    expect(alicePhone.ready.calls[0]).not.toHaveProperty('preconnect');
  });

  it('signals while it rings count against the per-user relay limit: a flood from a ringing device is cut off', async () => {
    const { alice, bobDesk, bobPhone } = await setup({ relayPer10s: 5 });
    const callId = await ring(alice, [bobDesk, bobPhone]);
    const flood = await Promise.all(
      Array.from({ length: 20 }, (_, i) => bobDesk.request('call.signal', { callId, signal: candidate(i) })),
    );
    const answers = flood.map((r) => (r.ok ? 'ok' : r.error.code));
    expect(answers.filter((a) => a === 'ok')).toHaveLength(5);
    expect(answers.filter((a) => a === 'E_RATE_LIMITED')).toHaveLength(15);
    // Bob's other device shares his budget.
    expect(await bobPhone.fails('call.signal', { callId, signal: candidate(99) })).toBe('E_RATE_LIMITED');

    // Barrier: the cancel reaches alice after any relayed signal would have.
    await alice.device.ok('call.cancel', { callId });
    await alice.device.next('call.ended', (p) => p.callId === callId);
    expect(alice.device.all('call.signal')).toHaveLength(5);
  });
});

describe('once answered', () => {
  it("call.accepted names the answering leg; only that leg relays, the other device's signals and the caller's signals for it are refused", async () => {
    const { alice, bobDesk, bobPhone } = await setup();
    const callId = await ring(alice, [bobDesk, bobPhone]);
    const deskLeg = await offerEarly(alice, bobDesk, callId, 'v=0 desk');
    const phoneLeg = await offerEarly(alice, bobPhone, callId, 'v=0 phone');

    await bobDesk.ok('call.accept', { callId });
    expect(await alice.device.next('call.accepted')).toEqual({ callId, leg: deskLeg });
    await bobPhone.next('call.ended', (p) => p.callId === callId && p.reason === 'answered-elsewhere');

    // The phone did not answer: its signals, and a late one of the caller's for it, are not this call's.
    expect(await bobPhone.fails('call.signal', { callId, signal: candidate(3) })).toBe('E_CALL_NOT_FOUND');
    expect(await alice.device.fails('call.signal', { callId, signal: candidate(4), leg: phoneLeg })).toBe(
      'E_CALL_NOT_FOUND',
    );
    // The answering device still may not name a leg.
    expect(await bobDesk.fails('call.signal', { callId, signal: candidate(5), leg: deskLeg })).toBe(
      'E_INVALID',
    );

    // The caller reaches the desk with its leg or with none; the desk reaches the caller under its leg.
    await alice.device.ok('call.signal', { callId, signal: candidate(6), leg: deskLeg });
    await alice.device.ok('call.signal', { callId, signal: candidate(7) });
    await bobDesk.ok('call.signal', { callId, signal: candidate(8) });
    expect(await bobDesk.next('call.signal')).toEqual({ callId, signal: candidate(6) });
    expect(await bobDesk.next('call.signal')).toEqual({ callId, signal: candidate(7) });
    expect(await alice.device.next('call.signal', (p) => p.signal.kind === 'candidate')).toEqual({
      callId,
      signal: candidate(8),
      leg: deskLeg,
    });

    // Barrier: the end's history entry reaches the phone after anything relayed before it.
    await alice.device.ok('call.hangup', { callId });
    await bobPhone.next('history.entry', (p) => p.entry.callId === callId);
    await bobDesk.next('history.entry', (p) => p.entry.callId === callId);
    expect(bobPhone.all('call.signal')).toEqual([]);
    expect(bobDesk.all('call.signal')).toHaveLength(2);
    expect(alice.device.all('call.signal').map((p) => p.leg)).toEqual([deskLeg, phoneLeg, deskLeg]);
  });

  it("the caller's device finds the answering leg in its snapshot when it reconnects; no other device gets one", async () => {
    const { alice, bob, bobDesk, bobPhone } = await setup();
    const callId = await ring(alice, [bobDesk, bobPhone]);
    const phoneLeg = await offerEarly(alice, bobPhone, callId, 'v=0 phone');
    await bobPhone.ok('call.accept', { callId });
    await alice.device.next('call.accepted', (p) => p.callId === callId);

    const back = await connect(server!, alice.token, alice.device.deviceId);
    const seen = { callId, media: 'video', state: 'active' };
    const bobSeen = { ...seen, role: 'caller', peer: { username: 'bob', displayName: 'BOB' } };
    expect(back.ready.calls).toEqual([{ ...bobSeen, boundHere: true, leg: phoneLeg }]);
    expect((await connect(server!, alice.token)).ready.calls).toEqual([{ ...bobSeen, boundHere: false }]);
    // The callee's devices are never told a leg, the answering one included.
    const aliceSeen = { ...seen, role: 'callee', peer: { username: 'alice', displayName: 'ALICE' } };
    expect((await connect(server!, bob.token, bobPhone.deviceId)).ready.calls).toEqual([
      { ...aliceSeen, boundHere: true },
    ]);
    expect((await connect(server!, bob.token)).ready.calls).toEqual([{ ...aliceSeen, boundHere: false }]);
  });
});

describe('with connectWhileRinging off', () => {
  it('nothing is relayed while it rings (E_CALL_STATE), and no leg or preconnect appears anywhere', async () => {
    const { alice, bob, bobDesk, bobPhone } = await setup({ connectWhileRinging: false });
    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'video' });
    for (const d of [bobDesk, bobPhone]) {
      expect(await d.next('call.incoming', (p) => p.callId === callId)).toEqual({
        callId,
        caller: { username: 'alice', displayName: 'ALICE' },
        media: 'video',
        ringTimeoutMs: 30_000,
      });
    }
    const late = await connect(server!, bob.token);
    expect(late.ready.calls).toEqual([
      {
        callId,
        role: 'callee',
        peer: { username: 'alice', displayName: 'ALICE' },
        media: 'video',
        state: 'ringing',
        boundHere: false,
      },
    ]);

    // Not yet, from either side, leg or not.
    expect(await alice.device.fails('call.signal', { callId, signal: offer('v=0 early') })).toBe(
      'E_CALL_STATE',
    );
    expect(
      await alice.device.fails('call.signal', {
        callId,
        signal: offer('v=0 early'),
        leg: 'AAAAAAAAAAAAAAAA',
      }),
    ).toBe('E_CALL_STATE');
    for (const d of [bobDesk, bobPhone, late]) {
      expect(await d.fails('call.signal', { callId, signal: answer('v=0 early') })).toBe('E_CALL_STATE');
    }

    await bobDesk.ok('call.accept', { callId });
    expect(await alice.device.next('call.accepted')).toEqual({ callId });
    await alice.device.ok('call.signal', { callId, signal: offer('v=0 now') });
    expect(await bobDesk.next('call.signal')).toEqual({ callId, signal: offer('v=0 now') });
    await bobDesk.ok('call.signal', { callId, signal: answer('v=0 now') });
    expect(await alice.device.next('call.signal')).toEqual({ callId, signal: answer('v=0 now') });

    const aliceBack = await connect(server!, alice.token, alice.device.deviceId);
    expect(aliceBack.ready.calls).toEqual([
      {
        callId,
        role: 'caller',
        peer: { username: 'bob', displayName: 'BOB' },
        media: 'video',
        state: 'active',
        boundHere: true,
      },
    ]);

    // Barrier: the history entry of the end reaches everyone after anything relayed before.
    await aliceBack.ok('call.hangup', { callId });
    for (const d of [bobDesk, bobPhone, late, aliceBack]) {
      await d.next('history.entry', (p) => p.entry.callId === callId);
    }
    expect(bobDesk.all('call.signal')).toHaveLength(1);
    expect(alice.device.all('call.signal')).toHaveLength(1);
    expect(bobPhone.all('call.signal')).toEqual([]);
    expect(late.all('call.signal')).toEqual([]);
  });
});
