/**
 * One RTCPeerConnection with the perfect-negotiation pattern, so either
 * side may renegotiate (a camera started mid-call, an ICE restart) and
 * offer collisions resolve themselves: the callee is polite, the caller not.
 *
 * A connection made while the call rings carries no media yet: the callee
 * offers transceivers ready to send but without tracks (`prepareToSend`),
 * the caller answers ready to send (`readyToSend`), and on Accept each side's
 * `sendTrack` fills them with `replaceTrack`, with no renegotiation.
 */
import type { Signal } from '../../signaling/protocol/index.js';
import { Emitter } from '../util/emitter.js';
import { FULL_SIZE_AFTER_MS, scalePicture, startingScale } from './video-start.js';

export interface PeerOptions {
  polite: boolean;
  /** Wait for the far side's first offer instead of offering this side's tracks as they come. */
  awaitFirstOffer: boolean;
  /**
   * Answer the first offer ready to send on every transceiver it brings, though no track is attached yet:
   * tracks sent later then flow without a renegotiation (the caller's connection made while it rings).
   */
  readyToSend?: boolean;
  iceServers: RTCIceServer[];
  /** Only relay (TURN) candidates: hides addresses, proves the TURN path. */
  relayOnly: boolean;
  send(signal: Signal): void;
}

interface PeerEvents {
  'remote-stream': MediaStream;
  /** A remote track started or stopped carrying media (camera on/off on the far side). */
  'remote-tracks': void;
  connection: RTCPeerConnectionState;
  'description-sent': 'offer' | 'answer';
  'description-received': 'offer' | 'answer';
  error: Error;
}

