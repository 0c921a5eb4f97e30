/**
 * A node dies (kill -9) with a device in a live call on it: the other node notices the missing heartbeat,
 * lets the device go (presence offline, the peer told the device dropped), and after the grace period
 * the call ends as connection-lost, in history too. The dying node is a separate process (`cli.ts`),
 * sharing one redis-server and, until PostgreSQL, one SQLite file with the node in this process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_LIVENESS_TIMINGS } from './realtime/liveness.js';
import { freePort } from './test-support/free-port.js';
import { befriend, person, startTestServer, type TestServer } from './test-support/harness.js';
import { startNodeProcess } from './test-support/node-process.js';
import { redisUnavailable, startRedis, type TestRedis } from './test-support/redis-server.js';

const unavailable = redisUnavailable();
if (unavailable) console.warn(`skipping the node failover test: ${unavailable}`);

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it.skipIf(unavailable)(
  'lets the devices of a killed node go: presence offline, the call ends as connection-lost after its grace',
  async () => {
    const redis: TestRedis = await startRedis();
    cleanup.push(() => redis.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-failover-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const one: TestServer = await startTestServer({ redisUrl: redis.url, dataDir, gracePeriod: 1 });
    cleanup.push(() => one.stop({ removeData: false }));
    const two = await startNodeProcess(await freePort(), [
      ...['--data-dir', dataDir, '--redis-url', redis.url, '--grace-period', '1'],
    ]);
    cleanup.push(() => two.kill());

    const alice = await person(one, 'alice');
    const bob = await person({ url: two.url }, 'bob');
    await befriend(alice, bob);
    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === callId);
    await bob.device.ok('call.accept', { callId });
    await alice.device.next('call.accepted', (p) => p.callId === callId);

    const killedAt = Date.now();
    await two.kill();
    // Found dead after at most deadAfterMs + beatMs; then the grace period (1 s) runs.
    const { beatMs, deadAfterMs } = DEFAULT_LIVENESS_TIMINGS;
    const within = deadAfterMs + 2 * beatMs + 1_000;
    await alice.device.next('call.peer', (p) => p.callId === callId && !p.connected, within);
    await alice.device.next(
      'presence.changed',
      (p) => p.username === 'bob' && p.presence === 'offline',
      within,
    );
    expect(await alice.device.next('call.ended', (p) => p.callId === callId, within)).toEqual({
      callId,
      reason: 'connection-lost',
    });
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(deadAfterMs - beatMs);
    const [entry] = (await alice.device.ok('history.list', {})).entries;
    expect(entry).toMatchObject({ callId, endReason: 'connection-lost' });
  },
  60_000,
);
