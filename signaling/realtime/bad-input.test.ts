/**
 * Hostile and broken clients: every request with malformed payloads, unknown
 * events, floods of bad messages and oversize frames. The server answers
 * E_INVALID, stores nothing, closes abusive connections and stays up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import {
  CALL_REPORT_MAX_AGE_MS,
  clientRequests,
  type ClientRequestName,
  type Signal,
} from '../protocol/index.js';
import { MAX_MESSAGE_BYTES } from '../server.js';
import {
  befriend,
  connect,
  newDeviceId,
  person,
  type Person,
  register,
  startTestServer,
  type TestDevice,
  type TestServer,
  WAIT_MS,
} from '../test-support/harness.js';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** The socket without the typed event maps, to send what a typed client cannot. */
interface LooseSocket {
  connected: boolean;
  emit(event: string, ...args: unknown[]): unknown;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
  once(event: 'disconnect', listener: (reason: string) => void): unknown;
}
const loose = (device: TestDevice): LooseSocket => device.socket as unknown as LooseSocket;

const sendWithAck = (device: TestDevice, event: string, args: unknown[]): Promise<unknown> =>
  loose(device)
    .timeout(WAIT_MS)
    .emitWithAck(event, ...args);

/** Resolves with the reason once the server (or transport) closes the connection. */
function closed(device: TestDevice): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${device.deviceId} was not disconnected`)), WAIT_MS);
    loose(device).once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

const invalid = { ok: false, error: { code: 'E_INVALID', message: expect.any(String) } };

/**
 * Every row of the tables the server writes (session use times aside), and the row count of every table
 * but device_bindings, which records the test's own new connections.
 */
async function snapshot(db: Database) {
  const tables = (
    await db.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
  )
    .map((t) => t.name)
    .filter((name) => name !== 'device_bindings');
  const counts: Record<string, number> = {};
  for (const table of tables)
    counts[table] = (await db.get<{ n: number }>(`SELECT count(*) AS n FROM "${table}"`))!.n;
  return {
    counts,
    users: await db.all('SELECT * FROM users ORDER BY id'),
    sessions: await db.all('SELECT token_hash, user_id, created_at FROM sessions ORDER BY token_hash'),
    contacts: await db.all('SELECT * FROM contacts ORDER BY owner_id, peer_id'),
    calls: await db.all('SELECT * FROM calls ORDER BY id'),
  };
}

const offer = (sdp: string): Signal => ({ kind: 'description', description: { type: 'offer', sdp } });

async function activeCall(caller: Person, callee: Person): Promise<string> {
  const { callId } = await caller.device.ok('call.invite', { callee: callee.username, media: 'video' });
  await callee.device.next('call.incoming', (p) => p.callId === callId);
  await callee.device.ok('call.accept', { callId });
  await caller.device.next('call.accepted', (p) => p.callId === callId);
  return callId;
}

/** Payloads that fail validation for one request, beyond the ones every request gets. */
interface BadPayloads {
  /** Who would be able to act on the valid payload, and on which device (bound devices of calls). */
  actor: Person;
  deviceId?: string;
  /** A payload that would be accepted; variants of it carry extra fields. */
  valid: Record<string, unknown>;
  wrongTypes: unknown[];
  tooLong: unknown[];
}

const LONG = 'x'.repeat(10_000);

/** Several connections each stay well below the 20-bad-messages-per-10-s abuse limit. */
const PER_CONNECTION = 12;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

describe('malformed requests', () => {
  it('every request refuses malformed payloads with E_INVALID, stores nothing and the server stays up', async () => {
    // A fresh connection per dozen bad messages (the abuse limit): more devices per person than the default cap.
    server = await startTestServer({ ringTimeout: 60, gracePeriod: 60, maxDevicesPerUser: 100 });
    const s = server;
    const people = await Promise.all(
      ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank'].map((n) => person(s, n)),
    );
    const [alice, bob, carol, dave, erin, frank, gina, hank] = people as [
      Person,
      Person,
      Person,
      Person,
      Person,
      Person,
      Person,
      Person,
    ];
    // State worth protecting: an active call, a ringing call, a pending request, a missed call.
    await befriend(alice, bob);
    await befriend(carol, dave);
    await befriend(gina, hank);
    const active = await activeCall(alice, bob);
    const { callId: ringing } = await dave.device.ok('call.invite', { callee: 'carol', media: 'audio' });
    await carol.device.next('call.incoming', (p) => p.callId === ringing);
    await erin.device.ok('contacts.request', { username: 'frank' });
    await hank.device.ok('presence.update', { dnd: true });
    expect(await gina.device.fails('call.invite', { callee: 'hank', media: 'audio' })).toBe('E_DND');
    await hank.device.ok('presence.update', { dnd: false });
    await hank.device.next('history.unseen', (p) => p.unseenMissedCalls === 1);

    const username = (valid: string) => ({
      wrongTypes: [
        { username: 42 },
        { username: [valid] },
        { username: null },
        { username: valid.toUpperCase() },
        { username: 'ab' },
        { user: valid },
      ],
      tooLong: [{ username: LONG }],
    });
    const callRef = (id: string) => ({
      wrongTypes: [
        { callId: id.slice(1) },
        { callId: `${id}A` },
        { callId: `+${id.slice(1)}` },
        { callId: 123 },
        { callId: null },
        { id },
      ],
      tooLong: [{ callId: LONG }],
    });
    const signalOn = (signal: unknown) => ({ callId: active, signal });
    const candidate = (c: Record<string, unknown>) => signalOn({ kind: 'candidate', candidate: c });

    const cases: Record<ClientRequestName, BadPayloads> = {
      'contacts.request': { actor: frank, valid: { username: 'erin' }, ...username('erin') },
      'contacts.accept': { actor: frank, valid: { username: 'erin' }, ...username('erin') },
      'contacts.decline': { actor: frank, valid: { username: 'erin' }, ...username('erin') },
      'contacts.remove': { actor: alice, valid: { username: 'bob' }, ...username('bob') },
      'presence.update': {
        actor: alice,
        valid: { dnd: true },
        wrongTypes: [{ dnd: 'true' }, { away: 1 }, { dnd: null }, { status: 'dnd' }, { away: [true] }],
        tooLong: [{ away: LONG }],
      },
      'call.invite': {
        actor: gina,
        valid: { callee: 'hank', media: 'audio' },
        wrongTypes: [
          { callee: 'hank' },
          { media: 'audio' },
          { callee: 'hank', media: 'screen' },
          { callee: 7, media: 'audio' },
          { callee: { username: 'hank' }, media: 'video' },
        ],
        tooLong: [
          { callee: LONG, media: 'audio' },
          { callee: 'hank', media: LONG },
        ],
      },
      'call.accept': { actor: carol, valid: { callId: ringing }, ...callRef(ringing) },
      'call.decline': { actor: carol, valid: { callId: ringing }, ...callRef(ringing) },
      'call.cancel': {
        actor: dave,
        deviceId: dave.device.deviceId,
        valid: { callId: ringing },
        ...callRef(ringing),
      },
      'call.hangup': {
        actor: alice,
        deviceId: alice.device.deviceId,
        valid: { callId: active },
        ...callRef(active),
      },
      'call.reportEnd': {
        actor: alice,
        deviceId: alice.device.deviceId,
        valid: { callId: active, reason: 'completed', endedMsAgo: 1_000 },
        wrongTypes: [
          { callId: active, reason: 'completed' },
          { callId: active, endedMsAgo: 0 },
          { callId: active, reason: 'cancelled', endedMsAgo: 0 },
          { callId: active, reason: 'completed', endedMsAgo: -1 },
          { callId: active, reason: 'completed', endedMsAgo: 1.5 },
          { callId: active, reason: 'completed', endedMsAgo: '5' },
          { callId: active, reason: 'completed', endedMsAgo: CALL_REPORT_MAX_AGE_MS + 1 },
          { callId: 7, reason: 'completed', endedMsAgo: 0 },
        ],
        tooLong: [
          { callId: LONG, reason: 'completed', endedMsAgo: 0 },
          { callId: active, reason: LONG, endedMsAgo: 0 },
        ],
      },
      'call.signal': {
        actor: alice,
        deviceId: alice.device.deviceId,
        valid: signalOn(offer('v=0')),
        wrongTypes: [
          { callId: active },
          { signal: offer('v=0') },
          { callId: 7, signal: offer('v=0') },
          signalOn({ kind: 'bye' }),
          signalOn({ kind: 'candidate' }),
          signalOn({ kind: 'description', description: { type: 'pranswer', sdp: 'v=0' } }),
          signalOn({ kind: 'description', description: { type: 'offer', sdp: '' } }),
          signalOn({ kind: 'description', description: { type: 'offer', sdp: 'v=0', extra: 1 } }),
          signalOn({ kind: 'description', description: { type: 'offer', sdp: 42 } }),
          candidate({ candidate: 'candidate:1', sdpMLineIndex: -1 }),
          candidate({ candidate: 'candidate:1', sdpMLineIndex: 1.5 }),
          candidate({ candidate: 'candidate:1', sdpMLineIndex: 256 }),
          candidate({ candidate: 'candidate:1', sdpMid: 0 }),
          candidate({ candidate: 'candidate:1', extra: true }),
          candidate({ sdpMid: '0' }),
          // A leg is 16 base64url characters.
          { ...signalOn(offer('v=0')), leg: 'A'.repeat(15) },
          { ...signalOn(offer('v=0')), leg: 'A'.repeat(17) },
          { ...signalOn(offer('v=0')), leg: 'AAAAAAAAAAAAAAA+' },
          { ...signalOn(offer('v=0')), leg: 'AAAAAAAAAAAAAAA=' },
          { ...signalOn(offer('v=0')), leg: '' },
          { ...signalOn(offer('v=0')), leg: 1234567890123456 },
          { ...signalOn(offer('v=0')), leg: null },
          { ...signalOn(offer('v=0')), leg: ['AAAAAAAAAAAAAAAA'] },
        ],
        tooLong: [
          { callId: LONG, signal: offer('v=0') },
          { ...signalOn(offer('v=0')), leg: LONG },
          signalOn(offer('v'.repeat(48_001))),
          candidate({ candidate: 'c'.repeat(1025) }),
          candidate({ candidate: 'candidate:1', sdpMid: 'm'.repeat(65) }),
          candidate({ candidate: 'candidate:1', usernameFragment: 'u'.repeat(257) }),
        ],
      },
      'history.list': {
        actor: alice,
        valid: { limit: 10 },
        wrongTypes: [
          { limit: 0 },
          { limit: 101 },
          { limit: '10' },
          { limit: 1.5 },
          { before: 'nope' },
          { before: 123 },
        ],
        tooLong: [{ before: LONG }],
      },
      'history.markSeen': {
        actor: hank,
        valid: {},
        wrongTypes: [{ callId: 'x' }, { unseenMissedCalls: 0 }, { seen: true }],
        tooLong: [{ note: LONG }],
      },
      'ice.servers': {
        actor: hank,
        valid: {},
        wrongTypes: [{ turn: true }, { username: 'hank' }],
        tooLong: [{ note: LONG }],
      },
    };

    /** The bad payloads for one request, each as the argument list of an emit. */
    const badArgs = (name: ClientRequestName): unknown[][] => {
      const c = cases[name];
      const withProto = { ...c.valid };
      Object.defineProperty(withProto, '__proto__', { value: { admin: true }, enumerable: true });
      const args: unknown[][] = [
        [], // no payload at all
        [42],
        ['garbage'],
        [[c.valid]],
        [null],
        [true],
        [{ ...c.valid, extra: 'unknown field' }],
        [withProto],
        [c.valid, 'a second argument'],
        ...c.wrongTypes.map((p) => [p]),
        ...c.tooLong.map((p) => [p]),
      ];
      if (!clientRequests[name].payload.safeParse({}).success) args.push([{}]);
      return args;
    };

    const before = await snapshot(s.db);
    expect(Object.keys(before.counts)).toEqual(
      expect.arrayContaining(['users', 'sessions', 'contacts', 'calls']),
    );
    expect(before.counts).toMatchObject({ users: 8, contacts: 8, calls: 3 });

    // Connections for the abuse: fresh devices, or the call's bound device taken over by a new connection.
    const latest = new Map<Person, TestDevice>(people.map((p) => [p, p.device]));
    const connectionFor = async (name: ClientRequestName): Promise<TestDevice> => {
      const { actor, deviceId } = cases[name];
      const device = await connect(s, actor.token, deviceId ?? newDeviceId());
      if (deviceId) latest.set(actor, device);
      return device;
    };

    const requestNames = Object.keys(clientRequests) as ClientRequestName[];
    expect(requestNames.length).toBeGreaterThan(0);
    let sent = 0;
    for (const name of requestNames) {
      const all = badArgs(name);
      // The valid payload itself passes validation (the variants above are near misses).
      expect(clientRequests[name].payload.safeParse(cases[name].valid).success).toBe(true);

      for (const part of chunks(all, PER_CONNECTION)) {
        const device = await connectionFor(name);
        const acks = await Promise.all(part.map((args) => sendWithAck(device, name, args)));
        for (const [i, ack] of acks.entries()) {
          expect(ack, `${name} ${JSON.stringify(part[i])?.slice(0, 200)}`).toEqual(invalid);
        }
        sent += part.length;
      }
      for (const part of chunks(all, PER_CONNECTION)) {
        const device = await connectionFor(name);
        for (const args of part) loose(device).emit(name, ...args);
        for (let i = 0; i < part.length; i++) {
          expect(await device.next('protocol.error', (p) => p.event === name)).toEqual({
            event: name,
            code: 'E_INVALID',
            message: expect.any(String),
          });
        }
        expect(device.all('protocol.error')).toHaveLength(part.length);
        sent += part.length;
      }
    }

    // Unknown events, with and without an acknowledgement.
    const unknown = [
      'contacts.list',
      'admin.dropTables',
      'call.Signal',
      'toString',
      '__proto__',
      'e'.repeat(500),
    ];
    const spammer = await connect(s, erin.token);
    for (const name of unknown) {
      expect(await sendWithAck(spammer, name, [{ username: 'frank' }])).toEqual({
        ok: false,
        error: { code: 'E_UNKNOWN_EVENT', message: expect.any(String) },
      });
    }
    const silent = await connect(s, erin.token);
    for (const name of unknown) loose(silent).emit(name, { callId: active });
    for (const name of unknown) {
      expect(await silent.next('protocol.error', (p) => p.event === name.slice(0, 64))).toMatchObject({
        code: 'E_UNKNOWN_EVENT',
      });
    }
    sent += 2 * unknown.length;
    expect(sent).toBeGreaterThan(requestNames.length * 20);

    // Nothing was stored or changed.
    expect(await snapshot(s.db)).toEqual(before);

    // The live calls still work: the active one relays, the ringing one can be answered.
    const aliceNow = latest.get(alice)!;
    await aliceNow.ok('call.signal', { callId: active, signal: offer('v=0 still here') });
    expect((await bob.device.next('call.signal')).signal).toEqual(offer('v=0 still here'));
    expect(bob.device.all('call.signal')).toHaveLength(1);
    await carol.device.ok('call.accept', { callId: ringing });
    await latest.get(dave)!.next('call.accepted', (p) => p.callId === ringing);

    // A brand-new user can register, connect, add a contact and call.
    const { token } = await register(s, 'ivan');
    const ivan = { username: 'ivan', token, device: await connect(s, token) };
    await befriend(ivan, gina);
    const { callId } = await ivan.device.ok('call.invite', { callee: 'gina', media: 'video' });
    await gina.device.next('call.incoming', (p) => p.callId === callId);
    // And the pending request and the missed call were untouched.
    expect((await connect(s, frank.token)).ready.contacts).toEqual([
      expect.objectContaining({ username: 'erin', state: 'incoming' }),
    ]);
    expect((await connect(s, hank.token)).ready.unseenMissedCalls).toBe(1);
  });
});

describe('abusive connections', () => {
  it('a connection that sends more than 20 bad messages quickly is closed; the server and other devices carry on', async () => {
    server = await startTestServer();
    const s = server;
    const [alice, bob] = await Promise.all([person(s, 'alice'), person(s, 'bob')]);
    await befriend(alice, bob);
    const spammer = await connect(s, alice.token);
    const gone = closed(spammer);

    for (let i = 0; i < 30; i++) loose(spammer).emit('contacts.request', { username: i });
    expect(await gone).toBe('io server disconnect');
    expect(spammer.socket.connected).toBe(false);
    // Each bad message was answered before the connection was cut.
    const errors = spammer.all('protocol.error');
    expect(errors.length).toBeGreaterThan(20);
    expect(errors.every((e) => e.code === 'E_INVALID')).toBe(true);

    // The same user's other device is unaffected, and a new connection works.
    expect(alice.device.socket.connected).toBe(true);
    expect((await alice.device.ok('history.list', {})).entries).toEqual([]);
    const again = await connect(s, alice.token);
    const { callId } = await again.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === callId);
    again.close();
  });

  it('unknown events count as abuse too', async () => {
    server = await startTestServer();
    const alice = await person(server, 'alice');
    const gone = closed(alice.device);
    for (let i = 0; i < 25; i++) loose(alice.device).emit(`no.such.event.${i}`, {});
    expect(await gone).toBe('io server disconnect');
    const back = await connect(server, alice.token);
    expect(back.ready.user.username).toBe('alice');
    back.close();
  });
});

describe('oversize messages', () => {
  it('a frame over the size limit closes the connection, relays nothing and stores nothing', async () => {
    server = await startTestServer({ gracePeriod: 60 });
    const s = server;
    const [alice, bob] = await Promise.all([person(s, 'alice'), person(s, 'bob')]);
    await befriend(alice, bob);
    const callId = await activeCall(alice, bob);
    const before = await snapshot(s.db);

    const sdp = 'v'.repeat(MAX_MESSAGE_BYTES + 1);
    expect(JSON.stringify({ callId, signal: offer(sdp) }).length).toBeGreaterThan(MAX_MESSAGE_BYTES);
    const gone = closed(alice.device);
    loose(alice.device).emit('call.signal', { callId, signal: offer(sdp) });
    expect(await gone).toMatch(/^transport (close|error)$/);

    // Barrier: bob hears that alice's device dropped after anything it sent.
    expect(await bob.device.next('call.peer')).toEqual({ callId, connected: false });
    expect(bob.device.all('call.signal')).toEqual([]);
    expect(await snapshot(s.db)).toEqual(before);

    // The server is up: alice's device comes back to the same call and it relays again.
    const back = await connect(s, alice.token, alice.device.deviceId);
    expect(back.ready.calls).toEqual([expect.objectContaining({ callId, state: 'active', boundHere: true })]);
    await bob.device.next('call.peer', (p) => p.connected);
    await back.ok('call.signal', { callId, signal: offer('v=0 small') });
    expect((await bob.device.next('call.signal')).signal).toEqual(offer('v=0 small'));
    expect(await snapshot(s.db)).toEqual(before);
    const other = await person(s, 'carol');
    expect(other.device.ready.user.username).toBe('carol');
  });

  it('an SDP just over its limit but under the frame limit is E_INVALID and not relayed', async () => {
    server = await startTestServer();
    const s = server;
    const [alice, bob] = await Promise.all([person(s, 'alice'), person(s, 'bob')]);
    await befriend(alice, bob);
    const callId = await activeCall(alice, bob);
    const before = await snapshot(s.db);

    const payload = { callId, signal: offer('v'.repeat(48_001)) };
    expect(JSON.stringify(payload).length).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(await alice.device.request('call.signal', payload)).toEqual(invalid);
    // The limit itself is fine.
    const atLimit = offer('v'.repeat(48_000));
    await alice.device.ok('call.signal', { callId, signal: atLimit });
    expect((await bob.device.next('call.signal')).signal).toEqual(atLimit);
    expect(bob.device.all('call.signal')).toHaveLength(1);
    expect(alice.device.socket.connected).toBe(true);
    expect(await snapshot(s.db)).toEqual(before);
  });
});
