/**
 * The ICE servers (STUN, TURN with credentials) of one call: asked for as soon as the call starts, so the
 * peer connection need not wait for them, and renewed before an ICE restart when the TURN credentials in use
 * expire soon (a long call).
 */
import type { RequestOutcome, SignalingClient } from '../net/signaling-client.js';

/** TURN credentials that expire within this long are renewed before an ICE restart uses them. */
export const CREDENTIALS_MARGIN_MS = 60_000;
/** A renewal during an outage must not wait long: the server answers in milliseconds when it can. */
const RENEWAL_TIMEOUT_MS = 1_000;

type Outcome = RequestOutcome<'ice.servers'>;

export class IceConfig {
  private inUse: Promise<Outcome>;

  constructor(private readonly signaling: Pick<SignalingClient, 'request'>) {
    this.inUse = signaling.request('ice.servers', {});
  }

  /** The servers to start the peer connection with; none when the server could not say. */
  async servers(): Promise<RTCIceServer[]> {
    return serversOf(await this.inUse);
  }

  /** The servers an ICE restart should switch to, or undefined to keep the ones in use. */
  async forRestart(): Promise<RTCIceServer[] | undefined> {
    const inUse = await this.inUse;
    const stale =
      !inUse.ok ||
      (inUse.expiresAt !== null && Date.parse(inUse.expiresAt) - Date.now() < CREDENTIALS_MARGIN_MS);
    if (!stale) return undefined;
    this.inUse = this.signaling.request('ice.servers', {}, { timeoutMs: RENEWAL_TIMEOUT_MS });
    const renewed = await this.inUse;
    return renewed.ok ? serversOf(renewed) : undefined;
  }
}

const serversOf = (ice: Outcome): RTCIceServer[] => (ice.ok ? ice.iceServers.map((s) => ({ ...s })) : []);
