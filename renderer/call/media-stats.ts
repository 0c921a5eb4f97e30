/**
 * Watching a connected call's getStats for the quality badge (sampled every 2 s). One per call, started
 * when media first connects and stopped when the call ends; nothing it hears after that counts.
 *
 * Bitrate and loss are counted between two reports, so the first report only sets the baseline. The first
 * reading follows it after `FIRST_READING_MS` rather than at the next 2 s tick: the picture and the call
 * timer are there by then, and a badge still "Measuring quality…" beside them looked stuck.
 */
import { qualityOf, type Quality, type StatLike, type StatsTotals } from './quality.js';

export const QUALITY_INTERVAL_MS = 2_000;
/**
 * How long after the baseline report the first reading is taken: long enough to count a bitrate and a loss
 * from (25 audio packets, a few video frames), short enough that the badge reads before anyone looks.
 */
export const FIRST_READING_MS = 500;

export interface MediaStatsOptions {
  getStats(): Promise<RTCStatsReport>;
  onQuality(quality: Quality): void;
}

export class MediaStats {
  private qualityTimer: ReturnType<typeof setInterval> | null = null;
  private firstReadingTimer: ReturnType<typeof setTimeout> | null = null;
  /** The previous quality sample's totals: bitrate and loss are counted since then. */
  private lastTotals: StatsTotals | null = null;
  /** A getStats for the badge is under way: on a busy machine it can take longer than the interval. */
  private sampling = false;
  private stopped = false;
  /** The badge has had a reading (not only the baseline). */
  private read = false;

  constructor(private readonly opts: MediaStatsOptions) {}

  start(): void {
    // The first sample only sets the baseline for bitrate and loss; the badge shows from the second.
    void this.sampleQuality().then(() => {
      if (this.stopped || this.read) return; // the 2 s tick came first (a slow getStats)
      this.firstReadingTimer = setTimeout(() => {
        if (!this.read) void this.sampleQuality();
      }, FIRST_READING_MS);
    });
    this.qualityTimer = setInterval(() => void this.sampleQuality(), QUALITY_INTERVAL_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.qualityTimer) clearInterval(this.qualityTimer);
    if (this.firstReadingTimer) clearTimeout(this.firstReadingTimer);
    this.qualityTimer = this.firstReadingTimer = null;
  }

  private async sampleQuality(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const report = await this.opts.getStats();
      if (this.stopped) return;
      // The report's own time, not when its promise came back: on a busy machine getStats answers late
      // by varying amounts, and two reports that came back 10 ms apart made a 2 s window read as 10 ms.
      const { quality, totals } = qualityOf(
        report as unknown as Map<string, StatLike>,
        this.lastTotals,
        reportTime(report),
      );
      const first = this.lastTotals === null;
      this.lastTotals = totals;
      if (first) return;
      this.read = true;
      this.opts.onQuality(quality);
    } finally {
      this.sampling = false;
    }
  }
}

/** When the browser gathered a stats report (its entries' timestamp, in ms); now if it has none. */
function reportTime(report: RTCStatsReport): number {
  for (const entry of report.values() as Iterable<{ timestamp?: unknown }>) {
    if (typeof entry.timestamp === 'number' && Number.isFinite(entry.timestamp)) return entry.timestamp;
  }
  return performance.timeOrigin + performance.now();
}
