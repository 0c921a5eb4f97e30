/**
 * Call quality from `getStats`: round-trip time, packet loss and bitrate
 * since the previous sample, the bandwidth the browser estimates it may send
 * with, and whether media goes direct or through TURN.
 */
export interface Quality {
  /** Milliseconds, from the selected candidate pair; null until known. */
  rttMs: number | null;
  /** Percent of inbound packets lost since the previous sample. */
  lossPercent: number;
  /** Inbound plus outbound media bitrate, kbit/s. */
  kbps: number;
  /** The browser's estimate of the bandwidth it may send with (kbit/s), while it sends video; else null. */
  videoBandwidthKbps: number | null;
  path: 'direct' | 'relayed' | 'unknown';
  /** A short verdict for the badge. */
  grade: 'good' | 'fair' | 'poor';
}

export interface StatsTotals {
  at: number;
  bytes: number;
  videoBytesSent: number;
  packetsReceived: number;
  packetsLost: number;
}

export interface StatLike {
  type: string;
  [key: string]: unknown;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function totalsOf(report: Iterable<StatLike>, at: number): StatsTotals {
  const totals: StatsTotals = { at, bytes: 0, videoBytesSent: 0, packetsReceived: 0, packetsLost: 0 };
  for (const s of report) {
    if (s.type === 'inbound-rtp') {
      totals.bytes += num(s.bytesReceived);
      totals.packetsReceived += num(s.packetsReceived);
      totals.packetsLost += Math.max(0, num(s.packetsLost));
    } else if (s.type === 'outbound-rtp') {
      totals.bytes += num(s.bytesSent);
      if (s.kind === 'video') totals.videoBytesSent += num(s.bytesSent);
    }
  }
  return totals;
}

function selectedPair(stats: Map<string, StatLike>): StatLike | undefined {
  for (const s of stats.values()) {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      return stats.get(s.selectedCandidatePairId);
    }
  }
  return [...stats.values()].find(
    (s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded',
  );
}

/**
 * Below this much bandwidth to send with, video shrinks to a small, blurry picture (a 300 kbit/s link
 * gives about 250). It is also Chromium's starting estimate, which it raises within seconds where it can.
 */
export const POOR_VIDEO_BANDWIDTH_KBPS = 300;

export function gradeOf(
  rttMs: number | null,
  lossPercent: number,
  videoBandwidthKbps: number | null = null,
): Quality['grade'] {
  const starved = videoBandwidthKbps !== null && videoBandwidthKbps < POOR_VIDEO_BANDWIDTH_KBPS;
  if (lossPercent > 8 || (rttMs ?? 0) > 500 || starved) return 'poor';
  if (lossPercent > 2 || (rttMs ?? 0) > 250) return 'fair';
  return 'good';
}

/** Quality now, given the stats report and the totals of the previous sample. */
export function qualityOf(
  report: Map<string, StatLike>,
  previous: StatsTotals | null,
  now: number,
): { quality: Quality; totals: StatsTotals } {
  const totals = totalsOf(report.values(), now);
  const pair = selectedPair(report);
  const local = pair ? report.get(String(pair.localCandidateId)) : undefined;
  const rttMs =
    pair && typeof pair.currentRoundTripTime === 'number'
      ? Math.round(pair.currentRoundTripTime * 1000)
      : null;
  let lossPercent = 0;
  let kbps = 0;
  let sendingVideo = false;
  if (previous && now > previous.at) {
    const received = totals.packetsReceived - previous.packetsReceived;
    const lost = totals.packetsLost - previous.packetsLost;
    lossPercent = received + lost > 0 ? Math.round((1000 * Math.max(0, lost)) / (received + lost)) / 10 : 0;
    kbps = Math.round(((totals.bytes - previous.bytes) * 8) / (now - previous.at));
    sendingVideo = totals.videoBytesSent > previous.videoBytesSent;
  }
  const videoBandwidthKbps =
    sendingVideo && pair && typeof pair.availableOutgoingBitrate === 'number'
      ? Math.round(pair.availableOutgoingBitrate / 1000)
      : null;
  const path = local ? (local.candidateType === 'relay' ? 'relayed' : 'direct') : 'unknown';
  return {
    quality: {
      rttMs,
      lossPercent,
      kbps: Math.max(0, kbps),
      videoBandwidthKbps,
      path,
      grade: gradeOf(rttMs, lossPercent, videoBandwidthKbps),
    },
    totals,
  };
}
