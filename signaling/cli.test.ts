/** The real server process (`npm run server`): start-up, logs, graceful SIGTERM, bad settings, --help. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRoutes } from './protocol/index.js';
import { connect, register } from './test-support/harness.js';
import { freePort } from './test-support/free-port.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const START_MS = 15_000;

/** The environment without any PARLEY_* settings of whoever runs the tests. */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PARLEY_')));

/** A spawned `tsx signaling/cli.ts`, with its output collected and its exit awaited. */
class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedYet = false;
  private waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => this.append('stdout', s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => this.append('stderr', s));
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        this.exitedYet = true;
        this.wake();
        resolve({ code, signal });
      }),
    );
  }

  get running(): boolean {
    return !this.exitedYet;
  }

  /** The JSON log lines written to stdout so far. */
  logs(): Record<string, unknown>[] {
    return this.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Waits for a log line matching `match`; fails early if the process exits first. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs = START_MS) {
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`no such log line within ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`));
      }, timeoutMs);
      const check = (): void => {
        const hit = this.logs().find(match);
        if (hit || this.exitedYet) {
          clearTimeout(timer);
          if (hit) resolve(hit);
          else reject(new Error(`process exited first:\n${this.stdout}\n${this.stderr}`));
          return;
        }
        this.waiters.push(check);
      };
      check();
    });
  }

  private append(stream: 'stdout' | 'stderr', text: string): void {
    this[stream] += text;
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

const processes: CliProcess[] = [];
const dirs: string[] = [];

/**
 * Starts `tsx signaling/cli.ts args`. With `preload` (a module loaded first) it runs in node itself with
 * tsx as a loader, so that signals other than SIGINT and SIGTERM (the two tsx relays) reach the server.
 */
function cli(args: string[], { preload, env = {} }: { preload?: string; env?: NodeJS.ProcessEnv } = {}) {
  const [command, loader] = preload
    ? [process.execPath, ['--import', 'tsx', '--import', preload]]
    : [TSX, []];
  const proc = new CliProcess(
    // Its own process group, so that cleanup also reaches the node process tsx starts.
    spawn(command, [...loader, 'signaling/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...cleanEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  );
  processes.push(proc);
  return proc;
}

afterEach(async () => {
  for (const proc of processes.splice(0)) {
    if (proc.running && proc.child.pid !== undefined) {
      process.kill(-proc.child.pid, 'SIGKILL');
      await proc.exited;
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('signaling server process', () => {
  it('starts, logs JSON, serves, and stops gracefully on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    dirs.push(dataDir);
    const proc = cli(['--port', String(port), '--data-dir', dataDir, '--log-level', 'info']);
    const url = `http://127.0.0.1:${port}`;

    const listening = await proc.waitForLog((l) => l.msg === 'signaling server listening');
    expect(listening).toMatchObject({ level: 30, service: 'parley-signaling', url, dataDir });
    const health = await fetch(url + httpRoutes.health);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const { token } = await register({ url }, 'alice');
    const device = await connect({ url }, token);
    expect(device.ready.user.username).toBe('alice');
    const disconnected = new Promise<void>((resolve) => device.socket.once('disconnect', () => resolve()));

    expect(proc.child.kill('SIGTERM')).toBe(true);
    expect(await device.next('server.shutdown')).toEqual({ message: expect.any(String) });
    await disconnected;
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    const messages = proc.logs().map((l) => l.msg);
    expect(messages).toContain('signal received');
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('stopped');
    expect(proc.stderr).toBe('');
  });

  it.each([
    ['a rejected promise nobody handles', 'reject', 'unhandledRejection'],
    ['an exception nobody catches', 'throw', 'uncaughtException'],
  ])('%s: logs a fatal line and exits 1, for a supervisor to start it again', async (_, fault, kind) => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    dirs.push(dataDir);
    const proc = cli(['--port', String(port), '--data-dir', dataDir], {
      preload: './signaling/test-support/fault-on-signal.ts',
      env: { TEST_FAULT: fault },
    });
    await proc.waitForLog((l) => l.msg === 'signaling server listening');

    expect(proc.child.kill('SIGUSR2')).toBe(true);
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    expect(proc.logs().at(-1)).toMatchObject({
      level: 60,
      msg: 'unexpected error: stopping',
      kind,
      err: { message: 'an unexpected failure (test)' },
    });
    expect(proc.stderr).toBe('');
  });

  it('a bad setting exits 2 with an error naming the flag and variable, without a stack trace', async () => {
    const proc = cli(['--port', 'nope']);
    expect(await proc.exited).toEqual({ code: 2, signal: null });
    expect(proc.stderr).toMatch(/^error: /);
    expect(proc.stderr).toContain('--port');
    expect(proc.stderr).toContain('PARLEY_PORT');
    expect(proc.stderr).not.toMatch(/^\s+at /m);
    expect(proc.stdout).toBe('');
  });

  it('--help exits 0 and lists every setting with its environment variable', async () => {
    const proc = cli(['--help']);
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.stdout).toContain('--ring-timeout');
    expect(proc.stdout).toContain('PARLEY_RING_TIMEOUT');
    expect(proc.stdout).toContain('PARLEY_PORT');
    expect(proc.stdout).toContain('users add');
  });
});
