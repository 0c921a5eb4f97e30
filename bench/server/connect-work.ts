/**
 * `npm run bench:connect-work` (bench/README.md): what one connect costs the server in SQLite
 * statements and socket events, which load on the machine does not change. Seeds N accounts with 50
 * mutual contacts (as `users seed` does), starts a server in this process with its metrics on, connects
 * every client once (cold caches), disconnects them all, connects them again (a reconnect storm), then
 * does so once more against a new server on the same data folder (a restart's storm), and prints, per connect, the statements run (from `parley_db_statement_duration_seconds_count`, by verb
 * and table), the events the clients received, and the CPU the process spent (the clients' share is the
 * same for every server version, so it compares versions, not servers).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { Accounts } from '../../signaling/accounts/accounts.js';
import { loadConfig } from '../../signaling/config.js';
import { openDatabase } from '../../signaling/db/database.js';
import { createLogger } from '../../signaling/log.js';
import { seedAccounts } from '../../signaling/seed.js';
import { startServer } from '../../signaling/server.js';

const CLIENTS = Number(process.env.PARLEY_BENCH_CLIENTS ?? 200);
const CONTACTS = 50;
const IN_FLIGHT = 50;

const dataDir = mkdtempSync(join(tmpdir(), 'parley-connect-work-'));
const sessionsFile = join(dataDir, 'sessions.tsv');
const seedDb = await openDatabase({ dataDir });
const accounts = new Accounts(seedDb, {
  openRegistration: false,
  loginThrottle: { perAccountAddress: 5, perAddress: 50, windowSeconds: 60 },
});
await seedAccounts(seedDb, accounts.sessions, {
  prefix: 'seed',
  count: CLIENTS,
  contacts: CONTACTS,
  password: 'bench password',
  sessionsFile,
});
await seedDb.close();
const tokens = readFileSync(sessionsFile, 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split('\t')[1]!);

const start = () =>
  startServer(
    {
      ...loadConfig([], {}),
      host: '127.0.0.1',
      port: 0,
      dataDir,
      logLevel: 'silent',
      metricsListen: { host: '127.0.0.1', port: 0 },
    },
    createLogger('silent'),
  );
let server = await start();

let events = 0;
const connectOne = (token: string, deviceId: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connectSocket(server.url, {
      transports: ['websocket'],
      auth: { token, deviceId },
      reconnection: false,
      forceNew: true,
    });
    socket.onAny(() => events++);
    socket.once('session.ready', () => resolve(socket));
    socket.once('connect_error', reject);
  });

async function connectAll(): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < tokens.length; i += IN_FLIGHT) {
    const batch = tokens.slice(i, i + IN_FLIGHT);
    sockets.push(...(await Promise.all(batch.map((token, j) => connectOne(token, `bench-device-${i + j}`)))));
  }
  return sockets;
}

/** Statements run so far, by name. */
async function statements(): Promise<Map<string, number>> {
  const text = await (await fetch(server.metricsUrl!)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^parley_db_statement_duration_seconds_count\{statement="([^"]+)"\} (\d+)/.exec(line);
    if (m) counts.set(m[1]!, Number(m[2]));
  }
  return counts;
}

async function measure(label: string): Promise<Socket[]> {
  const [before, eventsBefore, cpuBefore] = [await statements(), events, process.cpuUsage()];
  const sockets = await connectAll();
  const cpu = process.cpuUsage(cpuBefore);
  const after = await statements();
  const perConnect: string[] = [];
  let total = 0;
  for (const [name, n] of after) {
    const ran = n - (before.get(name) ?? 0);
    total += ran;
    if (ran > 0) perConnect.push(`${name} ${(ran / CLIENTS).toFixed(2)}`);
  }
  console.log(
    `${label}: ${(total / CLIENTS).toFixed(2)} statements per connect (${perConnect.join(', ')}); ` +
      `${((events - eventsBefore) / CLIENTS).toFixed(2)} events received per connect; ` +
      `${((cpu.user + cpu.system) / 1000 / CLIENTS).toFixed(2)} ms of CPU per connect (server and client together)`,
  );
  return sockets;
}

/** Resolves once the server has handled every disconnect (no device left connected). */
async function disconnectAll(sockets: Socket[]): Promise<void> {
  for (const socket of sockets) socket.disconnect();
  while (server.io.sockets.sockets.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
}

console.log(`${CLIENTS} clients, ${CONTACTS} mutual contacts each, connected ${IN_FLIGHT} at a time`);
await disconnectAll(await measure('first connect'));
await disconnectAll(await measure('reconnect'));
// A new server on the same data folder: what a deploy's reconnect storm costs each connect.
await server.close();
server = await start();
await disconnectAll(await measure('after a restart'));
await server.close();
rmSync(dataDir, { recursive: true, force: true });
