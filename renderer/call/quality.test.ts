import { describe, expect, it } from 'vitest';
import { gradeOf, qualityOf } from './quality.js';

const report = (entries: Record<string, unknown>[]) =>
  new Map(entries.map((e) => [String(e.id), { ...e, type: String(e.type) }]));

describe('qualityOf', () => {
  const base = [
    { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
    { id: 'P', type: 'candidate-pair', localCandidateId: 'L', currentRoundTripTime: 0.042 },
    { id: 'L', type: 'local-candidate', candidateType: 'relay' },
  ];

  it('reads rtt and path from the selected pair', () => {
    const { quality } = qualityOf(report(base), null, 1000);
    expect(quality).toMatchObject({ rttMs: 42, path: 'relayed', kbps: 0, lossPercent: 0, grade: 'good' });
  });

  it('computes loss and bitrate between two samples', () => {
    const first = qualityOf(
      report([
        ...base,
        { id: 'I', type: 'inbound-rtp', bytesReceived: 0, packetsReceived: 0, packetsLost: 0 },
      ]),
      null,
      1000,
    );
    const second = qualityOf(
      report([
        ...base,
        { id: 'I', type: 'inbound-rtp', bytesReceived: 125_000, packetsReceived: 95, packetsLost: 5 },
        { id: 'O', type: 'outbound-rtp', bytesSent: 0 },
      ]),
      first.totals,
      2000,
    );
    expect(second.quality.kbps).toBe(1000);
    expect(second.quality.lossPercent).toBe(5);
    expect(second.quality.grade).toBe('fair');
  });

  it('grades a video call poor while the bandwidth estimate to send video with is low', () => {
    const sample = (videoBytes: number, availableOutgoingBitrate: number) =>
      report([
        base[0]!,
        { ...base[1]!, currentRoundTripTime: 0.01, availableOutgoingBitrate },
        base[2]!,
        { id: 'V', type: 'outbound-rtp', kind: 'video', bytesSent: videoBytes },
      ]);
    const first = qualityOf(sample(1000, 250_000), null, 1000);
    const starved = qualityOf(sample(20_000, 250_000), first.totals, 2000);
    expect(starved.quality).toMatchObject({ videoBandwidthKbps: 250, grade: 'poor' });
    const ample = qualityOf(sample(60_000, 1_200_000), starved.totals, 3000);
    expect(ample.quality).toMatchObject({ videoBandwidthKbps: 1200, grade: 'good' });
    // Camera off: no video sent, so the estimate (which Chromium keeps low then) says nothing.
    const voiceOnly = qualityOf(sample(60_000, 40_000), ample.totals, 4000);
    expect(voiceOnly.quality).toMatchObject({ videoBandwidthKbps: null, grade: 'good' });
  });

  it('says direct for host candidates and unknown without a pair', () => {
    const direct = report([base[0]!, base[1]!, { id: 'L', type: 'local-candidate', candidateType: 'host' }]);
    expect(qualityOf(direct, null, 0).quality.path).toBe('direct');
    expect(qualityOf(new Map(), null, 0).quality.path).toBe('unknown');
  });
});

describe('gradeOf', () => {
  it('grades by loss and round trip', () => {
    expect(gradeOf(20, 0)).toBe('good');
    expect(gradeOf(300, 0)).toBe('fair');
    expect(gradeOf(20, 10)).toBe('poor');
  });

  it('grades poor when video has less than 300 kbit/s to send with', () => {
    expect(gradeOf(20, 0, 299)).toBe('poor');
    expect(gradeOf(20, 0, 300)).toBe('good');
    expect(gradeOf(20, 0, null)).toBe('good');
  });
});
