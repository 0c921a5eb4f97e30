/**
 * The ends of answered calls that the server did not see (it was away when the call was hung up, or the
 * peer's hang-up arrived only as its DTLS close), kept until the server is back and told with
 * `call.reportEnd`, so that history shows when and how each call really ended.
 */
import { CALL_REPORT_MAX_AGE_MS, type CallEndReport } from '../../signaling/protocol/index.js';
import type { SignalingClient } from '../net/signaling-client.js';
import type { CallView } from './view.js';

export class EndReports {
  /** By call id: how the call ended, and when (performance.now()). */
  private readonly unreported = new Map<string, { reason: CallEndReport['reason']; at: number }>();

  constructor(private readonly signaling: Pick<SignalingClient, 'request'>) {}

  /** An answered call ended at `at` while the server was away (a call never answered has no end to report). */
  endedUnseen(view: CallView, reason: CallEndReport['reason'], at: number): void {
    if (view.callId && view.connectedAt) this.unreported.set(view.callId, { reason, at });
  }

  /**
   * Tells the server how the calls that ended while it was away ended: a live one ends then, for both
   * sides; one it ended itself meanwhile (connection lost) gets the real end in history. Returns their ids.
   */
  report(): Set<string> {
    const ids = new Set(this.unreported.keys());
    for (const [callId, { reason, at }] of this.unreported) {
      const endedMsAgo = Math.round(performance.now() - at);
      if (endedMsAgo > CALL_REPORT_MAX_AGE_MS) {
        this.unreported.delete(callId); // too old for the server to take
        continue;
      }
      void this.signaling.request('call.reportEnd', { callId, reason, endedMsAgo }).then((result) => {
        // Answered, even with a refusal: done. Lost on the way: the next session.ready tries again.
        if (result.ok || result.error.code !== 'E_NETWORK') this.unreported.delete(callId);
      });
    }
    return ids;
  }
}
