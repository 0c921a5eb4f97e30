/**
 * Watching a connected call's getStats: when the first audio packet and the first video frame arrive (setup
 * timings, polled every 100 ms until both are in), and the quality badge (sampled every 2 s). One per call,
 * started when media first connects and stopped when the call ends; nothing it hears after that counts.
 */
import type { Media } from '../../signaling/protocol/index.js';
import { qualityOf, type Quality, type StatLike, type StatsTotals } from './quality.js';
import type { TimingRecorder } from './timings.js';

export const QUALITY_INTERVAL_MS = 2_000;
export const FIRST_FRAME_POLL_MS = 100;
/** Stop looking for a first frame that may never come (voice-only answer, camera off). */
export const FIRST_FRAME_MAX_MS = 10_000;

export interface MediaStatsOptions {
  getStats(): Promise<RTCStatsReport>;
  recorder: TimingRecorder;
  /** A video call also waits for the first video frame. */
  media: Media;
  onQuality(quality: Quality): void;
}

export class MediaStats {
  private qualityTimer: ReturnType<typeof setInterval> | null = null;
  private firstFrameTimer: ReturnType<typeof setInterval> | null = null;
  /** The previous quality sample's totals: bitrate and loss are counted since then. */
  private lastTotals: StatsTotals | null = null;
  /** A getStats for the badge is under way: on a busy machine it can take longer than the interval. */
  private sampling = false;
  private stopped = false;

  constructor(private readonly opts: MediaStatsOptions) {}

  start(): void {
    this.firstFrameTimer = setInterval(() => void this.checkFirstFrames(), FIRST_FRAME_POLL_MS);
    // The first sample only sets the baseline for bitrate and loss; the badge shows from the second.
    void this.sampleQuality();
    this.qualityTimer = setInterval(() => void this.sampleQuality(), QUALITY_INTERVAL_MS);
  }

  stop(): void {
    this.stopped = true;
    this.stopFirstFrames();
    if (this.qualityTimer) clearInterval(this.qualityTimer);
    this.qualityTimer = null;
  }

  private async checkFirstFrames(): Promise<void> {
    const { recorder } = this.opts;
    const report = await this.opts.getStats();
    if (this.stopped) return;
    report.forEach((s: { type: string; kind?: string; packetsReceived?: number; framesDecoded?: number }) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'audio' && (s.packetsReceived ?? 0) > 0) recorder.mark('first-audio');
      if (s.kind === 'video' && (s.framesDecoded ?? 0) > 0) recorder.mark('first-video');
    });
    const gaveUp =
      (recorder.timings.stages['ice-connected'] ?? 0) + FIRST_FRAME_MAX_MS <
      performance.now() - recorder.origin;
    const wantsVideo = this.opts.media === 'video';
    if (gaveUp || (recorder.has('first-audio') && (!wantsVideo || recorder.has('first-video'))))
      this.stopFirstFrames();
  }

  private stopFirstFrames(): void {
    if (this.firstFrameTimer) clearInterval(this.firstFrameTimer);
    this.firstFrameTimer = null;
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
      if (!first) this.opts.onQuality(quality);
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
