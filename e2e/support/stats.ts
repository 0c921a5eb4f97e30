/**
 * Reading WebRTC getStats rows (as `parleyDiagnostics.stats()` returns them):
 * inbound media totals per kind, video sizes and frame rates, and the
 * selected ICE candidate pair.
 */
export type StatsRow = { type: string; id: string } & Record<string, unknown>;

export interface Inbound {
  audio: { bytes: number; packets: number; energy: number };
  video: { bytes: number; packets: number; framesDecoded: number };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Sums every inbound-rtp stream per kind. */
export function inboundTotals(rows: readonly StatsRow[]): Inbound {
  const totals: Inbound = {
    audio: { bytes: 0, packets: 0, energy: 0 },
    video: { bytes: 0, packets: 0, framesDecoded: 0 },
  };
  for (const row of rows) {
    if (row.type !== 'inbound-rtp') continue;
    if (row.kind === 'audio') {
      totals.audio.bytes += num(row.bytesReceived);
      totals.audio.packets += num(row.packetsReceived);
      totals.audio.energy += num(row.totalAudioEnergy);
    } else if (row.kind === 'video') {
      totals.video.bytes += num(row.bytesReceived);
      totals.video.packets += num(row.packetsReceived);
      totals.video.framesDecoded += num(row.framesDecoded);
    }
  }
  return totals;
}

export interface Candidate {
  /** host, srflx, prflx or relay. */
  candidateType: string;
  address: string;
  /** The transport of the path: udp or tcp. */
  protocol: string;
  /** For a relay candidate: how this end reaches the TURN server (udp, tcp or tls). */
  relayProtocol?: string;
}

export interface SelectedPair {
  local: Candidate;
  remote: Candidate;
}

/** The transport's selected ICE candidate pair, if any. */
export function selectedPair(rows: readonly StatsRow[]): SelectedPair | undefined {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const transport = rows.find((r) => r.type === 'transport' && typeof r.selectedCandidatePairId === 'string');
  const pair = transport
    ? byId.get(transport.selectedCandidatePairId as string)
    : // Some browsers mark the pair itself instead.
      rows.find((r) => r.type === 'candidate-pair' && r.selected === true);
  const local = pair ? byId.get(pair.localCandidateId as string) : undefined;
  const remote = pair ? byId.get(pair.remoteCandidateId as string) : undefined;
  return local && remote ? { local: candidate(local), remote: candidate(remote) } : undefined;
}

const candidate = (row: StatsRow): Candidate => ({
  candidateType: String(row.candidateType),
  address: String(row.address ?? row.ip),
  protocol: String(row.protocol),
  ...(typeof row.relayProtocol === 'string' ? { relayProtocol: row.relayProtocol } : {}),
});

/** The candidate type of the local end of the transport's selected candidate pair, if any. */
export function selectedLocalCandidateType(rows: readonly StatsRow[]): string | undefined {
  return selectedPair(rows)?.local.candidateType;
}

/** The picture of a video stream now: size and frame rate (0 when unknown). */
export interface VideoFormat {
  width: number;
  height: number;
  fps: number;
}

/** The largest inbound video stream's format (what the person sees of the far side). */
export function inboundVideoFormat(rows: readonly StatsRow[]): VideoFormat {
  return largestVideo(rows, 'inbound-rtp');
}

/**
 * The largest outbound video stream's format (what the sender's encoder produces now), why it is not
 * larger, and the bitrate the encoder aims at (bit/s; 0 when unknown).
 */
export function outboundVideoFormat(
  rows: readonly StatsRow[],
): VideoFormat & { limitedBy: string; targetBitrate: number } {
  const row = rows.find((r) => r.type === 'outbound-rtp' && r.kind === 'video');
  return {
    ...largestVideo(rows, 'outbound-rtp'),
    limitedBy: String(row?.qualityLimitationReason ?? 'none'),
    targetBitrate: num(row?.targetBitrate),
  };
}

function largestVideo(rows: readonly StatsRow[], type: 'inbound-rtp' | 'outbound-rtp'): VideoFormat {
  const formats = rows
    .filter((r) => r.type === type && r.kind === 'video')
    .map((r) => ({ width: num(r.frameWidth), height: num(r.frameHeight), fps: num(r.framesPerSecond) }));
  return (
    formats.sort((a, b) => b.width * b.height - a.width * a.height)[0] ?? { width: 0, height: 0, fps: 0 }
  );
}

/**
 * Where a call's setup stands, in one line, for a failure message: the transport's ICE and DTLS states,
 * how many candidate pairs there are and in which states, and the packets in and out per kind.
 */
export function setupSummary(rows: readonly StatsRow[]): string {
  if (rows.length === 0) return 'no peer connection';
  const transport = rows.find((r) => r.type === 'transport');
  const pairStates = rows
    .filter((r) => r.type === 'candidate-pair')
    .map((r) => String(r.state))
    .reduce<Record<string, number>>(
      (counts, state) => ({ ...counts, [state]: (counts[state] ?? 0) + 1 }),
      {},
    );
  const packets = (type: string, field: string) =>
    rows
      .filter((r) => r.type === type)
      .map((r) => `${String(r.kind)} ${num(r[field])}`)
      .join(', ');
  return [
    `ice ${String(transport?.iceState ?? '?')}, dtls ${String(transport?.dtlsState ?? '?')}`,
    `candidate pairs ${JSON.stringify(pairStates)}`,
    `packets in: ${packets('inbound-rtp', 'packetsReceived') || 'none'}`,
    `packets out: ${packets('outbound-rtp', 'packetsSent') || 'none'}`,
  ].join('; ');
}
