/**
 * The call engine: one call at a time, from invite or incoming ring to hang-up. Framework-free, with typed
 * events the stores subscribe to. It follows the server's call events, publishes the call as a `CallView`
 * (view.ts) and owns what a call holds: the microphone and camera (local-media.ts), the ICE servers
 * (ice-config.ts) and the media connection (connection.ts: peer connection, path recovery, stats). Every
 * end, whatever the reason, goes through `finish`, which releases all of them.
 *
 * An answered call outlives the signaling server (its media is peer-to-peer): while the server is away the
 * call goes on and says so (`signalingDown`); hanging up then ends it here at once, and so does the peer
 * closing its connection (its DTLS close); the end is reported (`call.reportEnd`) once the server is
 * back, so that history shows when and how the call really ended.
 */
import {
  type CallSignal,
  type CallSnapshot,
  type IncomingCall,
  type Leg,
  type Media,
  type UserSummary,
} from '../../signaling/protocol/index.js';
import type { SignalingClient } from '../net/signaling-client.js';
import type { KeyValueStore } from '../platform/platform.js';
import { Emitter } from '../util/emitter.js';
import { CallConnection } from './connection.js';
import { EarlyConnections } from './early.js';
import { EndReports } from './end-reports.js';
import { IceConfig } from './ice-config.js';
import { LocalMedia } from './local-media.js';
import { microphonePermission } from './media.js';
import { TimingRecorder, type SetupTimings } from './timings.js';
import { newCallView, type CallView, type EndReason, type EngineEvents } from './view.js';

/** How long Accept keeps the ringing view while the microphone opens, at most (see `accept`). */
export const REDRAW_WAIT_MS = 100;

export interface EnginePreferences {
  microphoneId?: string | undefined;
  cameraId?: string | undefined;
  relayOnly: boolean;
}

type Signaling = Pick<SignalingClient, 'request' | 'on' | 'reconnect'>;

export class CallEngine extends Emitter<EngineEvents> {
  private view: CallView | null = null;
  private local: LocalMedia | null = null;
  private ice: IceConfig | null = null;
  /** Connections made while the call rings (early.ts), until one goes on into the call. */
  private early: EarlyConnections | null = null;
  private connection: CallConnection | null = null;
  /** The current call's camera and microphone opening: true once open, false if refused or the call ended. */
  private opening: Promise<boolean> = Promise.resolve(false);
  private recorder: TimingRecorder | null = null;
  /** Changes when a call starts or ends: work that awaited something checks it is still for the same call. */
  private serial = 0;
  private signalingUp = true;
  private readonly endReports: EndReports;
  /** The microphone's permission, asked for once at the start (the status is live); null until known, or unknown. */
  private microphone: PermissionStatus | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  /** The call (its serial) being accepted here: a second Accept or a Decline meanwhile is ignored. */
  private accepting = -1;

  constructor(
    private readonly signaling: Signaling,
    private readonly preferences: () => EnginePreferences,
    /** Where ends the server did not see are kept until it is told (end-reports.ts). */
    storage: KeyValueStore,
  ) {
    super();
    this.endReports = new EndReports(signaling, storage);
    void microphonePermission().then((status) => (this.microphone = status));
    this.unsubscribe.push(
      signaling.on('call.incoming', (p) => this.onIncoming(p)),
      signaling.on('call.ringing', (p) =>
        this.ifCurrent(p.callId, () => this.update({ ringing: true }, 'ringing')),
      ),
      signaling.on('call.accepted', (p) => this.ifCurrent(p.callId, () => void this.onAccepted(p.leg))),
      signaling.on('call.ended', (p) =>
        // `failed` comes from a device that found no media path (its hangup says so): say why here too.
        this.ifCurrent(p.callId, () =>
          this.finish(p.reason, p.reason === 'failed' ? 'E_ICE_FAILED' : undefined),
        ),
      ),
      signaling.on('call.signal', (p) => this.ifCurrent(p.callId, () => this.onSignal(p))),
      signaling.on('call.peer', (p) => this.ifCurrent(p.callId, () => this.onPeerConnection(p.connected))),
      signaling.on('session.ready', (p) => this.onSessionReady(p.deviceId, p.calls)),
      signaling.on('status', ({ status }) => this.onSignalingStatus(status === 'connected')),
    );
  }

