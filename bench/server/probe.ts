/**
 * Benchmark-only preload for the measured servers (`node --expose-gc --import tsx --import
 * ./bench/server/probe.ts ...`): answers the benchmark's requests over the IPC channel it was started
 * with, and nothing else. It collects garbage on request (so memory is compared after GC) and reports
 * `process.memoryUsage()` and the event-loop delay since the last report. It opens no port: a server
 * started without it (as users start theirs) has no way to be asked.
 */
import {
  constants,
  monitorEventLoopDelay,
  PerformanceObserver,
  type PerformanceEntry,
} from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import type { ProbeReply, ProbeRequest } from './messages.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('probe.ts needs node --expose-gc');
if (!process.send) throw new Error('probe.ts needs an IPC channel (started by the benchmark)');

/** The delay timer's interval; each sample includes it, so it is taken off the figures. */
const RESOLUTION_MS = 5;
const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
delay.enable();
const beyondInterval = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

const noPauses = (): ProbeReply['gcPauses'] => ({ count: 0, totalMs: 0, maxMs: 0 });
/**
 * The collector's pauses since the last reply (a pause holds every request that arrives during it),
 * leaving out the collections the benchmark asks for.
 */
let gcPauses = noPauses();
/** A collection `gc()` asked for (@types/node does not declare the entry's `detail`). */
const forced = (entry: PerformanceEntry) =>
  ((entry as { detail?: { flags?: number } }).detail?.flags ?? 0) &
  constants.NODE_PERFORMANCE_GC_FLAGS_FORCED;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (forced(entry)) continue;
    gcPauses.count++;
    gcPauses.totalMs += entry.duration;
    gcPauses.maxMs = Math.max(gcPauses.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

process.on('message', (request: ProbeRequest) => {
  const pausesBefore = gcPauses;
  gcPauses = noPauses();
  if (request.gc) {
    // Twice: the first pass can leave objects whose finalizers freed more.
    gc();
    gc();
  }
  const memory = process.memoryUsage();
  // After the figures: writing a snapshot allocates.
  if (request.heapSnapshot) writeHeapSnapshot(request.heapSnapshot);
  const reply: ProbeReply = {
    id: request.id,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    rss: memory.rss,
    loopDelayMs: {
      p50: beyondInterval(delay.percentile(50)),
      p99: beyondInterval(delay.percentile(99)),
      max: beyondInterval(delay.max),
    },
    gcPauses: pausesBefore,
  };
  delay.reset();
  process.send!(reply);
});
