/**
 * Redis restarts under two nodes (in this process, one SQLite file): the nodes reconnect by themselves.
 * A Redis that keeps an append-only file (`appendonly yes`) and is restarted as a service is (SIGTERM)
 * comes back with everything: presence, the call that was ringing, its ring timer, calls answered
 * across nodes afterwards, relay, hang-up and history. One that comes back empty has forgotten who is
 * connected and the live calls: the nodes notice (state-epoch.ts), make their devices connect again and
 * close the forgotten calls as interrupted, after which presence and calls are right again. One out of
 * reach for longer than a node may stay silent (10 s) does not make the nodes take each other for dead;
 * meanwhile requests fail with E_UNAVAILABLE.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RECONNECT_MAX_MS, redisKeys } from './db/redis.js';
import { DEFAULT_LIVENESS_TIMINGS } from './realtime/liveness.js';
import {
  befriend,
  connect,
  person,
  startTestServer,
  type Person,
  type TestServer,
} from './test-support/harness.js';
import { redisUnavailable, startRedis, type TestRedis } from './test-support/redis-server.js';

const unavailable = redisUnavailable();
if (unavailable) console.warn(`skipping the Redis restart tests: ${unavailable}`);

const RING_TIMEOUT_S = 3;
const { beatMs, deadAfterMs } = DEFAULT_LIVENESS_TIMINGS;
/**
 * How soon after Redis is back every node's connections are: at most one back-off step (RECONNECT_MAX_MS
 * plus 0.1 s of jitter), then a connection, its handshake and the subscriptions again. Measured: 0.4 to
 * 0.9 s on a loaded machine (load average near 30 on 2 cores); with ioredis's own back-off (up to
 * 5.2 s) a connection came back 4 to 5 s late in most runs.
 */
const REJOIN_MS = RECONNECT_MAX_MS + 1_500;

