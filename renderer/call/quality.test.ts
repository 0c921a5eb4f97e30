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
});
