/**
 * The server benchmark's child processes: the measured server (Parley's CLI, or the bare baseline) with
 * the probe preloaded, and the load workers. Every child started here is killed when the benchmark
 * exits, however it exits.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuMs, monotonicMs } from './proc.js';
import type { ProbeReply, ProbeRequest, WorkerCommand, WorkerReport, WorkerSetup } from './messages.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** The environment without PARLEY_* variables, so the server runs on the settings the benchmark gives. */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PARLEY_')));

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export interface MeasuredServer {
  pid: number;
  url: string;
  /** Parley's `/metrics` when it was started with `--metrics-listen`. */
  metricsUrl?: string;
  /** Memory (after GC when asked) and the event-loop delay since the last call; a heap snapshot if given a file. */
  stats(gc: boolean, heapSnapshot?: string): Promise<ProbeReply>;
  /** Log lines at warn or above (pino level ≥ 40), and how many there were. */
  problems: { count: number; first: string[] };
  /** SIGTERM; resolves with the ms until the process exited, its exit code and Parley's "stopped" log line. */
  stop(): Promise<{ ms: number; code: number | null; stoppedLog?: Record<string, unknown> }>;
}

/**
 * Starts `node --expose-gc [nodeOptions] --import tsx --import probe.ts <args>` and waits for its
 * "listening" line (and with `--metrics-listen`, its "metrics listening" line).
 */
export async function startServer(args: string[], nodeOptions: string[] = []): Promise<MeasuredServer> {
  const child = track(
    spawn(
      process.execPath,
      ['--expose-gc', ...nodeOptions, '--import', 'tsx', '--import', './bench/server/probe.ts', ...args],
      {
        cwd: ROOT,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    ),
  );
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const problems = { count: 0, first: [] as string[] };
  let stoppedLog: Record<string, unknown> | undefined;
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  // The URLs the server announces in its log: its own, and with --metrics-listen the metrics'.
  const announced = new Map<string, (url: string) => void>();
  const listening = (msg: string) =>
    new Promise<string>((resolve, reject) => {
      announced.set(msg, resolve);
      void exited.then(([code]) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
    });
  const url = listening('signaling server listening');
  const metricsUrl = args.includes('--metrics-listen') ? listening('metrics listening') : undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let entry: { level?: number; msg?: string; url?: string; [field: string]: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    if (entry.msg && entry.url) announced.get(entry.msg)?.(entry.url);
    if (entry.msg === 'stopped') stoppedLog = entry;
    if ((entry.level ?? 0) >= 40 && problems.count++ < 5) problems.first.push(line);
  });

  const pending = new Map<number, (reply: ProbeReply) => void>();
  child.on('message', (reply: ProbeReply) => pending.get(reply.id)?.(reply));
  let nextId = 0;
  const stats = (gc: boolean, heapSnapshot?: string) =>
    new Promise<ProbeReply>((resolve) => {
      const request: ProbeRequest = { id: nextId++, gc, heapSnapshot };
      pending.set(request.id, resolve);
      child.send(request);
    });

  const stop = async () => {
    const started = monotonicMs();
    child.kill('SIGTERM');
    const [code] = await exited;
    return { ms: monotonicMs() - started, code, stoppedLog };
  };
  return { pid: child.pid!, url: await url, metricsUrl: await metricsUrl, stats, problems, stop };
}

export interface Worker {
  pid: number;
  /** Sends a command; resolves with the next report of the given type. */
  ask<T extends WorkerReport['type']>(
    command: WorkerCommand,
    reply: T,
  ): Promise<Extract<WorkerReport, { type: T }>>;
  /** Closes its connections and waits for it to exit. */
  exit(): Promise<void>;
}

/** Forks a load worker, hands it its accounts, and waits until it is ready. */
export async function startWorker(setup: WorkerSetup): Promise<Worker> {
  const child = track(
    fork(fileURLToPath(new URL('./load-worker.ts', import.meta.url)), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced', // typed arrays of samples, without JSON
    }),
  );
  const next = <T extends WorkerReport['type']>(type: T) =>
    new Promise<Extract<WorkerReport, { type: T }>>((resolve, reject) => {
      const onMessage = (report: WorkerReport) => {
        if (report.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(report as Extract<WorkerReport, { type: T }>);
      };
      const onExit = (code: number | null) =>
        reject(new Error(`load worker exited (${code}) before '${type}'`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = next('ready');
  child.send(setup);
  await ready;
  return {
    pid: child.pid!,
    ask(command, reply) {
      const answer = next(reply);
      child.send(command);
      return answer;
    },
    async exit() {
      const exited = once(child, 'exit');
      child.send({ type: 'exit' } satisfies WorkerCommand);
      await exited;
    },
  };
}

/** CPU ms the processes have used so far, together. */
export const cpuOf = (pids: number[]): number => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
