/**
 * ICE servers (STUN, TURN with credentials). `IceServersSource`: the last answer the server gave this
 * session, asked for when the session is ready, so that a call's peer connection starts with them instead
 * of waiting for a round trip (while it rings, that wait came before the connection was even made).
 * `IceConfig`: those of one call, renewed before an ICE restart when the TURN credentials in use expire
 * soon (a long call).
 */
import type { RequestOutcome, SignalingClient } from '../net/signaling-client.js';

/** TURN credentials that expire within this long are renewed before an ICE restart uses them. */
export const CREDENTIALS_MARGIN_MS = 60_000;
/** A renewal during an outage must not wait long: the server answers in milliseconds when it can. */
const RENEWAL_TIMEOUT_MS = 1_000;

/** A call starts with the session's TURN credentials only while they last at least this much longer. */
export const FRESH_FOR_CALL_MS = 30 * 60_000;

type Outcome = RequestOutcome<'ice.servers'>;
type Signaling = Pick<SignalingClient, 'request'>;

export class IceServersSource {
  private asked: Promise<Outcome> | null = null;
  private answer: Outcome | null = null;

  constructor(private readonly signaling: Signaling) {}

  /** Asks the server now (a session became ready: it may be another account's). */
  refresh(): Promise<Outcome> {
    this.answer = null;
    const asked = this.signaling.request('ice.servers', {});
    this.asked = asked;
    void asked.then((answer) => this.asked === asked && (this.answer = answer));
    return asked;
  }

  /** Servers for a call starting now: the session's while they are good for a call, else asked anew. */
  forCall(): Promise<Outcome> {
    const { answer, asked } = this;
    if (asked && !answer) return asked; // on its way: as fresh as a new one
    const good =
      answer?.ok &&
      (answer.expiresAt === null || Date.parse(answer.expiresAt) - Date.now() >= FRESH_FOR_CALL_MS);
    return good ? Promise.resolve(answer) : this.refresh();
  }
}

export class IceConfig {
  private inUse: Promise<Outcome>;

  constructor(
    private readonly signaling: Signaling,
    source: IceServersSource,
  ) {
    this.inUse = source.forCall();
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
