/**
 * The ends of answered calls that the server did not see (it was away when the call was hung up, or the
 * peer's hang-up arrived only as its DTLS close), kept until the server is back and told with
 * `call.reportEnd`, so that history shows when and how each call really ended. They are kept in the
 * platform's storage too, so a page reloaded or closed before the server came back still tells it, from
 * the same device, when it connects again. A server that is there but cannot reach its storage
 * (E_UNAVAILABLE) is told again every REPORT_RETRY_MS until it takes the report.
 */
import { z } from 'zod';
import { CALL_REPORT_MAX_AGE_MS, CallEndReport } from '../../signaling/protocol/index.js';
import { mayTryAgain, type SignalingClient } from '../net/signaling-client.js';
import type { KeyValueStore } from '../platform/platform.js';
import type { CallView } from './view.js';

/** Where the unreported ends are kept, for every device of this browser profile (tabs are devices). */
export const UNREPORTED_ENDS_KEY = 'parley.unreportedCallEnds';

const UnreportedEnd = z.object({
  callId: z.string(),
  reason: CallEndReport.shape.reason,
  /** When it ended, epoch ms (a reload resets performance.now()). */
  endedAt: z.number(),
  /** The device that carried the call: only it may report the end. */
  deviceId: z.string(),
});
type UnreportedEnd = z.infer<typeof UnreportedEnd>;

/** How long after an E_UNAVAILABLE answer the ends are reported again (storage outages last seconds). */
export const REPORT_RETRY_MS = 5_000;

export class EndReports {
  /** This device, as the last `session.ready` said. */
  private deviceId: string | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly signaling: Pick<SignalingClient, 'request'>,
    private readonly storage: KeyValueStore,
  ) {}

  /**
   * An answered call ended at `at` (performance.now()) while the server was away; a call never answered has
   * no end to report.
   */
  endedUnseen(view: CallView, reason: CallEndReport['reason'], at: number, answer?: string): void {
    if (!view.callId || !view.connectedAt || !this.deviceId) return;
    const endedAt = Date.now() - (performance.now() - at);
    const { callId, deviceId } = { callId: view.callId, deviceId: this.deviceId };
    this.save([...this.load().filter((e) => e.callId !== callId), { callId, reason, endedAt, deviceId }]);
    if (answer === 'E_UNAVAILABLE') this.reportLater();
  }

  /** Stops reporting again later (the engine is disposed). */
  stop(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /**
   * Tells the server how this device's calls that ended while it was away ended: a live one ends then, for
   * both sides; one it ended itself meanwhile (connection lost) gets the real end in history. Returns their
   * ids. `deviceId`: this device, from the `session.ready` that says the server is back.
   */
  report(deviceId: string): Set<string> {
    this.deviceId = deviceId;
    const now = Date.now();
    const mine = this.load().filter((e) => e.deviceId === deviceId);
    const ids = new Set(mine.map((e) => e.callId));
    for (const { callId, reason, endedAt } of mine) {
      const endedMsAgo = Math.max(0, Math.round(now - endedAt));
      if (endedMsAgo > CALL_REPORT_MAX_AGE_MS) {
        this.forget(callId); // too old for the server to take
        continue;
      }
      void this.signaling.request('call.reportEnd', { callId, reason, endedMsAgo }).then((result) => {
        // Answered, even with a refusal: done. Lost on the way: the next session.ready tries again. The
        // server's storage out of reach: a little later.
        if (result.ok || !mayTryAgain(result.error.code)) this.forget(callId);
        else if (result.error.code === 'E_UNAVAILABLE') this.reportLater();
      });
    }
    return ids;
  }

  /** Reports once more in a while (once, however many ends asked for it). */
  private reportLater(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.deviceId) this.report(this.deviceId);
    }, REPORT_RETRY_MS);
  }

  private forget(callId: string): void {
    this.save(this.load().filter((e) => e.callId !== callId));
  }

  /** The stored ends; anything unreadable (another version's, or edited by hand) counts as none. */
  private load(): UnreportedEnd[] {
    try {
      const stored: unknown = JSON.parse(this.storage.get(UNREPORTED_ENDS_KEY) ?? '[]');
      if (!Array.isArray(stored)) return [];
      return stored.flatMap((e) => {
        const parsed = UnreportedEnd.safeParse(e);
        return parsed.success ? [parsed.data] : [];
      });
    } catch {
      return [];
    }
  }

  private save(ends: UnreportedEnd[]): void {
    if (ends.length === 0) this.storage.remove(UNREPORTED_ENDS_KEY);
    else this.storage.set(UNREPORTED_ENDS_KEY, JSON.stringify(ends));
  }
}
