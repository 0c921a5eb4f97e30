/**
 * Two server nodes sharing one Redis (a real redis-server on a loopback port) with people and their
 * devices spread over both: presence, ringing every device, answered elsewhere, relay and hang-up across
 * nodes, the crossing-invites and double-accept races, and a ring timeout that fires with the node that
 * armed it gone. Until the database can be PostgreSQL, the two nodes share one SQLite file (WAL), which
 * works for nodes in one process on one machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  befriend,
  connect,
  person,
  postJson,
  signIn,
  startTestServer,
  type Person,
  type TestDevice,
  type TestServer,
} from './test-support/harness.js';
import { httpRoutes } from './protocol/index.js';
import { redisUnavailable, startRedis, type TestRedis } from './test-support/redis-server.js';

const unavailable = redisUnavailable();
if (unavailable) console.warn(`skipping the multi-node tests: ${unavailable}`);

let redis: TestRedis;
let dataDir: string;
let one: TestServer;
let two: TestServer;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  if (!unavailable) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

beforeEach(async () => {
  if (unavailable) return;
  await redis.flushAll();
  dataDir = mkdtempSync(join(tmpdir(), 'parley-cluster-'));
  const config = { redisUrl: redis.url, dataDir, ringTimeout: 2, loginFailuresPerAddress: 3 };
  // The revocation log is read once a minute only: a revocation elsewhere must arrive by the nodes' word.
  const options = { revocationTimings: { pollMs: 60_000, sweepMs: 60_000 } };
  one = await startTestServer(config, options);
  two = await startTestServer(config, options);
  alice = await person(one, 'alice');
  bob = await person(two, 'bob');
  await befriend(alice, bob);
});

afterEach(async () => {
  if (unavailable) return;
  await one.stop({ removeData: false });
  await two.stop({ removeData: false });
  rmSync(dataDir, { recursive: true, force: true });
});

/** Another device of `p` on `server`. */
const anotherDevice = async (p: Person, server: TestServer): Promise<TestDevice> =>
  connect(server, (await signIn(server, p.username)).token);

