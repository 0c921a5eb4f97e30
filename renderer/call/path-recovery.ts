/**
 * Keeping a call's media path, from the moment its peer connection starts: samples getStats every
 * `sampleMs`, lets `PathWatch` (recovery.ts, the pure rules) decide, and does what it says: checks that
 * the signaling connection still answers (and replaces a dead one), restarts ICE (with fresh TURN
 * credentials when needed), tells the engine when the call is reconnecting or back, and when to give up.
 * While the server is away it also watches for the peer closing its connection (its hang-up then).
 * One per peer connection; `stop()` when the call ends, after which nothing it started acts any more.
 */
import type { SignalingClient } from '../net/signaling-client.js';
import type { IceConfig } from './ice-config.js';
import type { PeerSession } from './peer.js';
import type { StatLike } from './quality.js';
import { PathWatch, pathSampleOf, recoveryTimings, type RecoveryAction } from './recovery.js';

/**
 * How long the server may take to answer while media is down before its connection counts as dead too.
 * It answers in milliseconds when it can; a connection left behind by a changed address never does.
 */
export const SIGNALING_PROBE_MS = 1_000;

export interface PathRecoveryOptions {
  peer: PeerSession;
  ice: IceConfig;
  signaling: Pick<SignalingClient, 'request' | 'reconnect'>;
  /** True while no media arrives and the path is being restored; false when it is back. */
  onReconnecting(reconnecting: boolean): void;
  /** No media path could be found or restored. */
  onGiveUp(): void;
  /** True while the server is away: the peer's hang-up can then only arrive as its DTLS close. */
  serverAway(): boolean;
  /** The peer closed its connection (its hang-up), when its media stopped `silentForMs` ago. */
  onPeerClosed(silentForMs: number): void;
}

/** Whether the far side closed its peer connection: our DTLS transport was closed from there (we close ours only at the end). */
const peerClosed = (pc: RTCPeerConnection): boolean =>
  pc.getSenders().some((sender) => sender.transport?.state === 'closed');

export class PathRecovery {
  private readonly watch = new PathWatch(Date.now());
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(private readonly opts: PathRecoveryOptions) {
    this.scheduleCheck();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether media has stopped arriving (from the first half second of silence until it is back). */
  get mediaPaused(): boolean {
    return this.watch.silent || this.watch.down;
  }

  /** The far side restarted ICE (it renegotiated while the path was down): ours waits its turn after it. */
  restartedByPeer(): void {
    this.watch.restarted(Date.now());
  }

  /** Restarts ICE; with fresh TURN credentials first when the ones in use expire soon (a long call). */
  async restart(): Promise<void> {
    this.watch.restarted(Date.now());
    const iceServers = await this.opts.ice.forRestart();
    if (this.stopped) return;
    await this.opts.peer.restartIce(iceServers);
  }

  /** Samples the media path every `sampleMs` (the next sample is scheduled once this one is in). */
  private scheduleCheck(): void {
    this.timer = setTimeout(() => void this.check(), recoveryTimings.sampleMs);
  }

  private async check(): Promise<void> {
    const { pc } = this.opts.peer;
    const report = await pc.getStats();
    if (this.stopped) return; // the call ended meanwhile
    const sample = pathSampleOf(report as unknown as Map<string, StatLike>, Date.now(), pc.connectionState);
    if (this.opts.serverAway() && peerClosed(pc)) {
      // Dated by when its media stopped, which a busy machine may notice only later.
      this.stop();
      return this.opts.onPeerClosed(sample.silenceMs ?? 0);
    }
    for (const action of this.watch.sample(sample)) this.act(action);
    if (!this.stopped) this.scheduleCheck();
  }

  private act(action: RecoveryAction): void {
    switch (action) {
      case 'check-signaling':
        return void this.probeSignaling();
      case 'reconnecting':
        return this.opts.onReconnecting(true);
      case 'recovered':
        return this.opts.onReconnecting(false);
      case 'restart':
        return void this.restart();
      case 'give-up':
        return this.opts.onGiveUp();
    }
  }

  /**
   * Media paused: is the server still there? After a network change the old connection neither answers
   * nor closes (Socket.IO's heartbeat notices after 45 s), and an ICE restart needs signaling. A new
   * connection's session.ready restarts ICE by itself. A late answer while media has come back meanwhile
   * is only a busy machine: reconnecting then would make the far side see us drop for nothing.
   */
  private async probeSignaling(): Promise<void> {
    const answer = await this.opts.signaling.request('ice.servers', {}, { timeoutMs: SIGNALING_PROBE_MS });
    if (this.stopped || !this.watch.silent) return;
    if (!answer.ok && answer.error.code === 'E_NETWORK') this.opts.signaling.reconnect();
  }
}