  get current(): CallView | null {
    return this.view;
  }

  /** Setup timings of the current (or last) call. */
  get timings(): SetupTimings | null {
    return this.recorder?.timings ?? null;
  }

  /** The raw stats of the current call, for diagnostics and tests. */
  async stats(): Promise<RTCStatsReport | null> {
    return this.connection ? this.connection.peer.pc.getStats() : null;
  }

  /**
   * Calls a contact. With the microphone already allowed, the invite goes out first, in the click's own task,
   * and camera and microphone open meanwhile, so the far side rings at once; should the microphone fail after
   * all, the call is cancelled (the far side stops ringing) and ends here as refused. Otherwise they open
   * first (the person may be asked), so a refusal rings nobody.
   */
  async call(peer: UserSummary, media: Media): Promise<void> {
    if (this.view) return this.notice('E_IN_CALL', 'already in a call');
    this.startCall(newCallView({ direction: 'outgoing', peer, media }));
    const serial = this.serial;
    if (this.microphone?.state !== 'granted') {
      this.opening = this.openLocalMedia(media, serial);
      this.ice = new IceConfig(this.signaling);
      if (!(await this.opening)) return this.finishIf(serial, 'refused');
      return this.invite(peer, media, serial);
    }
    const invited = this.invite(peer, media, serial);
    this.opening = this.openLocalMedia(media, serial);
    this.ice = new IceConfig(this.signaling);
    const [opened] = await Promise.all([this.opening, invited]);
    if (opened || serial !== this.serial) return;
    const callId = this.current?.callId;
    if (callId) void this.signaling.request('call.cancel', { callId });
    this.finish('refused');
  }

  /**
   * Answers the ringing call with voice, or with voice and video. The page redraws into the call once the
   * microphone is on the connection and the accept is sent (tens of milliseconds): redrawing at once kept the
   * microphone's answer waiting behind the render, and the first words with it. A microphone slower than
   * `REDRAW_WAIT_MS` (the person is asked) does not keep the ringing view up.
   */
  async accept(media: Media): Promise<void> {
    const view = this.view;
    if (!view || view.phase !== 'incoming' || !view.callId || this.accepting === this.serial) return;
    const serial = (this.accepting = this.serial);
    const showConnecting = () => {
      if (serial === this.serial && this.view?.phase === 'incoming')
        this.update({ phase: 'connecting', cameraOn: media === 'video' });
    };
    let slow: ReturnType<typeof setTimeout> | undefined;
    const redrawDue = new Promise<void>((resolve) => (slow = setTimeout(resolve, REDRAW_WAIT_MS)));
    void redrawDue.then(showConnecting);
    this.opening = this.openLocalMedia(media, serial);
    if (!(await this.opening)) {
      clearTimeout(slow);
      if (serial !== this.serial) return;
      await this.signaling.request('call.decline', { callId: view.callId });
      return this.finishIf(serial, 'refused');
    }
    const connection = await this.startPeer(true);
    if (serial !== this.serial) return clearTimeout(slow);
    const accepting = this.signaling.request('call.accept', { callId: view.callId });
    // The camera too, if it comes before the redraw is due: the call view's first render (its video
    // elements, layout) holds the page for a few hundred milliseconds, and the camera's answer waited behind it.
    if (this.local) await Promise.race([this.local.camera, redrawDue]);
    clearTimeout(slow);
    if (serial !== this.serial) return;
    showConnecting();
    connection?.catchUp();
    this.emit('local-stream', this.local?.stream ?? null);
    const result = await accepting;
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
    if (!callId || this.view?.phase !== 'incoming' || this.accepting === this.serial) return;
    await this.signaling.request('call.decline', { callId });
  }

