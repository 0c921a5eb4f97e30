/**
 * A signaling server of a scenario's own, as a real process (`signaling/cli.ts`, as `npm run server`
 * runs it) on the bridge, which the scenario can stop with SIGTERM (a deploy's graceful stop) and start
 * again on the same address, port and data directory. `withOwnServer` starts one for a scenario and
 * points its people at it instead of the suite's server; its database is readable while it runs
 * (`calls()`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../../../signaling/db/database.js';
import { serverProcessArgs } from '../../../signaling/test-support/server-command.js';
import { UNREPORTED_ENDS_KEY } from '../../../renderer/call/end-reports.js';
import { E2E_URL_ENV, ringTimeoutS } from '../../support/environment.js';
import type { NetEnvironment } from './environment.js';
import type { NetPerson } from './fixtures.js';
import { bridgeMac, ipIn, sh } from './netbed.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WEB_DIR = join(ROOT, 'dist', 'renderer');
/** Starting the server (tsx compiles it first) took 1 to 4 s here on a loaded 2-core machine. */
const START_TIMEOUT_MS = 30_000;
/** A graceful stop takes at most about 2 s (its flush wait); the rest is margin for a loaded machine. */
const STOP_TIMEOUT_MS = 15_000;

/** A row of the calls table, as the history has it. */
export interface CallRow {
  id: string;
  answered_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
}

