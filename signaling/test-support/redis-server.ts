/**
 * A real redis-server for tests: its own process on a free loopback port, with its files in a temporary
 * folder and nothing saved to disk, stopped by the test. Tests that need it skip, saying why, where
 * redis-server is missing (`apt-get install redis-server`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { redisKeys, type RedisKeys } from '../db/redis.js';
import { freePort } from './free-port.js';

export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Empties it (every key of every database). */
  flushAll(): Promise<void>;
  /**
   * Stops the server and starts it again on the same port: as `systemctl restart` does (SIGTERM, which
   * writes the append-only file out) when started with `persist`, and then it comes back with its keys;
   * without, it comes back empty. `downMs`: how long it stays down in between (an outage); `whileDown`:
   * what to do once it has stopped (it starts again when both that and `downMs` are over).
   */
  restart(options?: { downMs?: number; whileDown?: () => Promise<void> }): Promise<void>;
  /** Stops the server (SIGKILL: nothing to save) and removes its folder. */
  stop(): Promise<void>;
}

/** Why Redis tests cannot run here, or null when they can. */
export function redisUnavailable(): string | null {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return found.error || found.status !== 0
    ? 'redis-server is not installed (apt-get install redis-server)'
    : null;
}

/**
 * Starts a server; a port taken between choosing it and binding it is chosen again. With `persist`, it
 * keeps an append-only file (`appendonly yes`) in its folder, as a production Redis for Parley may.
 */
export async function startRedis({ persist = false } = {}): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-redis-'));
  const launch = (port: number): ChildProcess =>
    spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
        ...['--appendonly', persist ? 'yes' : 'no'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    let server = launch(port);
    const ready = await readyOrExit(server);
    if (ready === true) {
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        flushAll: async () => {
          const client = new Redis(`redis://127.0.0.1:${port}`);
          await client.flushall();
          await client.quit();
        },
        restart: async ({ downMs = 0, whileDown = async () => undefined } = {}) => {
          const exited = new Promise((resolve) => server.once('exit', resolve));
          server.kill('SIGTERM');
          await exited;
          await Promise.all([new Promise((resolve) => setTimeout(resolve, downMs)), whileDown()]);
          server = launch(port);
          const again = await readyOrExit(server);
          if (again !== true) throw new Error(`redis-server did not start again: ${again}`);
        },
        stop: async () => {
          if (server.exitCode === null && server.signalCode === null) {
            const exited = new Promise((resolve) => server.once('exit', resolve));
            server.kill('SIGKILL');
            await exited;
          }
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    if (attempt === 3) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start: ${ready}`);
    }
  }
}

/** True once the server says it accepts connections; what it said if it exits first. */
function readyOrExit(server: ChildProcess): Promise<true | string> {
  return new Promise((resolve) => {
    let said = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('Ready to accept connections')) resolve(true);
    });
    server.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    server.once('exit', (code) => resolve(`exit ${code}: ${said.trim().split('\n').slice(-3).join(' | ')}`));
  });
}

/**
 * One Redis server for a test file (started before its first test, stopped after its last) and one client
 * of it; nothing when `unavailable`. Tests keep apart by key prefix (`freshKeys`).
 */
export function redisPerFile(unavailable: string | null): {
  client: () => Redis;
  server: () => TestRedis;
  freshKeys: () => RedisKeys;
} {
  let server: TestRedis | undefined;
  let client: Redis | undefined;
  let prefixes = 0;
  beforeAll(async () => {
    if (unavailable) return;
    server = await startRedis();
    client = new Redis(server.url);
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });
  return {
    client: () => client!,
    server: () => server!,
    freshKeys: () => redisKeys(`test${++prefixes}:`),
  };
}
