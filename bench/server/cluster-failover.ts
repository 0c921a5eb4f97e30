/**
 * The failover phase of `npm run bench:cluster`: N clients (seeded accounts with mutual contacts,
 * `users seed`) connect through nginx to two nodes with socket.io-client's own reconnection; node one is
 * killed (SIGKILL) and the time is measured until 99% and all of its clients have their session back
 * (`session.ready`) on the other node. Offline announcements their contacts heard meanwhile are counted:
 * a client back before the survivor finds the node dead (10 s) is never offline for its contacts.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { newDeviceId } from '../../signaling/test-support/harness.js';
import type { NginxCluster } from '../../signaling/test-support/nginx-cluster.js';
import type { LogLine } from '../../signaling/test-support/node-process.js';
import { seedAccounts } from './seed-accounts.js';

/** How long after the kill the benchmark waits for the killed node's clients to be back. */
const BACK_WITHIN_MS = 60_000;

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
  /** Why the reconnects after the kill failed, as the server or the client said (code or message: count). */
  refusals: Record<string, number>;
  /** The surviving nodes' warnings and errors logged after the kill (message: count). */
  survivorTroubles: Record<string, number>;
  /** presence.changed → offline events any client heard after the kill. */
  offlineHeard: number;
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

  const sockets: { socket: Socket; deviceId: string; readyAt: number[] }[] = [];
  let offlineHeard = 0;
  let killedAt = Infinity;
  const refusals: Record<string, number> = {};
  // 50 handshakes in flight at a time.
  for (let i = 0; i < tokens.length; i += 50) {
    await Promise.all(
      tokens.slice(i, i + 50).map(
        (token) =>
          new Promise<void>((resolve, reject) => {
            const deviceId = newDeviceId();
            const socket = io(cluster.url, {
              transports: ['websocket'],
              auth: { token, deviceId },
              forceNew: true,
              reconnectionDelay: 250,
              reconnectionDelayMax: 2_000,
            });
            const entry = { socket, deviceId, readyAt: [] as number[] };
            sockets.push(entry);
            socket.on('session.ready', () => {
              entry.readyAt.push(performance.now());
              resolve();
            });
            socket.on('presence.changed', (p: { presence: string }) => {
              if (p.presence === 'offline' && performance.now() > killedAt) offlineHeard++;
            });
            socket.once('connect_error', reject);
            socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
              if (performance.now() < killedAt) return;
              const why = err.data?.code ?? err.message;
              refusals[why] = (refusals[why] ?? 0) + 1;
            });
          }),
      ),
    );
  }
  const [killed, ...survivors] = cluster.nodes;
  const survivorMarks = survivors.map((node) => node.lines.length);
  const onKilled = sockets.filter((s) =>
    killed!.lines.some((l) => l.msg === 'device connected' && l.deviceId === s.deviceId),
  );
  killedAt = performance.now();
  await killed!.kill();
  // A client the server refused (a middleware error) is not retried by socket.io-client: it never comes
  // back, so the wait is bounded and the refusals are counted.
  const backTimes = (
    await Promise.all(
      onKilled.map(
        (s) =>
          new Promise<number | null>((resolve) => {
            const giveUp = setTimeout(() => resolve(null), BACK_WITHIN_MS);
            const check = (): void => {
              const again = s.readyAt.find((t) => t > killedAt);
              if (again === undefined) return void s.socket.once('session.ready', () => setImmediate(check));
              clearTimeout(giveUp);
              resolve(again - killedAt);
            };
            check();
          }),
      ),
    )
  ).filter((ms): ms is number => ms !== null);
  // When p% of the killed node's clients (not of those back) were back.
  const sorted = backTimes.sort((a, b) => a - b);
  const share = (p: number): number | null => sorted[Math.ceil((onKilled.length * p) / 100) - 1] ?? null;
  for (const s of sockets) s.socket.disconnect();
  return {
    clients,
    onKilledNode: onKilled.length,
    back99Ms: share(99),
    backAllMs: share(100),
    notBack: onKilled.length - backTimes.length,
    refusals,
    survivorTroubles: troubles(survivors.flatMap((node, i) => node.lines.slice(survivorMarks[i]))),
    offlineHeard,
  };
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
