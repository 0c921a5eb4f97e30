/**
 * A real PostgreSQL 15 for tests (Debian's, in /usr/lib/postgresql/15/bin): `initdb` in a temporary
 * folder and its own `postgres` process on a free loopback port, run as an unprivileged user (PostgreSQL
 * refuses to run as root), with durability off (fsync) since nothing outlives the test. Each test gets a
 * database of its own (`freshDatabase`). Stopped, and its folder removed, by the test (`stop`), also when
 * the test failed; `shutDown` and `startAgain` stop and start it on the same port and data, for outage
 * tests. Tests that
 * need it skip, saying why, where the binaries are missing (`apt-get install postgresql`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

const BIN = '/usr/lib/postgresql/15/bin';
/** The user the server runs as when the tests run as root: PostgreSQL's own, else nobody. */
const RUN_AS = ['postgres', 'nobody'];
const SUPERUSER = 'parley';

export interface TestPostgres {
  /** `postgres://parley@127.0.0.1:<port>/postgres`, the server's maintenance database. */
  url: string;
  port: number;
  /** A new empty database (a schema of its own); resolves with its URL. */
  freshDatabase(): Promise<string>;
  /** Stops the server as an operator would (fast shutdown: connections are cut). */
  shutDown(): Promise<void>;
  /** Starts it again after `shutDown`, on the same port with the same data. */
  startAgain(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailable(): string | null {
  if (!existsSync(join(BIN, 'initdb')) || !existsSync(join(BIN, 'postgres')))
    return `PostgreSQL 15 is not installed (${BIN}; apt-get install postgresql)`;
  if (process.getuid?.() === 0 && !runAs()) return `no user of ${RUN_AS.join(' or ')} to run PostgreSQL as`;
  return null;
}

/** uid and gid of the unprivileged user to run as (only needed as root). */
function runAs(): { uid: number; gid: number } | undefined {
  for (const name of RUN_AS) {
    const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
    const uid = id('-u');
    if (Number.isInteger(uid) && uid > 0) return { uid, gid: id('-g') };
  }
  return undefined;
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-postgres-'));
  const user = process.getuid?.() === 0 ? runAs() : undefined;
  if (user) await chown(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  try {
    const init = await run(
      spawn(
        join(BIN, 'initdb'),
        [
          '-D',
          data,
          '-U',
          SUPERUSER,
          '--auth=trust',
          '--no-locale',
          '-E',
          'UTF8',
          '--no-sync',
          '--no-instructions',
        ],
        { ...user, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    if (init !== 0) throw new Error(`initdb failed: ${init}`);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  let server: ChildProcess | undefined;
  let port = 0;
  const launch = async (): Promise<true | string> => {
    server = spawn(
      join(BIN, 'postgres'),
      [
        '-D',
        data,
        '-k',
        dir,
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
      ],
      { ...user, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return readyOrExit(server);
  };
  const halt = async (signal: NodeJS.Signals) => {
    const running = server;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };

  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const ready = await launch();
    if (ready === true) break;
    if (attempt === 3) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`postgres did not start: ${ready}`);
    }
  }
  const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    url,
    port,
    async freshDatabase() {
      // A schema, not a database: as empty to the server, and made in a millisecond (CREATE DATABASE
      // copies a template, a second or more here).
      const name = `test_${++databases}`;
      const client = new pg.Client(url);
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${name}`);
      } finally {
        await client.end();
      }
      return `${url}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
    },
    shutDown: () => halt('SIGINT'),
    async startAgain() {
      const ready = await launch();
      if (ready !== true) throw new Error(`postgres did not start again: ${ready}`);
    },
    async stop() {
      // Immediate shutdown: nothing to keep, and it still cleans up its shared memory.
      await halt('SIGQUIT');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the exit code, or what it said if it failed. */
function run(child: ChildProcess): Promise<0 | string> {
  return new Promise((resolve) => {
    let said = '';
    child.stdout!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    child.once('error', (err) => resolve(err.message));
    child.once('exit', (code) =>
      resolve(code === 0 ? 0 : `exit ${code}: ${said.trim().split('\n').slice(-3).join(' | ')}`),
    );
  });
}

/** True once the server accepts connections; what it said if it exits first. */
function readyOrExit(server: ChildProcess): Promise<true | string> {
  return new Promise((resolve) => {
    let said = '';
    const hear = (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('database system is ready to accept connections')) resolve(true);
    };
    server.stdout!.on('data', hear);
    server.stderr!.on('data', hear);
    server.once('exit', (code) => resolve(`exit ${code}: ${said.trim().split('\n').slice(-3).join(' | ')}`));
  });
}
