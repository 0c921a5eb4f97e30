/**
 * The SDP/ICE relay of an answered call: only between the two bound devices, in order, intact (the
 * callee's signals with the leg `call.accepted` named), and rate limited. early-relay.test.ts has the
 * relay while a call rings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../config.js';
import type { Signal } from '../protocol/index.js';
import { befriend, person, type Person, startTestServer, type TestServer } from '../test-support/harness.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

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
  return { alice, bob, carol };
}

async function ring(from: Person, to: Person) {
  const { callId } = await from.device.ok('call.invite', { callee: to.username, media: 'video' });
  await to.device.next('call.incoming', (p) => p.callId === callId);
  await from.device.next('call.ringing', (p) => p.callId === callId);
  return callId;
}

/**
 * A call from alice to bob, answered, with the busy announcements already delivered; `leg`: the answering
 * device as `call.accepted` names it to alice.
 */
async function activeCall(alice: Person, bob: Person) {
  const callId = await ring(alice, bob);
  await bob.device.ok('call.accept', { callId });
  const { leg } = await alice.device.next('call.accepted', (p) => p.callId === callId);
  expect(leg).toMatch(/^[A-Za-z0-9_-]{16}$/);
  await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'busy');
  await bob.device.next('presence.changed', (p) => p.username === 'alice' && p.presence === 'busy');
  await alice.device.next('presence.self', (p) => p.presence === 'busy');
  await bob.device.next('presence.self', (p) => p.presence === 'busy');
  return { callId, leg: leg! };
}

const offer = (sdp: string): Signal => ({ kind: 'description', description: { type: 'offer', sdp } });
const answer = (sdp: string): Signal => ({ kind: 'description', description: { type: 'answer', sdp } });
const candidate = (candidate: string, sdpMid: string | null, sdpMLineIndex: number | null): Signal => ({
  kind: 'candidate',
  candidate: { candidate, sdpMid, sdpMLineIndex, usernameFragment: 'uFrag' },
});
const fakeCallId = 'AAAAAAAAAAAAAAAAAAAAAA';

describe('who may use a call', () => {
  it('a third party replaying the call id is refused, and neither party hears anything of it', async () => {
    const { alice, bob, carol } = await setup();
    const { callId, leg } = await activeCall(alice, bob);
    const aliceBefore = alice.device.received.length;
    const bobBefore = bob.device.received.length;

    const sig = offer('v=0 from carol');
    expect(await carol.device.fails('call.signal', { callId, signal: sig })).toBe('E_CALL_NOT_FOUND');
    expect(await carol.device.fails('call.hangup', { callId })).toBe('E_CALL_NOT_FOUND');
    expect(await carol.device.fails('call.accept', { callId })).toBe('E_CALL_NOT_FOUND');
    expect(await carol.device.fails('call.decline', { callId })).toBe('E_CALL_NOT_FOUND');
    expect(await carol.device.fails('call.cancel', { callId })).toBe('E_CALL_NOT_FOUND');

    // Barrier: legit signals in both directions arrive after anything carol caused.
    const fromAlice = offer('v=0 from alice');
    await alice.device.ok('call.signal', { callId, signal: fromAlice });
    expect(await bob.device.next('call.signal')).toEqual({ callId, signal: fromAlice });
    const fromBob = answer('v=0 from bob');
    await bob.device.ok('call.signal', { callId, signal: fromBob });
    expect(await alice.device.next('call.signal')).toEqual({ callId, signal: fromBob, leg });

    expect(alice.device.eventNames().slice(aliceBefore)).toEqual(['call.signal']);
    expect(bob.device.eventNames().slice(bobBefore)).toEqual(['call.signal']);
    // Carol did not end the call and never got into it.
    expect(carol.device.all('call.signal')).toEqual([]);
    const history = (await alice.device.ok('history.list', {})).entries;
    expect(history).toEqual([expect.objectContaining({ callId, endedAt: null, endReason: null })]);
  });

  it('a made-up call id is not found for any call action', async () => {
    const { alice, bob } = await setup();
    await activeCall(alice, bob);
    const callId = fakeCallId;
    expect(await alice.device.fails('call.signal', { callId, signal: offer('v=0') })).toBe(
      'E_CALL_NOT_FOUND',
    );
    for (const action of ['call.hangup', 'call.accept', 'call.decline', 'call.cancel'] as const) {
      expect(await alice.device.fails(action, { callId })).toBe('E_CALL_NOT_FOUND');
    }
  });

  it('after hang-up the old call id relays nothing', async () => {
    const { alice, bob } = await setup();
    const { callId } = await activeCall(alice, bob);
    await alice.device.ok('call.hangup', { callId });
    await bob.device.next('call.ended', (p) => p.callId === callId);
    await alice.device.next('call.ended', (p) => p.callId === callId);

    expect(await alice.device.fails('call.signal', { callId, signal: offer('v=0 late') })).toBe(
      'E_CALL_NOT_FOUND',
    );
    expect(await bob.device.fails('call.signal', { callId, signal: answer('v=0 late') })).toBe(
      'E_CALL_NOT_FOUND',
    );
    // Barrier: a new call rings bob after any late signal would have reached him.
    await ring(alice, bob);
    expect(bob.device.all('call.signal')).toEqual([]);
    expect(alice.device.all('call.signal')).toEqual([]);
  });
});

