/**
 * The call engine: one call at a time, from invite or incoming ring to
 * hang-up. Framework-free, with typed events the stores subscribe to. It
 * owns the local tracks and the peer connection and releases both at every
 * end, whatever the reason.
 */
import type {
  CallEndedReason,
  CallSnapshot,
  IncomingCall,
  Media,
  Signal,
  UserSummary,
} from '../../signaling/protocol/index.js';
import type { RequestOutcome, SignalingClient } from '../net/signaling-client.js';
import { Emitter } from '../util/emitter.js';
import { LocalMediaError, openTrack } from './media.js';
import { PeerSession } from './peer.js';
import { qualityOf, type Quality, type StatLike, type StatsTotals } from './quality.js';
import { PathWatch, pathSampleOf, recoveryTimings, type RecoveryAction } from './recovery.js';
import { TimingRecorder, type SetupTimings } from './timings.js';

export type CallPhase = 'outgoing' | 'incoming' | 'connecting' | 'active';

export interface CallView {
  callId: string | null;
  direction: 'outgoing' | 'incoming';
  peer: UserSummary;
  media: Media;
  phase: CallPhase;
  /** Outgoing: the callee's devices are ringing. */
  ringing: boolean;
  /** Epoch ms when media first connected (the call timer starts here). */
  connectedAt: number | null;
  /** False while the far side's device is reconnecting. */
  peerConnected: boolean;
  /** True while no media arrives and the path is being restored (ICE restart). */
  reconnecting: boolean;
  muted: boolean;
  cameraOn: boolean;
  remoteVideo: boolean;
}

/** Why a call ended, as the person is told: server reasons plus local failures. */
export type EndReason = CallEndedReason | 'failed' | 'refused';

export interface EngineError {
  code: string;
  message: string;
}

interface EngineEvents {
  call: CallView | null;
  ended: { callId: string | null; peer: UserSummary; reason: EndReason; code?: string };
  'local-stream': MediaStream | null;
  'remote-stream': MediaStream | null;
  quality: Quality | null;
  /** Something the person should be told; the call may go on. */
  notice: EngineError;
}

export interface EnginePreferences {
  microphoneId?: string | undefined;
  cameraId?: string | undefined;
  relayOnly: boolean;
}

type Signaling = Pick<SignalingClient, 'request' | 'on' | 'reconnect'>;

const QUALITY_INTERVAL_MS = 2_000;
const FIRST_FRAME_POLL_MS = 100;
/** Stop looking for a first frame that may never come (voice-only answer, camera off). */
const FIRST_FRAME_MAX_MS = 10_000;
/**
 * How long the server may take to answer while media is down before its connection counts as dead too.
 * It answers in milliseconds when it can; a connection left behind by a changed address never does.
 */
const SIGNALING_PROBE_MS = 1_000;
/** TURN credentials that expire within this long are renewed before an ICE restart uses them. */
const CREDENTIALS_MARGIN_MS = 60_000;

