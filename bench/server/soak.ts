/**
 * The soak (`--duration`): the connected clients held for minutes with a trickle of calls and presence,
 * memory and the event-loop delay sampled as it goes (target.ts runs it after the other phases).
 */
import type { ProbeReply } from './messages.js';
import { monotonicMs } from './proc.js';
import type { MeasuredServer, Worker } from './processes.js';

export interface SoakSample {
  /** Seconds since the soak began. */
  atSeconds: number;
  /** After GC. */
  rss: number;
  heapUsed: number;
  /** Since the previous sample; its max includes the GC the previous sample made. */
  loopDelayMs: ProbeReply['loopDelayMs'];
  invites: number;
  presenceChanges: number;
}

/** How often the soak samples the server. */
const SOAK_SAMPLE_SECONDS = 10;

/**
 * Holds the connected clients for `run.soakSeconds` with a trickle of load (each account in a call about
 * once in ten minutes, changing presence once in two), sampling memory after GC and the event-loop delay
 * every SOAK_SAMPLE_SECONDS: memory that keeps growing under a steady load is a leak. `snapshot(name)`:
 * where to write a heap snapshot at the first sample (`soak-first`) and after the last (`soak-last`), or
 * undefined for none; what grew between them is what the soak's calls and changes left behind.
 */
export async function soak(
  server: MeasuredServer,
  workers: Worker[],
  run: { clients: number; soakSeconds: number },
  snapshot: (name: string) => string | undefined,
  say: (line: string) => void,
): Promise<SoakSample[]> {
  const ringRate = run.clients / 600 / workers.length;
  const toggleRate = run.clients / 120 / workers.length;
  say(
    `soak for ${run.soakSeconds} s: ${(ringRate * workers.length).toFixed(1)} invites/s, ` +
      `${(toggleRate * workers.length).toFixed(1)} presence changes/s; every ${SOAK_SAMPLE_SECONDS} s:`,
  );
  const samples: SoakSample[] = [];
  const started = monotonicMs();
  await server.stats(true); // a fresh event-loop delay window
  while (monotonicMs() - started < run.soakSeconds * 1000) {
    const seconds = Math.min(SOAK_SAMPLE_SECONDS, run.soakSeconds - (monotonicMs() - started) / 1000);
    const [rung, toggled] = await Promise.all([
      Promise.all(workers.map((w) => w.ask({ type: 'ring', rate: ringRate, seconds }, 'ring-done'))),
      Promise.all(
        workers.map((w) => w.ask({ type: 'presence', rate: toggleRate, seconds }, 'presence-sent')),
      ),
    ]);
    const stats = await server.stats(true, samples.length === 0 ? snapshot('soak-first') : undefined);
    const sample: SoakSample = {
      atSeconds: (monotonicMs() - started) / 1000,
      rss: stats.rss,
      heapUsed: stats.heapUsed,
      loopDelayMs: stats.loopDelayMs,
      invites: rung.reduce((n, r) => n + r.sent, 0),
      presenceChanges: toggled.reduce((n, t) => n + t.sends.length / 3, 0),
    };
    samples.push(sample);
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    say(
      `  ${sample.atSeconds.toFixed(0).padStart(5)} s  RSS ${mib(sample.rss)} MiB  JS heap ${mib(sample.heapUsed)} MiB  ` +
        `event-loop delay p99 ${sample.loopDelayMs.p99.toFixed(1)} ms, max ${sample.loopDelayMs.max.toFixed(1)} ms  ` +
        `invites ${sample.invites}  presence changes ${sample.presenceChanges}`,
    );
  }
  const last = snapshot('soak-last');
  if (last) await server.stats(true, last);
  return samples;
}
