/**
 * The restart phase of the server benchmark (`--restart`, bench/README.md): a restart as a deploy does
 * it, with every client connected by Parley's own client (SignalingClient, its reconnect schedule). The
 * server is started again on its port and data directory, the clients connect, the server gets SIGTERM,
 * and once it has exited it is started again the same way. From the SIGTERM: when 50%, 99% and all of
 * the clients were back (`session.ready`; the bare server's connect), and when their views of their
 * contacts' presence were right again (restart-clients.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { perSecond, timeForShare } from './figures.js';
import type { ErrorCounts } from './messages.js';
import { cpuMs, listenOverflows, monotonicMs } from './proc.js';
import { cpuOf, type MeasuredServer, type Worker } from './processes.js';

/** How long after the SIGTERM the clients have to be back and settled before the phase ends without them. */
const RESTART_WAIT_MS = 120_000;
const POLL_MS = 250;
/** After the clients connected, before the SIGTERM: their own contacts' announcements settle. */
const SETTLE_MS = 2_000;

export interface RestartResult {
  clients: number;
  connectErrors: ErrorCounts;
  /** SIGTERM until the server exited, and until the new one listened. */
  stopMs: number;
  downMs: number;
  /** ms from the SIGTERM until 50% / 99% / all of the clients were back (NaN: fewer were, in RESTART_WAIT_MS). */
  back50Ms: number;
  back99Ms: number;
  backAllMs: number;
  notBack: number;
  /** Clients back in each second since the SIGTERM. */
  backPerSecond: number[];
  /** The same for presence settled (Parley only: the bare server sends no contact list). */
  settled50Ms: number;
  settled99Ms: number;
  settledAllMs: number;
  notSettled: number;
  /** The clients' drops and failed attempts since the SIGTERM, by their words. */
  happenings: ErrorCounts;
  /** The load workers' CPU from the SIGTERM until the phase ended, as a share of one core. */
  generatorCpuPercent: number;
  /** The new server's CPU from its listening until the phase ended, as a share of one core. */
  serverCpuPercent: number;
  /** Listen-queue overflows on the whole machine during the restart (ListenOverflows). */
  listenOverflows: number;
  problems: MeasuredServer['problems'];
}

const merge = (counts: ErrorCounts[]): ErrorCounts => {
  const merged: ErrorCounts = {};
  for (const c of counts) for (const [k, n] of Object.entries(c)) merged[k] = (merged[k] ?? 0) + n;
  return merged;
};

export async function measureRestart(
  start: () => Promise<MeasuredServer>,
  workers: Worker[],
  run: { clients: number; connectConcurrency: number; backOn: 'session.ready' | 'connect' },
  say: (line: string) => void,
): Promise<RestartResult> {
  const ask = <T extends 'restart-connected' | 'restart-marked' | 'restart-reported' | 'restart-closed'>(
    command: Parameters<Worker['ask']>[0],
    reply: T,
  ) => Promise.all(workers.map((w) => w.ask(command, reply)));
  const generatorCpu = () => cpuOf(workers.map((w) => w.pid));

  const first = await start();
  say(`restart: ${run.clients} clients connect with SignalingClient...`);
  const connected = await ask(
    { type: 'restart-connect', url: first.url, concurrency: run.connectConcurrency, backOn: run.backOn },
    'restart-connected',
  );
  await sleep(SETTLE_MS);
  await ask({ type: 'restart-mark' }, 'restart-marked');
  const overflows0 = listenOverflows();
  const generatorCpu0 = generatorCpu();
  const sigterm = monotonicMs();
  say('restart: SIGTERM...');
  const { ms: stopMs } = await first.stop();
  const again = await start();
  const [listeningAt, serverCpu0] = [monotonicMs(), cpuMs(again.pid)];
  const downMs = listeningAt - sigterm;
  say(`restart: stopped in ${stopMs.toFixed(0)} ms, listening again after ${downMs.toFixed(0)} ms`);

  const since = (at: number) => at - sigterm;
  const parley = run.backOn === 'session.ready';
  const poll = async (happenings = false) => {
    const reports = await ask({ type: 'restart-report', happenings }, 'restart-reported');
    return {
      back: reports.flatMap((r) => Array.from(r.backAt, since)),
      settled: reports.flatMap((r) => Array.from(r.settledAt, since)),
      happenings: merge(reports.map((r) => r.happenings)),
    };
  };
  const done = ({ back, settled }: { back: number[]; settled: number[] }) =>
    !back.some(Number.isNaN) && !(parley && settled.some(Number.isNaN));
  while (!done(await poll()) && monotonicMs() - sigterm < RESTART_WAIT_MS) await sleep(POLL_MS);
  const generatorCpuPercent = ((generatorCpu() - generatorCpu0) / (monotonicMs() - sigterm)) * 100;
  const serverCpuPercent = ((cpuMs(again.pid) - serverCpu0) / (monotonicMs() - listeningAt)) * 100;
  const overflows = listenOverflows() - overflows0;
  const { back, settled, happenings } = await poll(true);
  await ask({ type: 'restart-close' }, 'restart-closed');
  await again.stop();

  const total = back.length;
  // The bare server sends no contact list: its clients' views never settle.
  const settledShare = (p: number) => (parley ? timeForShare(settled, total, p) : NaN);
  return {
    clients: total,
    connectErrors: merge(connected.map((c) => c.errors)),
    stopMs,
    downMs,
    back50Ms: timeForShare(back, total, 50),
    back99Ms: timeForShare(back, total, 99),
    backAllMs: timeForShare(back, total, 100),
    notBack: back.filter(Number.isNaN).length,
    backPerSecond: perSecond(back),
    settled50Ms: settledShare(50),
    settled99Ms: settledShare(99),
    settledAllMs: settledShare(100),
    notSettled: parley ? settled.filter(Number.isNaN).length : NaN,
    happenings,
    generatorCpuPercent,
    serverCpuPercent,
    listenOverflows: overflows,
    problems: {
      count: first.problems.count + again.problems.count,
      first: [...first.problems.first, ...again.problems.first].slice(0, 5),
    },
  };
}
