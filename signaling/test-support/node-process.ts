/**
 * A Parley node in a process of its own, started as a person starts one (`signaling/cli.ts` with flags,
 * under `npm run server`'s Node flags), for tests that kill it (SIGKILL) or put several behind nginx. Its
 * JSON log lines are kept, so that a test can wait for one, and tell which node a device connected to
 * (`device connected` and `device disconnected` are logged at debug level, which these nodes run at).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WAIT_MS } from './harness.js';
import { serverProcessArgs } from './server-command.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

export type LogLine = { msg?: string; [field: string]: unknown };

export interface NodeProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, as nginx's upstream names it. */
  address: string;
  child: ChildProcess;
  /** Every log line so far. */
  readonly lines: readonly LogLine[];
  /** Resolves with the first log line from index `from` on (so far or to come) that matches. */
  nextLine(
    match: (line: LogLine) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<LogLine>;
  /** SIGKILL: no goodbye to anyone, as in a crash. Resolves once the process is gone. */
  kill(): Promise<void>;
}

/** Starts a node with these flags (on top of loopback, the given port and debug logging). */
export async function startNodeProcess(port: number, flags: string[]): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    serverProcessArgs(['--host', '127.0.0.1', '--port', String(port), '--log-level', 'debug', ...flags]),
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    lines.push(JSON.parse(text) as LogLine);
    for (const wake of waiters) wake();
  });
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const nextLine: NodeProcess['nextLine'] = (match, { from = 0, timeoutMs = WAIT_MS } = {}) =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = lines.slice(from).find(match);
        if (!hit) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`node :${port}: no such log line within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const node: NodeProcess = {
    url: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    child,
    lines,
    nextLine,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await gone;
      }
    },
  };
  const started = nextLine((l) => l.msg === 'signaling server listening', { timeoutMs: 30_000 });
  const exited = gone.then(() => {
    throw new Error(`node :${port} exited (${child.exitCode ?? child.signalCode}) before listening`);
  });
  exited.catch(() => undefined); // an exit after listening is the test's business (kill)
  try {
    await Promise.race([started, exited]);
  } catch (err) {
    await node.kill();
    throw err;
  }
  return node;
}