async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, host, resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export class ServerProcess {
  private child: ChildProcess | null = null;
  /** What the current process printed (its start waits on it). */
  private output = '';
  /** What every process of this server printed, in order: printed when a scenario fails. */
  private logs = '';
  /** Held by `pause` (SIGSTOP) until `resume`. */
  private paused = false;

  private constructor(
    readonly url: string,
    readonly dataDir: string,
    private readonly args: string[],
  ) {}

  /** Starts a server on the bridge with its own data directory and the given grace period. */
  static async start(
    env: NetEnvironment,
    { gracePeriodS }: { gracePeriodS: number },
  ): Promise<ServerProcess> {
    const port = await freePort(env.gateway);
    const dataDir = mkdtempSync(join(env.dir, 'server-'));
    const args = [
      ...['--host', env.gateway, '--port', String(port), '--data-dir', dataDir, '--web-dir', WEB_DIR],
      ...['--grace-period', String(gracePeriodS), '--ring-timeout', String(ringTimeoutS())],
      ...['--registrations-per-hour', '100000', '--invites-per-minute', '1000', '--relay-per-10s', '10000'],
      ...['--log-level', 'debug'],
    ];
    const server = new ServerProcess(`http://${env.gateway}:${port}`, dataDir, args);
    await server.start();
    return server;
  }

  /** Starts the process and resolves once it listens. */
  async start(): Promise<void> {
    if (this.child) throw new Error('the server is already running');
    const child = spawn(process.execPath, serverProcessArgs(this.args), {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not listen within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`signaling server ${why}:\n${this.output.slice(-2_000)}`));
      };
      const read = (chunk: Buffer) => {
        this.output += chunk.toString();
        this.logs += chunk.toString();
        if (this.output.includes('"msg":"signaling server listening"')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code) => fail(`exited with ${code}`));
    });
  }

  /**
   * Holds the process (SIGSTOP) as a long synchronous task or a machine out of CPU would: its connections
   * stay open and what arrives waits in the kernel, unanswered, until `resume`.
   */
  pause(): void {
    if (!this.child || this.paused) throw new Error('the server is not running');
    this.child.kill('SIGSTOP');
    this.paused = true;
  }

  /** Lets a held process run again (SIGCONT): it takes what waited meanwhile. */
  resume(): void {
    if (!this.child || !this.paused) throw new Error('the server is not held');
    this.child.kill('SIGCONT');
    this.paused = false;
  }

  /** Stops the process as a deploy does (SIGTERM: a graceful shutdown) and waits until it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (this.paused) this.resume(); // a held process would take the SIGTERM only when let go
    this.child = null;
    if (child.exitCode !== null) return;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`signaling server stopped with ${code}:\n${this.output.slice(-2_000)}`);
  }

  /** The log lines of every run of this server so far (JSON, one per line). */
  log(): string {
    return this.logs;
  }

  /** The log lines so far whose message is `msg`, parsed (a line still arriving is left for later). */
  logged(msg: string): Record<string, unknown>[] {
    return this.logs
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === msg);
  }

  /** The calls table (the history), read from the database beside the running server. */
  calls(): CallRow[] {
    const db = new Database(join(this.dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare<[], CallRow>('SELECT id, answered_at, ended_at, end_reason FROM calls ORDER BY created_at')
        .all();
    } finally {
      db.close();
    }
  }

  /** Stops it if it runs and removes its data. */
  async close(): Promise<void> {
    await this.stop().catch((err: unknown) => console.error(err));
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** What `me`'s call with `other` says while the signaling server cannot be reached. */
export const serverUnreachable = (me: NetPerson, other: NetPerson) =>
  me.callWith(other).getByText("Can't reach the Parley server", { exact: false });

/**
 * Runs `scenario` with a server process of its own (`options`) and Alice and Bob on it. If it fails, what
 * happened to each person's connection and the server's whole log (written until it stopped) are printed;
 * the server is stopped and its data removed either way.
 */
export async function withOwnServer(
  net: { env: NetEnvironment; pair(): Promise<[NetPerson, NetPerson]> },
  name: string,
  options: { gracePeriodS: number },
  scenario: (server: ServerProcess, alice: NetPerson, bob: NetPerson) => Promise<void>,
): Promise<void> {
  const server = await ServerProcess.start(net.env, options);
  const restore = useServer(server.url);
  const people: NetPerson[] = [];
  const startedAt = Date.now();
  try {
    const [alice, bob] = await net.pair();
    people.push(alice, bob);
    await scenario(server, alice, bob);
  } catch (err) {
    await printWhatHappened(net.env, name, server, people, startedAt);
    throw err;
  } finally {
    restore();
    await server.close();
  }
}

/** Points the people made from now on at `url`; the returned function points them back. */
function useServer(url: string): () => void {
  const before = process.env[E2E_URL_ENV];
  process.env[E2E_URL_ENV] = url;
  return () => {
    process.env[E2E_URL_ENV] = before;
  };
}

/**
 * For a scenario that failed: prints, for each person, the call ends their app still has to report,
 * what happened to their signaling connection (timed from `since`, Date.now()), read while the server
 * still runs, and the MAC address their namespace sends the server's packets to, beside the bridge's;
 * then stops the server and prints its log, which then holds whatever it logged late (a
 * request answered after a hold-up, its shutdown: how many connections it could still tell).
 */
async function printWhatHappened(
  env: NetEnvironment,
  scenario: string,
  server: ServerProcess,
  people: readonly NetPerson[],
  since: number,
): Promise<void> {
  for (const person of people) {
    const kept = await person.page.evaluate((key) => localStorage.getItem(key), UNREPORTED_ENDS_KEY);
    console.log(`[network] ${scenario}: ${person.displayName}'s unreported call ends: ${kept}`);
    const happenings = await person.connectionHappenings(since);
    console.log(`[network] ${scenario}: ${person.displayName}'s connection:\n${happenings}`);
    // The MAC they send the server's packets to, beside the bridge's below: they must be the same.
    const neighbour = await ipIn(person.host.ns, 'neigh', 'show', env.gateway).catch(String);
    console.log(`[network] ${scenario}: ${person.displayName}'s neighbour entry: ${neighbour.trim()}`);
  }
  const bridge = await sh('ip', '-br', 'link', 'show', 'master', env.bridge).catch(String);
  console.log(`[network] ${scenario}: the bridge is ${bridgeMac(env)}, its ports:\n${bridge.trim()}`);
  await server.stop().catch((err: unknown) => console.error(err));
  console.log(`[network] ${scenario}: the server's log, until it stopped\n${server.log()}`);
}