describe('renegotiation and ICE', () => {
  it('offers, answers and candidates in both directions arrive intact and in order', async () => {
    const { alice, bob } = await setup();
    const { callId, leg } = await activeCall(alice, bob);

    const fromAlice: Signal[] = [
      offer('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n'),
      candidate('candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host generation 0', '0', 0),
      candidate('candidate:2 1 udp 1686052607 203.0.113.7 61000 typ srflx raddr 0.0.0.0 rport 0', '0', 0),
      candidate('candidate:3 1 tcp 1518280447 192.168.1.2 9 typ host tcptype active', '1', 1),
      { kind: 'candidate', candidate: null },
      // Renegotiation: add video, then an ICE restart.
      offer(
        'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n',
      ),
      offer('v=0\r\no=- 1 3 IN IP4 127.0.0.1\r\na=ice-options:trickle\r\n'),
      candidate(
        'candidate:4 1 udp 41885439 198.51.100.9 3478 typ relay raddr 203.0.113.7 rport 61000',
        null,
        1,
      ),
    ];
    const fromBob: Signal[] = [
      answer('v=0\r\no=- 9 1 IN IP4 127.0.0.1\r\n'),
      candidate('candidate:7 1 udp 2122260223 10.0.0.5 50000 typ host', '0', 0),
      answer('v=0\r\no=- 9 2 IN IP4 127.0.0.1\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n'),
      offer('v=0\r\no=- 9 3 IN IP4 127.0.0.1\r\n'), // bob renegotiates too
      candidate('candidate:8 1 udp 2122260223 10.0.0.5 50001 typ host', 'video', 1),
      answer('v=0\r\no=- 9 4 IN IP4 127.0.0.1\r\n'),
      { kind: 'candidate', candidate: null },
    ];

    // Sent the way browsers do: without waiting for each acknowledgement, both sides at once.
    const sent = [
      ...fromAlice.map((signal) => alice.device.ok('call.signal', { callId, signal })),
      ...fromBob.map((signal) => bob.device.ok('call.signal', { callId, signal })),
    ];
    await Promise.all(sent);
    for (let i = 0; i < fromAlice.length; i++) await bob.device.next('call.signal');
    for (let i = 0; i < fromBob.length; i++) await alice.device.next('call.signal');

    expect(bob.device.all('call.signal')).toEqual(fromAlice.map((signal) => ({ callId, signal })));
    expect(alice.device.all('call.signal')).toEqual(fromBob.map((signal) => ({ callId, signal, leg })));
  });
});

describe('rate limits', () => {
  it('too many invites in a minute are refused with a retry time', async () => {
    const { alice, bob } = await setup({ invitesPerMinute: 2 });
    for (let i = 0; i < 2; i++) {
      const callId = await ring(alice, bob);
      await alice.device.ok('call.cancel', { callId });
      await bob.device.next('call.ended', (p) => p.callId === callId);
    }
    const third = await alice.device.request('call.invite', { callee: 'bob', media: 'audio' });
    expect(third).toMatchObject({ ok: false, error: { code: 'E_RATE_LIMITED' } });
    expect(!third.ok && third.error.retryAfterMs).toBeGreaterThan(0);

    // Nothing rang and nothing was recorded for the refused invite.
    expect((await bob.device.ok('history.list', {})).entries).toHaveLength(2);
    expect(bob.device.all('call.incoming')).toHaveLength(2);
  });

  it('too many signals in ten seconds: the extra one is refused and not delivered', async () => {
    const { alice, bob } = await setup({ relayPer10s: 5 });
    const { callId } = await activeCall(alice, bob);
    for (let i = 1; i <= 5; i++) {
      await alice.device.ok('call.signal', { callId, signal: offer(`v=0 ${i}`) });
    }
    const sixth = await alice.device.request('call.signal', { callId, signal: offer('v=0 6') });
    expect(sixth).toMatchObject({ ok: false, error: { code: 'E_RATE_LIMITED' } });
    expect(!sixth.ok && sixth.error.retryAfterMs).toBeGreaterThan(0);

    // Barrier: the hang-up reaches bob after any relayed signal would have.
    await alice.device.ok('call.hangup', { callId });
    await bob.device.next('call.ended', (p) => p.callId === callId);
    expect(bob.device.all('call.signal').map((p) => p.signal)).toEqual(
      [1, 2, 3, 4, 5].map((i) => offer(`v=0 ${i}`)),
    );
  });
});