  /** Ends the call in any phase: cancel while ringing out, hang up once connected. */
  async hangup(): Promise<void> {
    const view = this.view;
    if (!view) return;
    if (!view.callId) return this.finish('cancelled'); // the invite has not been answered yet
    const at = performance.now();
    const result = await this.signaling.request('call.hangup', { callId: view.callId });
    if (result.ok) return;
    // The server is away (no answer, or not connected): end here now, and tell it when it is back.
    if (result.error.code === 'E_NETWORK') this.endReports.endedUnseen(view, 'completed', at);
    this.finish(view.direction === 'outgoing' && !view.connectedAt ? 'cancelled' : 'completed');
  }

  setMuted(muted: boolean): void {
    if (!this.view) return;
    this.local?.setMuted(muted);
    this.update({ muted });
  }

  /** Turns the camera on or off; turning it on in a voice call adds video for both sides. */
  async setCamera(on: boolean): Promise<void> {
    const local = this.local;
    if (!this.view || !local) return;
    if (!on) {
      local.cameraOff();
      this.connection?.peer.stopSending('video');
    } else {
      const track = await local.cameraOn(this.preferences().cameraId);
      if (!track) return;
      this.connection?.peer.sendTrack(track, local.stream);
    }
    this.update({ cameraOn: on });
    this.emit('local-stream', local.stream);
  }

  /** Switches microphone or camera mid-call without renegotiating. */
  async switchDevice(kind: 'audio' | 'video', deviceId: string | undefined): Promise<void> {
    const local = this.local;
    if (!this.view || !local) return;
    const switched = await local.switchDevice(
      kind,
      deviceId,
      () => this.view?.muted ?? false,
      async (track) => this.connection?.peer.replaceTrack(kind, track),
    );
    if (switched) this.emit('local-stream', local.stream);
  }

  /** The id of the device a local track is using now. */
  deviceInUse(kind: 'audio' | 'video'): string | undefined {
    return this.local?.deviceInUse(kind);
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
    if (this.view) this.finish('failed');
  }

  private onIncoming(call: IncomingCall): void {
    if (this.view) return; // the server rings us only when free; a duplicate is ignored
    this.startCall(
      newCallView({ direction: 'incoming', callId: call.callId, peer: call.caller, media: call.media }),
    );
    // The rest waits for the next task: the page draws the ringing call first (its render is queued already),
    // then the ICE servers are asked for and the connection made while it rings, with ample time before Accept.
    const serial = this.serial;
    setTimeout(() => {
      if (serial !== this.serial) return;
      this.ice ??= new IceConfig(this.signaling);
      if (call.preconnect && !this.connection)
        this.early = EarlyConnections.offering(this.earlyOptions(call.callId));
    }, 0);
  }

  /** Sends the invite; with the call id back, the caller's side answers ringing devices that connect early. */
  private async invite(peer: UserSummary, media: Media, serial: number): Promise<void> {
    this.recorder?.mark('invite-sent');
    const result = await this.signaling.request('call.invite', { callee: peer.username, media });
    if (serial !== this.serial || this.current?.callId !== null) {
      // Cancelled while the invite was on its way: the server is ringing them, so stop it.
      if (result.ok) void this.signaling.request('call.cancel', { callId: result.callId });
      return;
    }
    if (!result.ok) return this.finish('refused', result.error.code);
    this.update({ callId: result.callId });
    this.early = EarlyConnections.answering(this.earlyOptions(result.callId));
  }

  private earlyOptions(callId: string) {
    return {
      callId,
      media: this.view!.media,
      iceServers: () => this.ice!.servers(),
      relayOnly: this.preferences().relayOnly,
      signaling: this.signaling,
      recorder: this.recorder!,
    };
  }

  /** A relayed signal: for the call's connection (from the answering leg only), or for one made while ringing. */
  private onSignal({ leg, signal }: CallSignal): void {
    if (this.connection) {
      if (leg === undefined || this.connection.leg === undefined || leg === this.connection.leg)
        void this.connection.peer.receive(signal);
      return;
    }
    this.early?.receive(leg, signal);
  }

