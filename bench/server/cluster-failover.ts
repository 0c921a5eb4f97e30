/**
 * The failover phase of `npm run bench:cluster`: N clients (seeded accounts with mutual contacts,
 * `users seed`) connect through nginx to two nodes with Parley's own client (`SignalingClient`, its
 * reconnect schedule and handling of refusals, as the app has them); node one is killed (SIGKILL) and the
 * time is measured until 99% and all of its clients have their session back (`session.ready`) on the
 * other node. Offline announcements their contacts heard meanwhile are counted: a client back before the
 * survivor finds the node dead (10 s) is never offline for its contacts.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { SignalingClient } from '../../renderer/net/signaling-client.js';
import { newDeviceId } from '../../signaling/test-support/harness.js';
import type { PresenceChanged } from '../../signaling/protocol/index.js';
import type { NginxCluster } from '../../signaling/test-support/nginx-cluster.js';
import type { LogLine } from '../../signaling/test-support/node-process.js';
import { timeForShare } from './figures.js';
import { seedAccounts } from './seed-accounts.js';

/** How long after the kill the benchmark waits for the killed node's clients to be back. */
const BACK_WITHIN_MS = 60_000;
/** How long a client may take to have its first session (50 connect at a time), before the run stops. */
const READY_WITHIN_MS = 60_000;
/** How many of the clients not back have their connection's happenings printed. */
const SHOWN_NOT_BACK = 3;

export interface FailoverResult {
  clients: number;
  onKilledNode: number;
  /**
   * ms from the kill until 99% / all of the killed node's clients had their session back; null when
   * fewer were back within BACK_WITHIN_MS.
   */
  back99Ms: number | null;
  backAllMs: number | null;
  /** The killed node's clients without their session back within BACK_WITHIN_MS. */
  notBack: number;
  /** Why the reconnects after the kill failed, as the client saw it (its happening's words: count). */
  refusals: Record<string, number>;
  /** The surviving nodes' warnings and errors logged after the kill (message: count). */
  survivorTroubles: Record<string, number>;
  /** What nginx logged after the kill (its message without time, ids and addresses: count). */
  nginxTroubles: Record<string, number>;
  /** offline changes any client heard after the kill (`presence.changed`, or in a `presence.batch`). */
  offlineHeard: number;
  /**
   * Redis commands run from the kill until every client was back (or the wait ended), per client of the
   * killed node, by command (`INFO commandstats`): what a reconnect costs the cluster's shared part.
   */
  redisCommandsPerReconnect: Record<string, number>;
  /** The same for the clients' first connects, before the kill (every client, both nodes). */
  redisCommandsPerFirstConnect: Record<string, number>;
  /** For a few clients not back: their connection's happenings since the kill, one line each. */
  notBackHappenings: string[][];
}

interface Client {
  client: SignalingClient;
  deviceId: string;
  readyAt: number[];
}

