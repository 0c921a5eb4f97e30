/**
 * The media connection of one call, from the moment both sides said yes: the peer connection (peer.ts)
 * sending the local tracks, the watch over its media path (path-recovery.ts), and from the first connect
 * the stats (media-stats.ts). These share one lifetime, so they live and end together here; the engine
 * hears what the call view needs through events and calls `close()` when the call ends.
 *
 * The peer connection is the one made while the call rang (early.ts), when there is one: it may be
 * connected already, and the local tracks fill its transceivers with no renegotiation. Otherwise a new
 * one is made here and negotiated now.
 */
import type { Leg } from '../../signaling/protocol/index.js';
import type { SignalingClient } from '../net/signaling-client.js';
import { Emitter } from '../util/emitter.js';
import { newCallPeer } from './call-peer.js';
import type { IceConfig } from './ice-config.js';
import type { LocalMedia } from './local-media.js';
import { FirstMedia } from './first-media.js';
import { MediaStats } from './media-stats.js';
import { PathRecovery } from './path-recovery.js';
import type { PeerSession } from './peer.js';
import type { Quality } from './quality.js';
import type { TimingRecorder } from './timings.js';

export interface ConnectionOptions {
  callId: string;
  /** The connection made while the call rang, which goes on into the call; none: a new one is made. */
  early: PeerSession | null;
  /** The callee's answering device, as the caller's device knows it (signals from any other are not ours). */
  leg: Leg | undefined;
  /** The callee is polite (perfect negotiation); a new connection of the callee's waits for the caller's offer. */
  polite: boolean;
  local: LocalMedia;
  ice: IceConfig;
  iceServers: RTCIceServer[];
  relayOnly: boolean;
  signaling: Pick<SignalingClient, 'request' | 'reconnect'>;
  recorder: TimingRecorder;
  /** True while the server is away (the peer's hang-up then arrives only as its DTLS close). */
  serverAway(): boolean;
}

interface ConnectionEvents {
  'remote-stream': MediaStream;
  /** Whether a remote video track carries pictures now (the far side's camera on or off). */
  'remote-video': boolean;
  /** Media connected for the first time (the call timer starts). */
  connected: void;
  /** True while no media arrives and the path is being restored; false when it is back. */
  reconnecting: boolean;
  /** No media path could be found or restored. */
  'give-up': void;
  /** The peer closed its connection while the server was away (its hang-up); its media stopped this many ms ago. */
  'peer-closed': number;
  quality: Quality;
}

export class CallConnection extends Emitter<ConnectionEvents> {
  readonly peer: PeerSession;
  private readonly path: PathRecovery;
  private stats: MediaStats | null = null;
  private readonly firstMedia: FirstMedia;

  constructor(private readonly opts: ConnectionOptions) {
    super();
    const { callId, signaling, recorder, local } = opts;
    this.firstMedia = new FirstMedia(recorder);
    const peer =
      opts.early ??
      newCallPeer({
        callId,
        polite: opts.polite,
        awaitFirstOffer: opts.polite,
        iceServers: opts.iceServers,
        relayOnly: opts.relayOnly,
        signaling,
        recorder,
      });
    this.peer = peer;
    peer.on('remote-stream', (s) => this.emit('remote-stream', s));
    peer.on('remote-tracks', () => this.onRemoteTracks());
    peer.on('description-received', (type) => {
      // The far side renegotiating while the path is down is its ICE restart: ours waits its turn after it.
      if (type === 'offer') this.path.restartedByPeer();
    });
    peer.on('connection', (state) => this.onConnectionState(state));
    for (const track of local.stream.getTracks()) peer.sendTrack(track, local.stream);
    this.path = new PathRecovery({
      peer,
      ice: opts.ice,
      signaling,
      onReconnecting: (reconnecting) => this.emit('reconnecting', reconnecting),
      onGiveUp: () => this.emit('give-up', undefined),
      serverAway: opts.serverAway,
      onPeerClosed: (silentForMs) => this.emit('peer-closed', silentForMs),
    });
  }

  /** The answering device's leg (the caller's side, when the server gives legs). */
  get leg(): Leg | undefined {
    return this.opts.leg;
  }

  /**
   * What a connection made while it rang has already done, told to the engine now that it listens: the far
   * side's tracks, and that it connected.
   */
  catchUp(): void {
    if (this.peer.remoteStream.getTracks().length > 0) {
      this.emit('remote-stream', this.peer.remoteStream);
      this.onRemoteTracks();
    }
    this.onConnectionState(this.peer.pc.connectionState);
  }

  /** A far-side track came, or started or stopped carrying media. */
  private onRemoteTracks(): void {
    const stream = this.peer.remoteStream;
    this.firstMedia.check(stream);
    this.emit(
      'remote-video',
      stream.getVideoTracks().some((t) => t.readyState === 'live' && !t.muted),
    );
  }

  /** Whether media has stopped arriving: only then does a reconnect call for an ICE restart. */
  get mediaPaused(): boolean {
    return this.path.mediaPaused;
  }

  /** Restarts ICE (the far side's device or our signaling came back). */
  restart(): Promise<void> {
    return this.path.restart();
  }

  close(): void {
    this.firstMedia.stop();
    this.stats?.stop();
    this.path.stop();
    this.peer.close();
  }

  private onConnectionState(state: RTCPeerConnectionState): void {
    if (state !== 'connected') return; // a path that breaks is noticed and mended by PathRecovery
    if (this.stats) return;
    const { pc } = this.peer;
    this.stats = new MediaStats({
      getStats: () => pc.getStats(),
      onQuality: (quality) => this.emit('quality', quality),
    });
    this.stats.start();
    this.emit('connected', undefined);
  }
}