  /** The callee answered (on device `leg`, when the server gives legs): once our media is open, connect. */
  private async onAccepted(leg?: Leg): Promise<void> {
    this.recorder?.mark('accepted');
    const serial = this.serial;
    // Our tracks go on the connection before the page redraws (as on Accept).
    const connection =
      (await this.opening) && serial === this.serial ? await this.startPeer(false, leg) : null;
    if (serial !== this.serial) return;
    if (this.view?.phase === 'outgoing') this.update({ phase: 'connecting', ringing: false });
    connection?.catchUp();
  }

  /**
   * On every (re)connect: report calls that ended meanwhile, ring for a call still ringing, resume or drop
   * the current one.
   */
  private onSessionReady(deviceId: string, calls: CallSnapshot[]): void {
    const reported = this.endReports.report(deviceId);
    const view = this.view;
    if (view?.callId) {
      const mine = calls.find((c) => c.callId === view.callId);
      const stillOurs = mine && (mine.boundHere || mine.state === 'ringing');
      if (!stillOurs) return this.finish('connection-lost');
      // The far side's reconnect news may have been lost while we were away: the snapshot is the truth now.
      this.update({ peerConnected: true });
      if (mine.state === 'active' && this.connection?.mediaPaused) void this.connection.restart();
      // Answered while we were disconnected: the call.accepted never reached us.
      if (mine.state === 'active' && !this.connection && view.direction === 'outgoing' && this.local)
        void this.onAccepted(mine.leg);
      return;
    }
    if (view) return;
    // A call this device carried before a reload: its media is gone, so end it rather than leave the peer waiting.
    for (const orphan of calls.filter((c) => c.boundHere && !reported.has(c.callId)))
      void this.signaling.request('call.hangup', { callId: orphan.callId });
    const ringing = calls.find((c) => c.role === 'callee' && c.state === 'ringing');
    if (ringing)
      this.onIncoming({
        callId: ringing.callId,
        caller: ringing.peer,
        media: ringing.media,
        ringTimeoutMs: 1,
        ...(ringing.preconnect ? { preconnect: true } : {}),
      });
  }

  /**
   * The far side's device dropped or came back. Its return restarts ICE only if media stopped too: media
   * that flows (only signaling dropped) is left alone, as two restarts at once from both sides collide.
   */
  private onPeerConnection(connected: boolean): void {
    this.update({ peerConnected: connected });
    if (connected && this.connection?.mediaPaused) void this.connection.restart();
  }

  private onSignalingStatus(up: boolean): void {
    this.signalingUp = up;
    if (this.view && this.view.signalingDown === up) this.update({ signalingDown: !up });
  }

  /** The peer hung up while the server was away (its DTLS close): the call ends here too, reported later. */
  private onPeerClosed(silentForMs: number): void {
    if (this.view) this.endReports.endedUnseen(this.view, 'completed', performance.now() - silentForMs);
    this.finish('completed');
  }

  /**
   * Opens microphone and camera for call `serial`: true once the microphone is open (the camera follows on
   * its own, `onCameraOpened`), false if refused, or if that call is over by then.
   */
  private async openLocalMedia(media: Media, serial: number): Promise<boolean> {
    const local = await LocalMedia.open(media, this.preferences(), (code, device) =>
      this.notice(code, device),
    );
    if (!local) return false;
    if (serial !== this.serial || !this.view) {
      local.stop(); // the call ended while the prompt was up
      return false;
    }
    this.recorder?.mark('microphone-open');
    // Muted from the tray or a shortcut before the microphone was open: it starts muted.
    local.setMuted(this.view.muted);
    this.local = local;
    if (this.view.direction === 'outgoing') this.emit('local-stream', local.stream); // the callee's: after Accept's work
    if (media === 'video') void local.camera.then((track) => this.onCameraOpened(local, track));
    return true;
  }