/** The nodes' Redis connections, as `name ssub=<shard channels subscribed>`, sorted. */
async function connectionsOf(redis: TestRedis, client?: Redis): Promise<string[]> {
  const own = client ?? new Redis(redis.url);
  try {
    const list = String(await own.call('CLIENT', 'LIST'));
    return list
      .split('\n')
      .map((line) => /name=(parley-\S+) .* ssub=(\d+)/.exec(line))
      .flatMap((m) => (m ? [`${m[1]} ssub=${m[2]}`] : []))
      .sort();
  } finally {
    if (!client) await own.quit();
  }
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A Redis, two nodes on it, Alice on one and Bob on two, contacts. */
async function cluster(
  persist: boolean,
): Promise<{ redis: TestRedis; one: TestServer; two: TestServer; alice: Person; bob: Person }> {
  const redis = await startRedis({ persist });
  cleanup.push(() => redis.stop());
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-redis-restart-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = { redisUrl: redis.url, dataDir, ringTimeout: RING_TIMEOUT_S };
  const one = await startTestServer(config);
  cleanup.push(() => one.stop({ removeData: false }));
  const two = await startTestServer(config);
  cleanup.push(() => two.stop({ removeData: false }));
  const alice = await person(one, 'alice');
  const bob = await person(two, 'bob');
  await befriend(alice, bob);
  return { redis, one, two, alice, bob };
}

describe.skipIf(unavailable)('Redis restarts', () => {
  it('with its append-only file, it comes back with everything: the ringing call times out, calls work across nodes', async () => {
    const { redis, alice, bob } = await cluster(true);
    const { callId: ringing } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === ringing);

    await redis.restart();

    const missed = { callId: ringing, reason: 'missed' };
    expect(await bob.device.next('call.ended', (p) => p.callId === ringing)).toEqual(missed);
    expect(await alice.device.next('call.ended', (p) => p.callId === ringing)).toEqual(missed);

    const { callId } = await bob.device.ok('call.invite', { callee: 'alice', media: 'audio' });
    await alice.device.next('call.incoming', (p) => p.callId === callId);
    await alice.device.ok('call.accept', { callId });
    await bob.device.next('call.accepted', (p) => p.callId === callId);
    const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0 offer' } } as const;
    await bob.device.ok('call.signal', { callId, signal: offer });
    expect((await alice.device.next('call.signal', (p) => p.callId === callId)).signal).toEqual(offer);
    await alice.device.ok('call.hangup', { callId });
    expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'completed',
    });
    const entries = (await alice.device.ok('history.list', {})).entries;
    expect(entries.map((e) => [e.callId, e.endReason])).toEqual([
      [callId, 'completed'],
      [ringing, 'missed'],
    ]);

    bob.device.close();
    await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'offline');
  });

  it('empty, it has forgotten live calls: the nodes make their devices connect again and close those calls as interrupted', async () => {
    const { redis, one, two, alice, bob } = await cluster(false);
    const { callId: ringing } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === ringing);
    const dropped = [alice, bob].map(
      (p) => new Promise((resolve) => p.device.socket.once('disconnect', resolve)),
    );

    await redis.restart();

    // Each node finds Redis without its state and closes its connections, which the client takes
    // as "connect again".
    expect(await Promise.all(dropped)).toEqual(['io server disconnect', 'io server disconnect']);
    const aliceBack = await connect(one, alice.token, alice.device.deviceId);
    const bobBack = await connect(two, bob.token, bob.device.deviceId);
    expect(aliceBack.ready.calls).toEqual([]);
    expect(bobBack.ready.calls).toEqual([]);
    const interrupted = { callId: ringing, endReason: 'interrupted' };
    expect((await aliceBack.ok('history.list', {})).entries).toMatchObject([interrupted]);
    expect((await bobBack.ok('history.list', {})).entries).toMatchObject([interrupted]);

    // Registered again: present for each other, and calls ring across the nodes.
    await aliceBack.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'online');
    const { callId } = await aliceBack.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bobBack.next('call.incoming', (p) => p.callId === callId);
    await aliceBack.ok('call.cancel', { callId });
    expect(await bobBack.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'cancelled',
    });
  });

  it('out of reach for longer than a node may stay silent: when it is back, no node takes the other for dead', async () => {
    const { redis, alice, bob } = await cluster(true);
    const before = await connectionsOf(redis);
    // Meanwhile a request fails saying that the server cannot reach its storage (not E_INTERNAL, not a
    // hang: ioredis gives a command up after a few attempts to reconnect, db/redis.ts).
    let duringOutage: string | undefined;
    await redis.restart({
      downMs: deadAfterMs + 2_000,
      whileDown: async () => {
        duringOutage = await alice.device.fails('call.invite', { callee: 'bob', media: 'audio' });
      },
    });
    const backAt = Date.now();
    expect(duringOutage).toBe('E_UNAVAILABLE');

    // Every node's connections (commands, publish, subscribe) are back, subscribed as before, within a
    // back-off step of Redis (db/redis.ts): a subscriber still waiting would miss the pushes to its
    // node's devices (the invite below would not ring Bob).
    const client = new Redis(redis.url);
    cleanup.push(() => client.quit().then(() => undefined));
    await vi.waitFor(async () => expect(await connectionsOf(redis, client)).toEqual(before), {
      timeout: backAt + 10_000 - Date.now(),
      interval: 50,
    });
    const rejoinedAfterMs = Date.now() - backAt;
    expect(rejoinedAfterMs).toBeLessThan(REJOIN_MS);

    // Every node's last beat is now older than deadAfterMs. Wait until each node has beaten twice since
    // (beats never overlap, so its first beat after the outage, where it would judge the other, is over).
    const beatenSince = (since: number): Promise<number> =>
      vi.waitFor(
        async () => {
          const scores = (await client.zrangebyscore(redisKeys().nodes, since, '+inf', 'WITHSCORES'))
            .filter((_, i) => i % 2 === 1)
            .map(Number);
          expect(scores).toHaveLength(2);
          return Math.max(...scores);
        },
        { timeout: 4 * beatMs + 5_000, interval: 100 },
      );
    await beatenSince((await beatenSince(backAt)) + 1);

    // Nobody was let go: both still online for each other, and a call rings across the nodes.
    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === callId);
    const offline = (d: Person['device'], who: string) =>
      d.all('presence.changed').filter((p) => p.username === who && p.presence === 'offline');
    expect(offline(alice.device, 'bob')).toEqual([]);
    expect(offline(bob.device, 'alice')).toEqual([]);
  }, 60_000);
});
