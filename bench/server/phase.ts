/**
 * A phase of the server benchmark, measured: the CPU the server and the load generator spent during it,
 * the server's event-loop delay and GC pauses (target.ts runs the phases).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeReply } from './messages.js';
import { cpuMs, monotonicMs } from './proc.js';
import { cpuOf, type MeasuredServer, type Worker } from './processes.js';

/**
 * A server is quiet (it has handled what came before, such as the clients' disconnects before the
 * reconnect phase) when it spends no more than QUIET_CPU_MS of CPU in a QUIET_WINDOW_MS window: a tenth
 * of a core, since with `--cpu-prof` the profiler alone takes a few percent. Waited for QUIET_WAIT_MS at
 * most.
 */
const QUIET_WINDOW_MS = 250;
const QUIET_CPU_MS = 25;
const QUIET_WAIT_MS = 30_000;

export interface Phase {
  /** Wall time of the phase (without its drain wait). */
  wallMs: number;
  /** Server CPU in the phase and its drain wait. */
  serverCpuMs: number;
  /** Server CPU during the phase (without the drain), as a share of one core. */
  serverCpuPercent: number;
  /** Generator CPU during the phase, as a share of one core (100 = one core busy). */
  generatorCpuPercent: number;
  /** The highest of the workers' event-loop delay p99 (ring and presence phases). */
  generatorLoopDelayP99Ms?: number;
  loopDelayMs: ProbeReply['loopDelayMs'];
  gcPauses: ProbeReply['gcPauses'];
}

/**
 * Runs `work` and measures what the server and the generator spent meanwhile. With `drain`, waits for it
 * afterwards for work still under way (whose CPU counts in the totals, not in the percentages).
 */
export async function measured<T>(
  server: MeasuredServer,
  workers: Worker[],
  work: () => Promise<T>,
  drain: (result: T) => Promise<unknown> = async () => undefined,
): Promise<[T, Phase]> {
  await server.stats(false); // starts a fresh event-loop delay window
  const generatorPids = workers.map((w) => w.pid);
  const [server0, generator0, started] = [cpuMs(server.pid), cpuOf(generatorPids), monotonicMs()];
  const result = await work();
  const wallMs = monotonicMs() - started;
  const [server1, generator1] = [cpuMs(server.pid), cpuOf(generatorPids)];
  await drain(result);
  const { loopDelayMs, gcPauses } = await server.stats(false);
  const phase: Phase = {
    wallMs,
    serverCpuMs: cpuMs(server.pid) - server0,
    serverCpuPercent: ((server1 - server0) / wallMs) * 100,
    generatorCpuPercent: ((generator1 - generator0) / wallMs) * 100,
    loopDelayMs,
    gcPauses,
  };
  return [result, phase];
}

/** Resolves once the server's process uses almost no CPU (QUIET_CPU_MS in QUIET_WINDOW_MS), or after QUIET_WAIT_MS. */
export async function untilQuiet(pid: number): Promise<void> {
  const giveUpAt = monotonicMs() + QUIET_WAIT_MS;
  let before = cpuMs(pid);
  while (monotonicMs() < giveUpAt) {
    await sleep(QUIET_WINDOW_MS);
    const now = cpuMs(pid);
    if (now - before <= QUIET_CPU_MS) return;
    before = now;
  }
}

/** Two phases run one after the other, as one. */
export function joinPhases(a: Phase, b: Phase): Phase {
  const wallMs = a.wallMs + b.wallMs;
  const weighted = (pick: (p: Phase) => number) => (pick(a) * a.wallMs + pick(b) * b.wallMs) / wallMs;
  return {
    wallMs,
    serverCpuMs: a.serverCpuMs + b.serverCpuMs,
    serverCpuPercent: weighted((p) => p.serverCpuPercent),
    generatorCpuPercent: weighted((p) => p.generatorCpuPercent),
    loopDelayMs: {
      p50: weighted((p) => p.loopDelayMs.p50),
      p99: Math.max(a.loopDelayMs.p99, b.loopDelayMs.p99),
      max: Math.max(a.loopDelayMs.max, b.loopDelayMs.max),
    },
    gcPauses: {
      count: a.gcPauses.count + b.gcPauses.count,
      totalMs: a.gcPauses.totalMs + b.gcPauses.totalMs,
      maxMs: Math.max(a.gcPauses.maxMs, b.gcPauses.maxMs),
    },
  };
}
