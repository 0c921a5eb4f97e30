/**
 * `window.parleyDiagnostics`: read-only views of the call in progress
 * (getStats, setup timings, which tones sound) for support, benchmarks and
 * end-to-end tests. It exposes no actions.
 */
import type { SetupTimings } from '../call/timings.js';
import type { ConnectionHappening } from '../net/signaling-client.js';
import type { ParleyApp } from './composition-root.js';

export interface Diagnostics {
  stats(): Promise<Record<string, unknown>[]>;
  timings(): SetupTimings | null;
  tones(): { ringtone: boolean; ringback: boolean } | null;
  localTracks(): { kind: string; readyState: string; enabled: boolean; label: string }[];
  /** The signaling connection's latest attempts, drops and retries, oldest first. */
  connectionHappenings(): readonly ConnectionHappening[];
}

declare global {
  interface Window {
    parleyDiagnostics?: Diagnostics;
  }
}

export function exposeDiagnostics(app: ParleyApp): void {
  // Tracks the app opened, including ones it already stopped, so a test can check the camera light went off.
  const opened: MediaStreamTrack[] = [];
  app.engine.on('local-stream', (stream) => {
    for (const track of stream?.getTracks() ?? []) if (!opened.includes(track)) opened.push(track);
  });
  window.parleyDiagnostics = {
    stats: async () => {
      const report = await app.engine.stats();
      const rows: Record<string, unknown>[] = [];
      report?.forEach((s: Record<string, unknown>) => rows.push({ ...s }));
      return rows;
    },
    timings: () => app.engine.timings,
    tones: () =>
      'playing' in app.tones
        ? (app.tones as { playing: { ringtone: boolean; ringback: boolean } }).playing
        : null,
    localTracks: () =>
      opened.map((t) => ({ kind: t.kind, readyState: t.readyState, enabled: t.enabled, label: t.label })),
    connectionHappenings: () => app.client.happenings(),
  };
}
