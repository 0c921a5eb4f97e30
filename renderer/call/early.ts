/**
 * Connecting while it rings (the server says a ringing device may: `IncomingCall.preconnect`). Each ringing
 * device of the callee offers the caller's device a connection of its own as soon as it rings; the caller's
 * device answers each one (a "leg"), and ICE and DTLS run while the phone rings. No media goes either way:
 * the callee's camera and microphone stay closed until Accept, and the caller attaches its tracks only to
 * the leg that answered. On Accept the answering leg's connection goes on into the call (`take`) and the
 * others close, so media flows as soon as the tracks are attached.
 *
 * One per call and side: `offering` on a ringing device, `answering` on the caller's. `close()` when the
 * call ends or a connection has been taken; connections still being made close as they come.
 */
import type { Leg, Media, Signal } from '../../signaling/protocol/index.js';
import type { SignalingClient } from '../net/signaling-client.js';
import { newCallPeer } from './call-peer.js';
import type { PeerSession } from './peer.js';
import type { TimingRecorder } from './timings.js';

export interface EarlyOptions {
  callId: string;
  media: Media;
  iceServers(): Promise<RTCIceServer[]>;
  relayOnly: boolean;
  signaling: Pick<SignalingClient, 'request'>;
  recorder: TimingRecorder;
}

/** The callee's one connection, to the caller's device (signals from there carry no leg). */
const CALLER = 'caller';
/** More legs than a user may have devices is not a callee ringing: the rest are ignored. */
const MAX_LEGS = 16;
/**
 * How long the caller's side waits for the answering device's first offer when the answer came before it:
 * the relay can be slower than the answer (seen: 220 ms later on a loaded machine). Offering instead would
 * cross that offer, and the answering device's tracks would be left on transceivers its connection no
 * longer uses. Only a device that never offers (an older client) costs this wait.
 */
export const LATE_OFFER_WAIT_MS = 2_000;

export class EarlyConnections {
  private readonly peers = new Map<string, Promise<PeerSession | null>>();
  /** The connection `take` handed on: the only one still made after `close()`. */
  private kept: Promise<PeerSession | null> | undefined;
  private closed = false;
  /** `take` waits for this leg's first offer, which opens its connection. */
  private awaited: { key: string; opened: () => void } | null = null;

  private constructor(
    private readonly opts: EarlyOptions,
    private readonly side: 'offering' | 'answering',
  ) {}

  /** The ringing device's side: offers the caller's device a connection now, ready to send `media` on Accept. */
  static offering(opts: EarlyOptions): EarlyConnections {
    const early = new EarlyConnections(opts, 'offering');
    early.open(undefined);
    return early;
  }

  /** The caller's side: answers each ringing device's offer as it comes. */
  static answering(opts: EarlyOptions): EarlyConnections {
    return new EarlyConnections(opts, 'answering');
  }

  /** A signal for one of the connections: on the caller's side, a leg's first offer makes its connection. */
  receive(leg: Leg | undefined, signal: Signal): void {
    const key = this.side === 'offering' ? CALLER : leg;
    if (!key || this.closed) return;
    const isOffer = signal.kind === 'description' && signal.description.type === 'offer';
    if (!this.peers.has(key) && this.side === 'answering' && isOffer && this.peers.size < MAX_LEGS)
      this.open(leg);
    void this.peers.get(key)?.then((peer) => peer?.receive(signal));
  }

  /**
   * The connection that goes on into the call (the callee's own, or the caller's to `leg`), or null when
   * there is none; every other one closes, and nothing is made any more.
   */
  async take(leg?: Leg): Promise<PeerSession | null> {
    const key = this.side === 'offering' ? CALLER : leg;
    if (key && this.side === 'answering' && !this.peers.has(key)) await this.offerFrom(key);
    this.kept = key ? this.peers.get(key) : undefined;
    if (key) this.peers.delete(key);
    this.close();
    const peer = (await this.kept) ?? null;
    // An offer still being applied (it came just now): the call's tracks must find its transceivers.
    await peer?.settled();
    return peer;
  }

  /** Waits for the first offer of `key`, at most `LATE_OFFER_WAIT_MS`. */
  private async offerFrom(key: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.awaited = { key, opened: resolve };
      timer = setTimeout(resolve, LATE_OFFER_WAIT_MS);
    });
    clearTimeout(timer);
    this.awaited = null;
  }

  close(): void {
    this.closed = true;
    for (const peer of this.peers.values()) void peer.then((p) => p?.close());
    this.peers.clear();
  }

  /** Makes the connection to `leg` (the caller's side) or to the caller's device (none). */
  private open(leg: Leg | undefined): void {
    const { callId, media, relayOnly, signaling, recorder } = this.opts;
    const offering = this.side === 'offering';
    const made = this.opts.iceServers().then((iceServers) => {
      if (this.closed && this.kept !== made) return null;
      const peer = newCallPeer({
        callId,
        leg,
        polite: offering,
        awaitFirstOffer: !offering,
        readyToSend: !offering,
        iceServers,
        relayOnly,
        signaling,
        recorder,
      });
      if (offering) peer.prepareToSend(media === 'video' ? ['audio', 'video'] : ['audio']);
      return peer;
    });
    this.peers.set(leg ?? CALLER, made);
    if (this.awaited?.key === (leg ?? CALLER)) this.awaited.opened();
  }
}
