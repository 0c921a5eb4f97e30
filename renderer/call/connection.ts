/**
 * The media connection of one call, from the moment both sides said yes: the peer connection (peer.ts)
 * sending the local tracks, the watch over its media path (path-recovery.ts), and from the first connect
 * the stats (media-stats.ts). These share one lifetime, so they live and end together here; the engine
 * hears what the call view needs through events and calls `close()` when the call ends.
 */
import type { Signal } from '../../signaling/protocol/index.js';
import type { SignalingClient } from '../net/signaling-client.js';
import { Emitter } from '../util/emitter.js';
import type { IceConfig } from './ice-config.js';
import type { LocalMedia } from './local-media.js';
import { MediaStats } from './media-stats.js';
import { PathRecovery } from './path-recovery.js';
import { PeerSession } from './peer.js';
import type { Quality } from './quality.js';
import type { TimingRecorder } from './timings.js';
import type { CallView } from './view.js';

export interface ConnectionOptions {
  callId: string;
  /** The callee is polite (perfect negotiation) and waits for the caller's first offer. */
  polite: boolean;
  media: CallView['media'];
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

  constructor(private readonly opts: ConnectionOptions) {
    super();
    const { callId, signaling, recorder, local } = opts;
    const peer = new PeerSession({
      polite: opts.polite,
      iceServers: opts.iceServers,
      relayOnly: opts.relayOnly,
      send: (signal: Signal) => void signaling.request('call.signal', { callId, signal }),
    });
    this.peer = peer;
    peer.on('remote-stream', (s) => this.emit('remote-stream', s));
    peer.on('remote-tracks', () =>
      this.emit(
        'remote-video',
        peer.remoteStream.getVideoTracks().some((t) => t.readyState === 'live' && !t.muted),
      ),
    );
    peer.on('description-sent', (type) => recorder.mark(type === 'offer' ? 'offer' : 'answer'));
    peer.on('description-received', (type) => {
      recorder.mark(type === 'offer' ? 'offer' : 'answer');
      // The far side renegotiating while the path is down is its ICE restart: ours waits its turn after it.
      if (type === 'offer') this.path.restartedByPeer();
    });
    peer.on('connection', (state) => this.onConnectionState(state));
    peer.on('error', (err) => console.warn('negotiation error', err));
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

  /** Whether media has stopped arriving: only then does a reconnect call for an ICE restart. */
  get mediaPaused(): boolean {
    return this.path.mediaPaused;
  }

  /** Restarts ICE (the far side's device or our signaling came back). */
  restart(): Promise<void> {
    return this.path.restart();
  }

  close(): void {
    this.stats?.stop();
    this.path.stop();
    this.peer.close();
  }

  private onConnectionState(state: RTCPeerConnectionState): void {
    if (state !== 'connected') return; // a path that breaks is noticed and mended by PathRecovery
    this.opts.recorder.mark('ice-connected');
    if (this.stats) return;
    const { pc } = this.peer;
    this.stats = new MediaStats({
      getStats: () => pc.getStats(),
      recorder: this.opts.recorder,
      media: this.opts.media,
      onQuality: (quality) => this.emit('quality', quality),
    });
    this.stats.start();
    this.emit('connected', undefined);
  }
}