export async function measureFailover(
  cluster: NginxCluster,
  clients: number,
  contacts: number,
): Promise<FailoverResult> {
  const sessions = join(cluster.dataDir, 'sessions.tsv');
  const tokens = seedAccounts({
    dataDir: cluster.dataDir,
    count: clients,
    prefix: 'fo',
    contacts,
    password: 'failover bench password',
    sessionsFile: sessions,
    quiet: true,
  }).map((account) => account.token);

  const connected: Client[] = [];
  const redis = new Redis(cluster.redis.url);
  try {
    const commandsAtStart = await commandCounts(redis);
    let offlineHeard = 0;
    let killedAt = Infinity;
    // 50 handshakes in flight at a time.
    for (let i = 0; i < tokens.length; i += 50) {
      await Promise.all(
        tokens.slice(i, i + 50).map(
          (token) =>
            new Promise<void>((resolve, reject) => {
              const entry: Client = { client: new SignalingClient(), deviceId: newDeviceId(), readyAt: [] };
              connected.push(entry);
              const late = setTimeout(() => {
                const happenings = entry.client.happenings().map((h) => h.what);
                reject(
                  new Error(`a client had no session within ${READY_WITHIN_MS} ms: ${happenings.join('; ')}`),
                );
              }, READY_WITHIN_MS);
              late.unref();
              entry.client.on('session.ready', () => {
                entry.readyAt.push(performance.now());
                clearTimeout(late);
                resolve();
              });
              const heard = ({ presence }: PresenceChanged) => {
                if (presence === 'offline' && performance.now() > killedAt) offlineHeard++;
              };
              entry.client.on('presence.changed', heard);
              entry.client.on('presence.batch', ({ changes }) => changes.forEach(heard));
              entry.client.on('status', ({ status, error }) => {
                if (status === 'disconnected' && error) reject(new Error(`${error.code}: ${error.message}`));
              });
              entry.client.connect(cluster.url, token, entry.deviceId, newDeviceId);
            }),
        ),
      );
    }
    const [killed, ...survivors] = cluster.nodes;
    const survivorMarks = survivors.map((node) => node.lines.length);
    const nginxMark = (await cluster.nginx.errors()).length;
    const onKilled = connected.filter((c) =>
      killed!.lines.some((l) => l.msg === 'device connected' && l.deviceId === c.deviceId),
    );
    const commandsBefore = await commandCounts(redis);
    const killedAtWall = Date.now();
    killedAt = performance.now();
    await killed!.kill();
    const backTimes = await Promise.all(onKilled.map((c) => backAfter(c, killedAt)));
    const commandsAfter = await commandCounts(redis);
    // When p% of the killed node's clients (not of those back) were back.
    const share = (p: number): number | null => {
      const ms = timeForShare(
        backTimes.map((t) => t ?? NaN),
        onKilled.length,
        p,
      );
      return Number.isNaN(ms) ? null : ms;
    };
    const since = (c: Client) => c.client.happenings().filter((h) => h.at >= killedAtWall);
    const notBack = onKilled.filter((_, i) => backTimes[i] === null);
    return {
      clients,
      onKilledNode: onKilled.length,
      back99Ms: share(99),
      backAllMs: share(100),
      notBack: notBack.length,
      refusals: countFailures(onKilled.flatMap((c) => since(c).map((h) => h.what))),
      survivorTroubles: troubles(survivors.flatMap((node, i) => node.lines.slice(survivorMarks[i]))),
      nginxTroubles: nginxTroubles((await cluster.nginx.errors()).slice(nginxMark)),
      offlineHeard,
      redisCommandsPerReconnect: perClient(commandsBefore, commandsAfter, onKilled.length),
      redisCommandsPerFirstConnect: perClient(commandsAtStart, commandsBefore, clients),
      notBackHappenings: notBack
        .slice(0, SHOWN_NOT_BACK)
        .map((c) => since(c).map(({ at, what }) => `+${((at - killedAtWall) / 1000).toFixed(1)} s ${what}`)),
    };
  } finally {
    for (const c of connected) c.client.disconnect();
    redis.disconnect();
  }
}

/** ms from the kill until the client's next `session.ready`, or null if none came within BACK_WITHIN_MS. */
function backAfter(c: Client, killedAt: number): Promise<number | null> {
  return new Promise((resolve) => {
    const giveUp = setTimeout(() => {
      off();
      resolve(null);
    }, BACK_WITHIN_MS);
    const check = (): boolean => {
      const again = c.readyAt.find((t) => t > killedAt);
      if (again === undefined) return false;
      clearTimeout(giveUp);
      off();
      resolve(again - killedAt);
      return true;
    };
    // Its own handler records readyAt first: it was registered before this one.
    const off = c.client.on('session.ready', () => void check());
    check();
  });
}

/** Calls of each command so far (`INFO commandstats`, `cmdstat_spublish:calls=20,...`). */
async function commandCounts(redis: Redis): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const [, command, calls] of (await redis.info('commandstats')).matchAll(
    /^cmdstat_([^:]+):calls=(\d+)/gm,
  ))
    counts.set(command!, Number(calls));
  return counts;
}

/** The commands run between two `commandCounts`, per client, those run at all. */
function perClient(
  before: Map<string, number>,
  after: Map<string, number>,
  clients: number,
): Record<string, number> {
  const ran = [...after].map(
    ([command, n]) => [command, (n - (before.get(command) ?? 0)) / clients] as const,
  );
  return Object.fromEntries(ran.filter(([, perClient]) => perClient > 0));
}

/** The failed attempts among happenings, by their words ("attempt failed: websocket error"): count. */
function countFailures(happenings: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const what of happenings) {
    if (!what.startsWith('attempt') && !what.startsWith('stopped')) continue;
    counts[what] = (counts[what] ?? 0) + 1;
  }
  return counts;
}

/** Warnings and errors (pino levels 40 and up) by message, with the error's own message when there is one. */
function troubles(lines: readonly LogLine[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    if (typeof line.level !== 'number' || line.level < 40) continue;
    const err = line.err as { message?: string } | undefined;
    const what = err?.message ? `${line.msg}: ${err.message}` : String(line.msg);
    counts[what] = (counts[what] ?? 0) + 1;
  }
  return counts;
}

/**
 * nginx's error log lines by what they say: the time, process ids, connection number and addresses taken
 * out ("2026/12/02 16:38:25 [error] 17800#17800: *52 upstream timed out ... client: 127.0.0.1, ...").
 */
function nginxTroubles(lines: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    const what = line
      .replace(/^\S+ \S+ /, '')
      .replace(/ \d+#\d+: (\*\d+ )?/, ' ')
      .replace(/, client: .*$/, '');
    counts[what] = (counts[what] ?? 0) + 1;
  }
  return counts;
}