export class CallEngine extends Emitter<EngineEvents> {
  private view: CallView | null = null;
  private local: MediaStream | null = null;
  private peer: PeerSession | null = null;
  private recorder: TimingRecorder | null = null;
  /** ICE servers asked for as soon as a call starts, so the peer connection need not wait for them. */
  private iceConfig: Promise<RequestOutcome<'ice.servers'>> | null = null;
  /** Changes when a call starts or ends: work that awaited something checks it is still for the same call. */
  private serial = 0;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private firstFrameTimer: ReturnType<typeof setInterval> | null = null;
  private lastTotals: StatsTotals | null = null;
  private pathWatch: PathWatch | null = null;
  private pathTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly signaling: Signaling,
    private readonly preferences: () => EnginePreferences,
  ) {
    super();
    this.unsubscribe.push(
      signaling.on('call.incoming', (p) => this.onIncoming(p)),
      signaling.on('call.ringing', (p) =>
        this.ifCurrent(p.callId, () => this.update({ ringing: true }, 'ringing')),
      ),
      signaling.on('call.accepted', (p) => this.ifCurrent(p.callId, () => void this.onAccepted())),
      signaling.on('call.ended', (p) =>
        // `failed` comes from a device that found no media path (its hangup says so): say why here too.
        this.ifCurrent(p.callId, () =>
          this.finish(p.reason, p.reason === 'failed' ? 'E_ICE_FAILED' : undefined),
        ),
      ),
      signaling.on('call.signal', (p) => this.ifCurrent(p.callId, () => void this.peer?.receive(p.signal))),
      signaling.on('call.peer', (p) => this.ifCurrent(p.callId, () => this.onPeerConnection(p.connected))),
      signaling.on('session.ready', (p) => this.onSessionReady(p.calls)),
    );
  }

  get current(): CallView | null {
    return this.view;
  }

  get localStream(): MediaStream | null {
    return this.local;
  }

  get remoteStream(): MediaStream | null {
    return this.peer?.remoteStream ?? null;
  }

  /** Setup timings of the current (or last) call. */
  get timings(): SetupTimings | null {
    return this.recorder?.timings ?? null;
  }

  /** The raw stats of the current call, for diagnostics and tests. */
  async stats(): Promise<RTCStatsReport | null> {
    return this.peer ? this.peer.pc.getStats() : null;
  }

  /** Calls a contact: opens local media first, so a refused camera stops us before anyone rings. */
  async call(peer: UserSummary, media: Media): Promise<void> {
    if (this.view) return this.notice('E_IN_CALL', 'already in a call');
    this.recorder = new TimingRecorder();
    this.iceConfig = this.signaling.request('ice.servers', {});
    this.setView({
      callId: null,
      direction: 'outgoing',
      peer,
      media,
      phase: 'outgoing',
      ringing: false,
      connectedAt: null,
      peerConnected: true,
      reconnecting: false,
      muted: false,
      cameraOn: media === 'video',
      remoteVideo: false,
    });
    const serial = this.serial;
    if (!(await this.openLocalMedia(media, serial))) return this.finishIf(serial, 'refused');
    this.recorder.mark('invite-sent');
    const result = await this.signaling.request('call.invite', { callee: peer.username, media });
    if (serial !== this.serial || this.current?.callId !== null) {
      // Cancelled while the invite was on its way: the server is ringing them, so stop it.
      if (result.ok) void this.signaling.request('call.cancel', { callId: result.callId });
      return;
    }
    if (!result.ok) return this.finish('refused', result.error.code);
    this.update({ callId: result.callId });
  }

  /** Answers the ringing call with voice, or with voice and video. */
  async accept(media: Media): Promise<void> {
    const view = this.view;
    if (!view || view.phase !== 'incoming' || !view.callId) return;
    this.update({ phase: 'connecting', cameraOn: media === 'video' });
    const serial = this.serial;
    if (!(await this.openLocalMedia(media, serial))) {
      if (serial !== this.serial) return;
      await this.signaling.request('call.decline', { callId: view.callId });
      return this.finishIf(serial, 'refused');
    }
    await this.startPeer(true);
    if (serial !== this.serial) return;
    const result = await this.signaling.request('call.accept', { callId: view.callId });
    if (serial !== this.serial) return;
    if (!result.ok)
      return this.finish(
        result.error.code === 'E_CALL_STATE' ? 'answered-elsewhere' : 'failed',
        result.error.code,
      );
    this.recorder?.mark('accepted');
  }

  async decline(): Promise<void> {
    const callId = this.view?.callId;
    if (!callId || this.view?.phase !== 'incoming') return;
    await this.signaling.request('call.decline', { callId });
  }

  /** Ends the call in any phase: cancel while ringing out, hang up once connected. */
  async hangup(): Promise<void> {
    const view = this.view;
    if (!view) return;
    if (!view.callId) return this.finish('cancelled'); // the invite has not been answered yet
    const result = await this.signaling.request('call.hangup', { callId: view.callId });
    if (!result.ok)
      this.finish(view.direction === 'outgoing' && !view.connectedAt ? 'cancelled' : 'completed');
  }

  setMuted(muted: boolean): void {
    if (!this.view) return;
    for (const track of this.local?.getAudioTracks() ?? []) track.enabled = !muted;
    this.update({ muted });
  }

  /** Turns the camera on or off; turning it on in a voice call adds video for both sides. */
  async setCamera(on: boolean): Promise<void> {
    if (!this.view || !this.local) return;
    if (!on) {
      for (const track of this.local.getVideoTracks()) {
        track.stop();
        this.local.removeTrack(track);
      }
      this.peer?.stopSending('video');
      this.update({ cameraOn: false });
      this.emit('local-stream', this.local);
      return;
    }
    const local = this.local;
    try {
      const { track, fellBack } = await openTrack('video', this.preferences().cameraId);
      // The call ended, or the camera came on meanwhile: this track is not needed (and must not stay lit).
      if (this.local !== local || local.getVideoTracks().length > 0) return track.stop();
      if (fellBack) this.notice('E_DEVICE_FALLBACK', 'camera');
      local.addTrack(track);
      this.peer?.sendTrack(track, local);
      this.update({ cameraOn: true });
      this.emit('local-stream', local);
    } catch (err) {
      this.notice((err as LocalMediaError).code ?? 'E_MEDIA_FAILED', 'camera');
    }
  }

  /** Switches microphone or camera mid-call without renegotiating. */
  async switchDevice(kind: 'audio' | 'video', deviceId: string | undefined): Promise<void> {
    const local = this.local;
    const inUse = () => (kind === 'audio' ? local?.getAudioTracks()[0] : local?.getVideoTracks()[0]);
    if (!this.view || !local || !inUse()) return;
    try {
      const { track, fellBack } = await openTrack(kind, deviceId);
      // Re-read after the wait: the call may have ended, or another switch may have replaced the track.
      const old = inUse();
      if (this.local !== local || !this.view || !old) return track.stop();
      if (fellBack) this.notice('E_DEVICE_FALLBACK', kind === 'audio' ? 'microphone' : 'camera');
      if (kind === 'audio') track.enabled = !this.view.muted;
      await this.peer?.replaceTrack(kind, track);
      local.removeTrack(old);
      old.stop();
      local.addTrack(track);
      this.emit('local-stream', local);
    } catch (err) {
      this.notice(
        (err as LocalMediaError).code ?? 'E_MEDIA_FAILED',
        kind === 'audio' ? 'microphone' : 'camera',
      );
    }
  }

  /** The id of the device a local track is using now. */
  deviceInUse(kind: 'audio' | 'video'): string | undefined {
    const track = kind === 'audio' ? this.local?.getAudioTracks()[0] : this.local?.getVideoTracks()[0];
    return track?.getSettings().deviceId;
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
    if (this.view) this.finish('failed');
  }

  private onIncoming(call: IncomingCall): void {
    if (this.view) return; // the server rings us only when free; a duplicate is ignored
    this.recorder = new TimingRecorder();
    this.recorder.mark('incoming');
    this.iceConfig = this.signaling.request('ice.servers', {});
    this.setView({
      callId: call.callId,
      direction: 'incoming',
      peer: call.caller,
      media: call.media,
      phase: 'incoming',
      ringing: true,
      connectedAt: null,
      peerConnected: true,
      reconnecting: false,
      muted: false,
      cameraOn: false,
      remoteVideo: false,
    });
  }

  private async onAccepted(): Promise<void> {
    this.recorder?.mark('accepted');
    this.update({ phase: 'connecting', ringing: false });
    await this.startPeer(false);
  }

  /** On every (re)connect: ring for a call still ringing, resume or drop the current one. */
  private onSessionReady(calls: CallSnapshot[]): void {
    const view = this.view;
    if (view?.callId) {
      const mine = calls.find((c) => c.callId === view.callId);
      const stillOurs = mine && (mine.boundHere || mine.state === 'ringing');
      if (!stillOurs) return this.finish('connection-lost');
      // The far side's reconnect news may have been lost while we were away: the snapshot is the truth now.
      this.update({ peerConnected: true });
      if (mine.state === 'active' && this.peer) void this.restartPath();
      // Answered while we were disconnected: the call.accepted never reached us.
      if (mine.state === 'active' && !this.peer && view.direction === 'outgoing' && this.local)
        void this.onAccepted();
      return;
    }
    if (view) return;
    // A call this device carried before a reload: its media is gone, so end it rather than leave the peer waiting.
    for (const orphan of calls.filter((c) => c.boundHere))
      void this.signaling.request('call.hangup', { callId: orphan.callId });
    const ringing = calls.find((c) => c.role === 'callee' && c.state === 'ringing');
    if (ringing)
      this.onIncoming({
        callId: ringing.callId,
        caller: ringing.peer,
        media: ringing.media,
        ringTimeoutMs: 1,
      });
  }

  private onPeerConnection(connected: boolean): void {
    this.update({ peerConnected: connected });
    if (connected) void this.restartPath();
  }

  /** Opens microphone (and camera) for call `serial`; false if refused, or if that call is over by then. */
  private async openLocalMedia(media: Media, serial: number): Promise<boolean> {
    const prefs = this.preferences();
    const stream = new MediaStream();
    try {
      const mic = await openTrack('audio', prefs.microphoneId);
      if (mic.fellBack) this.notice('E_DEVICE_FALLBACK', 'microphone');
      stream.addTrack(mic.track);
      if (media === 'video') {
        try {
          const camera = await openTrack('video', prefs.cameraId);
          if (camera.fellBack) this.notice('E_DEVICE_FALLBACK', 'camera');
          stream.addTrack(camera.track);
        } catch (err) {
          // No camera is no reason to miss the call: carry on with voice and say why.
          this.notice((err as LocalMediaError).code ?? 'E_MEDIA_FAILED', 'camera');
          this.update({ cameraOn: false });
        }
      }
    } catch (err) {
      for (const t of stream.getTracks()) t.stop();
      this.notice((err as LocalMediaError).code ?? 'E_MEDIA_FAILED', 'microphone');
      return false;
    }
    if (serial !== this.serial || !this.view) {
      for (const t of stream.getTracks()) t.stop(); // the call ended while the prompt was up
      return false;
    }
    // Muted from the tray or a shortcut before the microphone was open: it starts muted.
    for (const t of stream.getAudioTracks()) t.enabled = !this.view.muted;
    this.local = stream;
    this.emit('local-stream', stream);
    return true;
  }

  private async startPeer(polite: boolean): Promise<void> {
    const serial = this.serial;
    const ice = await (this.iceConfig ?? this.signaling.request('ice.servers', {}));
    const callId = this.view?.callId;
    if (serial !== this.serial || !callId || !this.local || this.peer) return;
    const iceServers = ice.ok ? ice.iceServers.map((s) => ({ ...s })) : [];
    const peer = new PeerSession({
      polite,
      iceServers,
      relayOnly: this.preferences().relayOnly,
      send: (signal: Signal) => void this.signaling.request('call.signal', { callId, signal }),
    });
    this.peer = peer;
    peer.on('remote-stream', (s) => this.emit('remote-stream', s));
    peer.on('remote-tracks', () => this.refreshRemoteVideo());
    peer.on('description-sent', (type) => this.recorder?.mark(type === 'offer' ? 'offer' : 'answer'));
    peer.on('description-received', (type) => {
      this.recorder?.mark(type === 'offer' ? 'offer' : 'answer');
      // The far side renegotiating while the path is down is its ICE restart: ours waits its turn after it.
      if (type === 'offer') this.pathWatch?.restarted(Date.now());
    });
    peer.on('connection', (state) => this.onConnectionState(state));
    peer.on('error', (err) => console.warn('negotiation error', err));
    for (const track of this.local.getTracks()) peer.sendTrack(track, this.local);
    this.pathWatch = new PathWatch(Date.now());
    this.schedulePathCheck();
  }

  private onConnectionState(state: RTCPeerConnectionState): void {
    if (state !== 'connected') return; // a path that breaks is noticed and mended by the path check
    this.recorder?.mark('ice-connected');
    if (this.view && !this.view.connectedAt) {
      this.update({ phase: 'active', connectedAt: Date.now() });
      this.startStats();
    }
  }

  /** Samples the media path every `sampleMs` (the next sample is scheduled once this one is in). */
  private schedulePathCheck(): void {
    this.pathTimer = setTimeout(() => void this.checkPath(), recoveryTimings.sampleMs);
  }

  private async checkPath(): Promise<void> {
    const { peer, pathWatch } = this;
    if (!peer || !pathWatch) return;
    const report = await peer.pc.getStats();
    if (peer !== this.peer) return; // the call ended meanwhile
    const sample = pathSampleOf(
      report as unknown as Map<string, StatLike>,
      Date.now(),
      peer.pc.connectionState,
    );
    for (const action of pathWatch.sample(sample)) this.onRecovery(action);
    if (peer === this.peer) this.schedulePathCheck();
  }

  private onRecovery(action: RecoveryAction): void {
    switch (action) {
      case 'check-signaling':
        return void this.probeSignaling();
      case 'reconnecting':
        return this.update({ reconnecting: true });
      case 'recovered':
        return this.update({ reconnecting: false });
      case 'restart':
        return void this.restartPath();
      case 'give-up':
        return void this.endFailed();
    }
  }

  /**
   * Media paused: is the server still there? After a network change the old connection neither answers
   * nor closes (Socket.IO's heartbeat notices after 45 s), and an ICE restart needs signaling. A new
   * connection's session.ready restarts ICE by itself. A late answer while media has come back meanwhile
   * is only a busy machine: reconnecting then would make the far side see us drop for nothing.
   */
  private async probeSignaling(): Promise<void> {
    const { peer, pathWatch } = this;
    const answer = await this.signaling.request('ice.servers', {}, { timeoutMs: SIGNALING_PROBE_MS });
    if (peer !== this.peer || !pathWatch?.silent) return;
    if (!answer.ok && answer.error.code === 'E_NETWORK') this.signaling.reconnect();
  }

  /** Restarts ICE; with fresh TURN credentials first when the ones in use expire soon (a long call). */
  private async restartPath(): Promise<void> {
    const peer = this.peer;
    this.pathWatch?.restarted(Date.now());
    const inUse = await this.iceConfig;
    if (!peer || peer !== this.peer) return;
    const stale =
      !inUse?.ok ||
      (inUse.expiresAt !== null && Date.parse(inUse.expiresAt) - Date.now() < CREDENTIALS_MARGIN_MS);
    if (!stale) return peer.restartIce();
    this.iceConfig = this.signaling.request('ice.servers', {}, { timeoutMs: SIGNALING_PROBE_MS });
    const ice = await this.iceConfig;
    if (peer !== this.peer) return;
    await peer.restartIce(ice.ok ? ice.iceServers.map((s) => ({ ...s })) : undefined);
  }

  /** No media path could be found or restored: the call ends as failed, for both sides and in history. */
  private async endFailed(): Promise<void> {
    const callId = this.view?.callId;
    if (!callId) return;
    const serial = this.serial;
    // The server ends the call for both (call.ended failed); without an answer it ends here alone.
    await this.signaling.request('call.hangup', { callId, reason: 'failed' });
    this.finishIf(serial, 'failed', 'E_ICE_FAILED');
  }

  private refreshRemoteVideo(): void {
    const video =
      this.peer?.remoteStream.getVideoTracks().some((t) => t.readyState === 'live' && !t.muted) ?? false;
    if (this.view && this.view.remoteVideo !== video) this.update({ remoteVideo: video });
  }

  private startStats(): void {
    this.firstFrameTimer = setInterval(() => void this.checkFirstFrames(), FIRST_FRAME_POLL_MS);
    // The first sample only sets the baseline for bitrate and loss; the badge shows from the second.
    void this.sampleQuality();
    this.statsTimer = setInterval(() => void this.sampleQuality(), QUALITY_INTERVAL_MS);
  }

  private async checkFirstFrames(): Promise<void> {
    const report = await this.stats();
    if (!report || !this.recorder) return;
    report.forEach((s: { type: string; kind?: string; packetsReceived?: number; framesDecoded?: number }) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'audio' && (s.packetsReceived ?? 0) > 0) this.recorder?.mark('first-audio');
      if (s.kind === 'video' && (s.framesDecoded ?? 0) > 0) this.recorder?.mark('first-video');
    });
    const wantsVideo = this.view?.media === 'video';
    const gaveUp =
      (this.recorder.timings.stages['ice-connected'] ?? 0) + FIRST_FRAME_MAX_MS <
      performance.now() - this.recorder.origin;
    if (gaveUp || (this.recorder.has('first-audio') && (!wantsVideo || this.recorder.has('first-video')))) {
      if (this.firstFrameTimer) clearInterval(this.firstFrameTimer);
      this.firstFrameTimer = null;
    }
  }

  private async sampleQuality(): Promise<void> {
    const report = await this.stats();
    if (!report) return;
    const { quality, totals } = qualityOf(
      report as unknown as Map<string, { type: string }>,
      this.lastTotals,
      Date.now(),
    );
    const first = this.lastTotals === null;
    this.lastTotals = totals;
    if (!first) this.emit('quality', quality);
  }

  private ifCurrent(callId: string, action: () => void): void {
    if (this.view?.callId === callId) action();
  }

  /** Ends call `serial` unless it is already over (a newer call must not be ended by an older one's failure). */
  private finishIf(serial: number, reason: EndReason, code?: string): void {
    if (serial === this.serial) this.finish(reason, code);
  }

  /** Releases everything a call held: camera and microphone off, connection closed. */
  private finish(reason: EndReason, code?: string): void {
    const view = this.view;
    if (!view) return;
    for (const timer of [this.statsTimer, this.firstFrameTimer]) if (timer) clearInterval(timer);
    if (this.pathTimer) clearTimeout(this.pathTimer);
    this.statsTimer = this.firstFrameTimer = this.pathTimer = null;
    this.pathWatch = null;
    this.lastTotals = null;
    this.iceConfig = null;
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.local = null;
    this.peer?.close();
    this.peer = null;
    this.setView(null);
    this.emit('local-stream', null);
    this.emit('remote-stream', null);
    this.emit('quality', null);
    this.emit('ended', { callId: view.callId, peer: view.peer, reason, ...(code ? { code } : {}) });
  }

  private notice(code: string, message: string): void {
    this.emit('notice', { code, message });
  }

  private setView(view: CallView | null): void {
    if ((this.view === null) !== (view === null)) this.serial++; // a call started or ended
    this.view = view;
    this.emit('call', view);
  }

  private update(patch: Partial<CallView>, stage?: 'ringing'): void {
    if (!this.view) return;
    if (stage) this.recorder?.mark(stage);
    this.setView({ ...this.view, ...patch });
  }
}