describe.skipIf(unavailable)('two nodes on one Redis', () => {
  it('shows presence across nodes, and offline only when the last device on any node leaves', async () => {
    const heard = () => alice.device.all('presence.changed').filter((p) => p.username === 'bob');
    // Bob's phone is on node two; Alice on node one hears it go and come back.
    bob.device.close();
    await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'offline');
    const phone = await connect(two, bob.token);
    await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'online');

    // With his laptop on node one as well, the phone leaving does not make him offline.
    const laptop = await anotherDevice(bob, one);
    phone.close();
    await laptop.ok('presence.update', { dnd: true });
    await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'dnd');
    laptop.close();
    await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'offline');
    expect(heard().map((p) => p.presence)).toEqual(['offline', 'online', 'dnd', 'offline']);
  });

  it('rings every device on both nodes; one answers, the other hears answered-elsewhere; relay and hang-up', async () => {
    const bobsLaptop = await anotherDevice(bob, one);
    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await Promise.all([
      bob.device.next('call.incoming', (p) => p.callId === callId),
      bobsLaptop.next('call.incoming', (p) => p.callId === callId),
      alice.device.next('call.ringing', (p) => p.callId === callId),
    ]);

    await bob.device.ok('call.accept', { callId });
    await alice.device.next('call.accepted', (p) => p.callId === callId);
    expect(await bobsLaptop.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'answered-elsewhere',
    });

    const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0 offer' } } as const;
    await alice.device.ok('call.signal', { callId, signal: offer });
    expect((await bob.device.next('call.signal', (p) => p.callId === callId)).signal).toEqual(offer);
    expect(bobsLaptop.all('call.signal')).toEqual([]);

    await bob.device.ok('call.hangup', { callId });
    expect(await alice.device.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'completed',
    });
    const [entry] = (await alice.device.ok('history.list', {})).entries;
    expect(entry).toMatchObject({ callId, endReason: 'completed' });
  });

  it('lets exactly one of two people calling each other at once through', async () => {
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([
        alice.device.request('call.invite', { callee: 'bob', media: 'audio' }),
        bob.device.request('call.invite', { callee: 'alice', media: 'audio' }),
      ]);
      const placed = results.filter((r) => r.ok);
      expect(placed).toHaveLength(1);
      const refused = results.find((r) => !r.ok);
      expect(refused && !refused.ok && refused.error.code).toMatch(/^E_(BUSY|IN_CALL)$/);
      const { callId } = placed[0] as { ok: true; callId: string };
      const caller = results[0]!.ok ? alice.device : bob.device;
      await caller.ok('call.cancel', { callId });
      await caller.next('call.ended', (p) => p.callId === callId);
    }
  });

  it('lets exactly one of two devices on two nodes accepting at once answer', async () => {
    const bobsLaptop = await anotherDevice(bob, one);
    for (let round = 0; round < 5; round++) {
      const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
      await Promise.all([
        bob.device.next('call.incoming', (p) => p.callId === callId),
        bobsLaptop.next('call.incoming', (p) => p.callId === callId),
      ]);
      const results = await Promise.all([
        bob.device.request('call.accept', { callId }),
        bobsLaptop.request('call.accept', { callId }),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const refused = results.find((r) => !r.ok);
      expect(refused && !refused.ok && refused.error.code).toBe('E_CALL_STATE');
      const [winner, loser] = results[0]!.ok ? [bob.device, bobsLaptop] : [bobsLaptop, bob.device];
      await alice.device.next('call.accepted', (p) => p.callId === callId);
      await loser.next('call.ended', (p) => p.callId === callId && p.reason === 'answered-elsewhere');
      await winner.ok('call.hangup', { callId });
      await alice.device.next('call.ended', (p) => p.callId === callId);
    }
    expect(alice.device.all('call.accepted')).toHaveLength(5);
  });

  it('keeps a call whose device drops on one node and comes back through the other', async () => {
    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === callId);
    await bob.device.ok('call.accept', { callId });
    await alice.device.next('call.accepted', (p) => p.callId === callId);

    bob.device.close();
    expect(await alice.device.next('call.peer', (p) => p.callId === callId)).toEqual({
      callId,
      connected: false,
    });
    // Node two armed the grace timer; node one, where the device comes back, clears it and tells Alice.
    const back = await connect(one, bob.token, bob.device.deviceId);
    expect(back.ready.calls).toMatchObject([{ callId, boundHere: true, state: 'active' }]);
    expect(await alice.device.next('call.peer', (p) => p.callId === callId)).toEqual({
      callId,
      connected: true,
    });
    const client = new Redis(redis.url);
    expect(await client.zcard('parley:timers')).toBe(0);
    await client.quit();

    await back.ok('call.hangup', { callId });
    expect(await alice.device.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'completed',
    });
  });

  it("replaces a device's connection on the other node when the device connects again here", async () => {
    // Bob's device is still connected to node two (a link node two has not yet found dead) when it
    // connects again through node one: the older connection is told and closed, whichever node has it.
    const closed = new Promise<string>((resolve) => bob.device.socket.once('disconnect', resolve));
    const again = await connect(one, bob.token, bob.device.deviceId);
    expect(await bob.device.next('session.replaced')).toEqual({});
    expect(await closed).toBe('io server disconnect');
    expect(again.all('session.replaced')).toEqual([]);

    // A second device of Bob's, on node two, replaces nothing.
    const tablet = await anotherDevice(bob, two);
    // Bob never went offline for Alice, and a call rings both his devices, on their own connections.
    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await again.next('call.incoming', (p) => p.callId === callId);
    await tablet.next('call.incoming', (p) => p.callId === callId);
    expect(again.all('session.replaced')).toEqual([]);
    const offline = alice.device
      .all('presence.changed')
      .filter((p) => p.username === 'bob' && p.presence === 'offline');
    expect(offline).toEqual([]);
  });

  it('ends a call that rings too long as missed when the node that placed it has stopped', async () => {
    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === callId);
    await one.stop({ removeData: false });
    // Only the other node is left to fire the ring timeout (2 s).
    expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'missed',
    });
    const [entry] = (await bob.device.ok('history.list', {})).entries;
    expect(entry).toMatchObject({ callId, endReason: 'missed', missed: true });
  });

  it('counts failed sign-ins on both nodes against one limit', async () => {
    const wrong = (server: TestServer) =>
      postJson(server, httpRoutes.login, { username: 'alice', password: 'not the password' });
    for (const server of [one, two, one]) expect((await wrong(server)).status).toBe(401);
    const limited = await wrong(two);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: 'E_RATE_LIMITED' } });
  });

  it("counts a user's requests from devices on both nodes against one limit", async () => {
    const other = await anotherDevice(alice, two);
    // history.list: 60 a minute per user.
    for (let i = 0; i < 30; i++) {
      await alice.device.ok('history.list', {});
      await other.ok('history.list', {});
    }
    expect(await other.fails('history.list', {})).toBe('E_RATE_LIMITED');
    expect(await alice.device.fails('history.list', {})).toBe('E_RATE_LIMITED');
  });

  it('closes the connections of a session signed out on the other node at once', async () => {
    const phone = await connect(two, alice.token);
    const res = await postJson(one, httpRoutes.logout, '', { authorization: `Bearer ${alice.token}` });
    expect(res.status).toBe(204);
    expect(await phone.next('session.revoked')).toEqual({ reason: 'signed-out' });
    expect(await alice.device.next('session.revoked')).toEqual({ reason: 'signed-out' });
  });
});
