import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FIRST_READING_MS, MediaStats, QUALITY_INTERVAL_MS } from './media-stats.js';
import type { Quality } from './quality.js';

/** A getStats report as Chromium gives it: every entry stamped with the time it was gathered. */
const report = (timestamp: number, bytesReceived: number) =>
  new Map(
    [
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', localCandidateId: 'L', currentRoundTripTime: 0.02 },
      { id: 'L', type: 'local-candidate', candidateType: 'host' },
      { id: 'I', type: 'inbound-rtp', kind: 'audio', bytesReceived, packetsReceived: 1, packetsLost: 0 },
    ].map((e) => [e.id, { ...e, timestamp }]),
  ) as unknown as RTCStatsReport;

/** A getStats that answers its n-th call as scripted: after `afterMs` (fake time) with `report`, or never. */
function scriptedStats(answers: ({ afterMs: number; report: RTCStatsReport } | 'never')[]) {
  let calls = 0;
  return {
    calls: () => calls,
    getStats: () =>
      new Promise<RTCStatsReport>((resolve) => {
        const answer = answers[calls++];
        if (answer && answer !== 'never') setTimeout(() => resolve(answer.report), answer.afterMs);
      }),
  };
}

function sampler(getStats: () => Promise<RTCStatsReport>, shown: Quality[] = []): MediaStats {
  return new MediaStats({ getStats, onQuality: (q) => shown.push(q) });
}

describe('MediaStats quality sampling', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts the bitrate over the time between the reports, however late getStats answers', async () => {
    // The badge's first report, gathered at t=10 000 ms, comes back 1.9 s late; its next one, gathered
    // 2 s after it with 250 kB more, comes back at once: 250 kB in 2 s is 1000 kbit/s (not 20 000, as
    // reading the clock when the answers came back, 100 ms apart, would say).
    const stats = scriptedStats([
      { afterMs: 1_900, report: report(10_000, 0) },
      { afterMs: 0, report: report(12_000, 250_000) },
    ]);
    const shown: Quality[] = [];
    const s = sampler(stats.getStats, shown);
    s.start();
    await vi.advanceTimersByTimeAsync(QUALITY_INTERVAL_MS + 10);
    expect(stats.calls()).toBe(2);
    expect(shown.map((q) => q.kbps)).toEqual([1000]);
    s.stop();
  });

  it('gives the first reading shortly after the baseline, not at the next 2 s tick, then one every 2 s', async () => {
    // The baseline report comes back after 30 ms; the first reading is taken FIRST_READING_MS after that,
    // gathered 500 ms after the baseline with 25 kB more: 400 kbit/s.
    const stats = scriptedStats([
      { afterMs: 30, report: report(10_000, 0) },
      { afterMs: 0, report: report(10_000 + FIRST_READING_MS, 25_000) },
      { afterMs: 0, report: report(10_000 + QUALITY_INTERVAL_MS, 25_000) },
    ]);
    const shown: Quality[] = [];
    const s = sampler(stats.getStats, shown);
    s.start();
    await vi.advanceTimersByTimeAsync(30 + FIRST_READING_MS + 10);
    expect(shown.map((q) => q.kbps)).toEqual([400]);
    await vi.advanceTimersByTimeAsync(QUALITY_INTERVAL_MS - 30 - FIRST_READING_MS);
    expect(stats.calls()).toBe(3);
    expect(shown).toHaveLength(2);
    s.stop();
  });

  it('asks for no new report while one is under way', async () => {
    const stats = scriptedStats(['never']);
    const s = sampler(stats.getStats);
    s.start();
    await vi.advanceTimersByTimeAsync(QUALITY_INTERVAL_MS * 3 + 10);
    // Only the badge's first request: none every 2 s on top while it is under way.
    expect(stats.calls()).toBe(1);
    s.stop();
  });
});