export class PeerSession extends Emitter<PeerEvents> {
  readonly pc: RTCPeerConnection;
  readonly remoteStream = new MediaStream();
  private makingOffer = false;
  private ignoreOffer = false;
  private awaitingFirstOffer: boolean;
  private incoming: Promise<void> = Promise.resolve();
  private closed = false;
  /** Timers that end with the connection (a camera's full size). */
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly opts: PeerOptions) {
    super();
    this.awaitingFirstOffer = opts.awaitFirstOffer;
    this.pc = new RTCPeerConnection({
      iceServers: opts.iceServers,
      iceTransportPolicy: opts.relayOnly ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
    });
    this.pc.onnegotiationneeded = () => void this.negotiate();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate)
        this.opts.send({
          kind: 'candidate',
          candidate: candidate.toJSON() as RTCIceCandidateInit & { candidate: string },
        });
    };
    this.pc.ontrack = ({ track }) => {
      track.onmute = track.onunmute = track.onended = () => this.remoteTrackChanged(track);
      this.remoteTrackChanged(track);
    };
    this.pc.onconnectionstatechange = () => this.emit('connection', this.pc.connectionState);
  }

  /**
   * Adds a transceiver ready to send for each kind, with no track yet: the offer of a connection made while
   * the call rings, which `sendTrack` fills on Accept without a renegotiation.
   */
  prepareToSend(kinds: readonly ('audio' | 'video')[]): void {
    for (const kind of kinds) this.pc.addTransceiver(kind, { direction: 'sendrecv' });
  }

  /**
   * Sends a track, reusing a transceiver of its kind that carries none (made ready while ringing, or whose
   * track was stopped), else adding one. A transceiver already negotiated to send needs no renegotiation;
   * the stream association is left as negotiated (the far side builds its own stream), as changing it
   * would renegotiate. A track sent already is left alone. A camera starts small (video-start.ts).
   */
  sendTrack(track: MediaStreamTrack, stream: MediaStream): void {
    if (this.pc.getSenders().some((s) => s.track === track)) return; // sent already
    const scale = startingScale(track);
    const idle = this.pc
      .getTransceivers()
      .find(
        (t) => t.receiver.track.kind === track.kind && !t.sender.track && t.currentDirection !== 'stopped',
      );
    if (idle) {
      if (idle.direction !== 'sendrecv') idle.direction = 'sendrecv';
      void this.attach(idle.sender, track, scale);
    } else if (scale > 1) {
      const added = this.pc.addTransceiver(track, {
        direction: 'sendrecv',
        streams: [stream],
        sendEncodings: [{ scaleResolutionDownBy: scale }],
      });
      this.fullSizeLater(added.sender, track);
    } else {
      this.pc.addTrack(track, stream);
    }
  }

  /** Puts a track on a sender, its picture scaled down first when it starts small. */
  private async attach(sender: RTCRtpSender, track: MediaStreamTrack, scale: number): Promise<void> {
    if (scale > 1) await scalePicture(sender, scale);
    await sender.replaceTrack(track);
    if (scale > 1) this.fullSizeLater(sender, track);
  }

  /** `FULL_SIZE_AFTER_MS` after the connection is up (now, or when it connects), the picture goes full size. */
  private fullSizeLater(sender: RTCRtpSender, track: MediaStreamTrack): void {
    const arm = () => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.closed && sender.track === track) void scalePicture(sender, 1);
      }, FULL_SIZE_AFTER_MS);
      this.timers.add(timer);
    };
    if (this.pc.connectionState === 'connected') return arm();
    const off = this.on('connection', (state) => {
      if (state !== 'connected') return;
      off();
      arm();
    });
  }

  /** Swaps the track a sender carries without renegotiating (device switch). */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack): Promise<boolean> {
    const sender = this.pc.getSenders().find((s) => s.track?.kind === kind);
    if (!sender) return false;
    await sender.replaceTrack(track);
    return true;
  }

  /** Stops sending a kind (camera off): the far side sees its track mute after renegotiation. */
  stopSending(kind: 'audio' | 'video'): void {
    for (const t of this.pc.getTransceivers()) {
      if (t.sender.track?.kind !== kind) continue;
      void t.sender.replaceTrack(null);
      t.direction = 'recvonly';
    }
  }

  /**
   * Restarts ICE, with new ICE servers if given (fresh TURN credentials). An offer of ours still waiting for
   * its answer (lost while the network was down) is rolled back first: otherwise no new offer can be made
   * and every offer from the other side looks like a collision.
   */
  async restartIce(iceServers?: RTCIceServer[]): Promise<void> {
    if (this.closed) return;
    if (iceServers) this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    if (this.pc.signalingState === 'have-local-offer')
      await this.pc.setLocalDescription({ type: 'rollback' });
    this.pc.restartIce();
  }

  /** Handles a relayed description or candidate, one at a time in arrival order. */
  /** Resolves once every signal received so far is applied: an offer's transceivers exist by then. */
  settled(): Promise<void> {
    return this.incoming;
  }

  receive(signal: Signal): Promise<void> {
    this.incoming = this.incoming
      .then(() => this.apply(signal))
      .catch((err: unknown) => this.emit('error', err as Error));
    return this.incoming;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.pc.onnegotiationneeded =
      this.pc.onicecandidate =
      this.pc.ontrack =
      this.pc.onconnectionstatechange =
        null;
    this.pc.close();
    for (const track of this.remoteStream.getTracks()) track.stop();
  }

  /**
   * A remote track came, or started or stopped carrying media. A video track joins the remote stream only
   * once its first packet came (it unmutes): a page's video element given a video track that never brings
   * a frame waits for one and plays none of the stream's sound either, and a connection made while it rang
   * has a video track from a far side that may answer without a camera.
   */
  private remoteTrackChanged(track: MediaStreamTrack): void {
    const joins = !this.remoteStream.getTracks().includes(track) && (track.kind === 'audio' || !track.muted);
    if (joins) {
      this.remoteStream.addTrack(track);
      this.emit('remote-stream', this.remoteStream);
    }
    this.emit('remote-tracks', undefined);
  }

  private async negotiate(): Promise<void> {
    if (this.awaitingFirstOffer || this.closed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const description = this.pc.localDescription;
      if (description?.type === 'offer') {
        this.opts.send({ kind: 'description', description: { type: 'offer', sdp: description.sdp } });
        this.emit('description-sent', 'offer');
      }
    } catch (err) {
      this.emit('error', err as Error);
    } finally {
      this.makingOffer = false;
    }
  }

  private async apply(signal: Signal): Promise<void> {
    if (this.closed) return;
    if (signal.kind === 'candidate') {
      if (!signal.candidate) return;
      try {
        await this.pc.addIceCandidate(signal.candidate);
      } catch (err) {
        if (!this.ignoreOffer) throw err;
      }
      return;
    }
    const { description } = signal;
    const collision =
      description.type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
    this.ignoreOffer = !this.opts.polite && collision;
    if (this.ignoreOffer) return;
    await this.pc.setRemoteDescription(description);
    this.emit('description-received', description.type);
    if (description.type === 'offer') {
      if (this.opts.readyToSend && this.awaitingFirstOffer)
        for (const t of this.pc.getTransceivers()) t.direction = 'sendrecv';
      this.awaitingFirstOffer = false;
      await this.pc.setLocalDescription();
      const answer = this.pc.localDescription;
      if (answer) {
        this.opts.send({ kind: 'description', description: { type: 'answer', sdp: answer.sdp } });
        this.emit('description-sent', 'answer');
      }
    }
  }
}
