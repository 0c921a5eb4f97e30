/**
 * Reading WebRTC getStats rows (as `parleyDiagnostics.stats()` returns them):
 * inbound media totals per kind and the selected ICE candidate pair.
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

/** The candidate type of the local end of the transport's selected candidate pair, if any. */
export function selectedLocalCandidateType(rows: readonly StatsRow[]): string | undefined {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const transport = rows.find((r) => r.type === 'transport' && typeof r.selectedCandidatePairId === 'string');
  const pair = transport
    ? byId.get(transport.selectedCandidatePairId as string)
    : // Some browsers mark the pair itself instead.
      rows.find((r) => r.type === 'candidate-pair' && r.selected === true);
  const local = pair ? byId.get(pair.localCandidateId as string) : undefined;
  return typeof local?.candidateType === 'string' ? local.candidateType : undefined;
}