  /** The call's camera opened after its microphone (or failed): it joins the connection there is by now. */
  private onCameraOpened(local: LocalMedia, track: MediaStreamTrack | null): void {
    if (this.local !== local || !this.view) return; // that call is over
    if (!track) {
      if (this.view.cameraOn && !local.hasCamera) this.update({ cameraOn: false });
      return;
    }
    this.recorder?.mark('camera-open');
    this.connection?.peer.sendTrack(track, local.stream);
    this.emit('local-stream', local.stream);
  }

  /**
   * The call's media connection: the one made while it rang with the answering leg (or the callee's own),
   * else a new one. `leg`: the callee's answering device, on the caller's side.
   */
  private async startPeer(polite: boolean, leg?: Leg): Promise<CallConnection | null> {
    // Asked for by now, unless Accept came before the ringing call's next task (onIncoming).
    const ice = (this.ice ??= new IceConfig(this.signaling));
    const { serial, local, recorder, early } = this;
    // `early` goes on hearing signals while `take` waits (the answering leg's offer may still be on its way).
    const [earlyPeer, iceServers] = await Promise.all([early?.take(leg) ?? null, ice.servers()]);
    if (this.early === early) this.early = null;
    const callId = this.view?.callId;
    if (serial !== this.serial || !this.view || !callId || !local || !recorder || this.connection) {
      earlyPeer?.close();
      return null;
    }
    const connection = new CallConnection({
      callId,
      early: earlyPeer,
      leg,
      polite,
      local,
      ice,
      iceServers,
      relayOnly: this.preferences().relayOnly,
      signaling: this.signaling,
      recorder,
      serverAway: () => !this.signalingUp,
    });
    this.connection = connection;
    connection.on('remote-stream', (s) => this.emit('remote-stream', s));
    connection.on('remote-video', (remoteVideo) => {
      if (this.view && this.view.remoteVideo !== remoteVideo) this.update({ remoteVideo });
    });
    connection.on('connected', () => this.update({ phase: 'active', connectedAt: Date.now() }));
    connection.on('reconnecting', (reconnecting) => this.update({ reconnecting }));
    connection.on('give-up', () => void this.endFailed());
    connection.on('peer-closed', (silentForMs) => this.onPeerClosed(silentForMs));
    connection.on('quality', (quality) => this.emit('quality', quality));
    return connection; // the caller tells the view what it did already (`catchUp`) once its urgent work is out
  }

  /** No media path could be found or restored: the call ends as failed, for both sides and in history. */
  private async endFailed(): Promise<void> {
    const view = this.view;
    if (!view?.callId) return;
    const serial = this.serial;
    const at = performance.now();
    // The server ends the call for both (call.ended failed); without an answer it ends here alone.
    const result = await this.signaling.request('call.hangup', { callId: view.callId, reason: 'failed' });
    if (!result.ok && result.error.code === 'E_NETWORK' && serial === this.serial)
      this.endReports.endedUnseen(view, 'failed', at);
    this.finishIf(serial, 'failed', 'E_ICE_FAILED');
  }

  private ifCurrent(callId: string, action: () => void): void {
    if (this.view?.callId === callId) action();
  }

  /**
   * A call starts: its timings and its view. Its ICE servers are asked for next by the caller of this, as
   * soon as the more urgent messages are out, so the peer connection need not wait for them.
   */
  private startCall(view: CallView): void {
    this.recorder = new TimingRecorder();
    if (view.direction === 'incoming') this.recorder.mark('incoming');
    this.setView({ ...view, signalingDown: !this.signalingUp });
  }

  /** Ends call `serial` unless it is already over (a newer call must not be ended by an older one's failure). */
  private finishIf(serial: number, reason: EndReason, code?: string): void {
    if (serial === this.serial) this.finish(reason, code);
  }

  /** Releases everything a call held: camera and microphone off, connection closed, watches stopped. */
  private finish(reason: EndReason, code?: string): void {
    const view = this.view;
    if (!view) return;
    this.local?.stop();
    this.early?.close();
    this.connection?.close();
    this.connection = this.early = this.local = this.ice = null;
    this.opening = Promise.resolve(false);
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
