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
import { percentile } from './figures.js';
import { seedAccounts } from './seed-accounts.js';

export interface FailoverResult {
  clients: number;
  onKilledNode: number;
  /** ms from the kill until 99% / all of the killed node's clients had their session back. */
  back99Ms: number;
  backAllMs: number;
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
          }),
      ),
    );
  }
  const [killed] = cluster.nodes;
  const onKilled = sockets.filter((s) =>
    killed!.lines.some((l) => l.msg === 'device connected' && l.deviceId === s.deviceId),
  );
  killedAt = performance.now();
  await killed!.kill();
  const backTimes = await Promise.all(
    onKilled.map(
      (s) =>
        new Promise<number>((resolve) => {
          const check = (): void => {
            const again = s.readyAt.find((t) => t > killedAt);
            if (again !== undefined) resolve(again - killedAt);
            else s.socket.once('session.ready', () => setImmediate(check));
          };
          check();
        }),
    ),
  );
  for (const s of sockets) s.socket.disconnect();
  return {
    clients,
    onKilledNode: onKilled.length,
    back99Ms: percentile(backTimes, 99),
    backAllMs: percentile(backTimes, 100),
    offlineHeard,
  };
}
