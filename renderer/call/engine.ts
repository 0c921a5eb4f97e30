/**
 * The call engine: one call at a time, from invite or incoming ring to hang-up. Framework-free, with typed
 * events the stores subscribe to. It follows the server's call events and the person's actions, and
 * publishes the call as a `CallView` (view.ts). What a call holds (microphone and camera, ICE servers, the
 * connections made while it rings, the media connection) is one `CallResources` per call
 * (call-resources.ts); every end, whatever the reason, goes through `finish`, which releases it. An
 * answered call outlives the signaling server; what becomes of it while the server is away and when it is
 * back is server-absence.ts's to say.
 */
import {
  type CallSignal,
  type IncomingCall,
  type Leg,
  type Media,
  type UserSummary,
} from '../../signaling/protocol/index.js';
import { mayTryAgain } from '../net/signaling-client.js';
import type { KeyValueStore } from '../platform/platform.js';
import { Emitter } from '../util/emitter.js';
import { CallResources, type EnginePreferences, type Signaling } from './call-resources.js';
import type { CallConnection } from './connection.js';
import { IceServersSource } from './ice-config.js';
import { microphonePermission } from './media.js';
import { ServerAbsence } from './server-absence.js';
import type { SetupTimings, TimingRecorder } from './timings.js';
import { newCallView, type CallView, type EndReason, type EngineEvents } from './view.js';

export type { EnginePreferences } from './call-resources.js';

/** How long Accept keeps the ringing view while the microphone opens, at most (see `accept`). */
export const REDRAW_WAIT_MS = 100;

export class CallEngine extends Emitter<EngineEvents> {
  private view: CallView | null = null;
  /**
   * What the current call holds; null between calls. One object per call, so work that awaited something
   * checks it is still for the same call by comparing it with this.
   */
  private held: CallResources | null = null;
  /** The current (or last) call's setup timings. */
  private recorder: TimingRecorder | null = null;
  private readonly server: ServerAbsence;
  private readonly iceServers: IceServersSource;
  /** The microphone's permission, asked for once at the start (the status is live); null until known, or unknown. */
  private microphone: PermissionStatus | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  /** The last hang-up's request while the server has not answered it. */
  private hangingUp: Promise<unknown> | null = null;

  constructor(
    private readonly signaling: Signaling,
    private readonly preferences: () => EnginePreferences,
    /** Where ends the server did not see are kept until it is told (end-reports.ts). */
    storage: KeyValueStore,
  ) {
    super();
    this.server = new ServerAbsence(signaling, storage, {
      current: () => (this.view && this.held ? { view: this.view, held: this.held } : null),
      update: (patch) => this.update(patch),
      finish: (reason) => this.finish(reason),
      answeredMeanwhile: (leg) => void this.onAccepted(leg),
      ring: (call) => this.onIncoming(call),
    });
    void microphonePermission().then((status) => (this.microphone = status));
    this.iceServers = new IceServersSource(signaling);
    this.unsubscribe.push(
      signaling.on('session.ready', () => void this.iceServers.refresh()),
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
      ...this.server.listen(),
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
    return this.held ? this.held.stats() : null;
  }

  /**
   * Calls a contact. With the microphone already allowed, the invite goes out first, in the click's own task,
   * and camera and microphone open meanwhile, so the far side rings at once; should the microphone fail after
   * all, the call is cancelled (the far side stops ringing) and ends here as refused. Otherwise they open
   * first (the person may be asked), so a refusal rings nobody.
   */
  async call(peer: UserSummary, media: Media): Promise<void> {
    if (this.view) return this.notice('E_IN_CALL', 'already in a call');
    const held = this.startCall(newCallView({ direction: 'outgoing', peer, media }));
    if (this.microphone?.state !== 'granted') {
      held.opening = this.openLocalMedia(held, media);
      held.askIceServers();
      if (!(await held.opening)) return this.finishIf(held, 'refused');
      return this.invite(held, peer, media);
    }
    const invited = this.invite(held, peer, media);
    held.opening = this.openLocalMedia(held, media);
    held.askIceServers();
    const [opened] = await Promise.all([held.opening, invited]);
    if (opened || held !== this.held) return;
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
    const { view, held } = this;
    if (!view || !held || view.phase !== 'incoming' || !view.callId || held.accepting) return;
    held.accepting = true;
    const showConnecting = () => {
      if (held === this.held && this.view?.phase === 'incoming')
        this.update({ phase: 'connecting', cameraOn: media === 'video' });
    };
    let slow: ReturnType<typeof setTimeout> | undefined;
    const redrawDue = new Promise<void>((resolve) => (slow = setTimeout(resolve, REDRAW_WAIT_MS)));
    void redrawDue.then(showConnecting);
    held.opening = this.openLocalMedia(held, media);
    if (!(await held.opening)) {
      clearTimeout(slow);
      if (held !== this.held) return;
      await this.signaling.request('call.decline', { callId: view.callId });
      return this.finishIf(held, 'refused');
    }
    const connection = await this.startPeer(held, true);
    if (held !== this.held) return clearTimeout(slow);
    const accepting = this.signaling.request('call.accept', { callId: view.callId });
    // The camera too, if it comes before the redraw is due: the call view's first render (its video
    // elements, layout) holds the page for a few hundred milliseconds, and the camera's answer waited behind it.
    await Promise.race([held.cameraSettled(), redrawDue]);
    clearTimeout(slow);
    if (held !== this.held) return;
    showConnecting();
    connection?.catchUp();
    this.emit('local-stream', held.local?.stream ?? null);
    const result = await accepting;
    if (held !== this.held) return;
    if (!result.ok)
      return this.finish(
        result.error.code === 'E_CALL_STATE' ? 'answered-elsewhere' : 'failed',
        result.error.code,
      );
    held.recorder.mark('accepted');
  }

  async decline(): Promise<void> {
    const callId = this.view?.callId;
    if (!callId || this.view?.phase !== 'incoming' || this.held?.accepting) return;
    await this.signaling.request('call.decline', { callId });
  }

  /**
   * Ends the call in any phase: cancel while ringing out, hang up once connected. It ends here at once
   * (microphone, camera and connection let go) and the server is told meanwhile: a server slow to answer,
   * or away, must not keep the call, and the microphone, going for the request's timeout. An end the
   * server did not take is told when it can take it.
   */
  async hangup(): Promise<void> {
    const view = this.view;
    if (!view) return;
    if (!view.callId) return this.finish('cancelled'); // the invite has not been answered yet
    const at = performance.now();
    const telling = this.signaling.request('call.hangup', { callId: view.callId });
    this.hangingUp = telling;
    this.finish(view.direction === 'outgoing' && !view.connectedAt ? 'cancelled' : 'completed');
    const result = await telling;
    if (this.hangingUp === telling) this.hangingUp = null;
    // The server is away (no answer, or not connected) or cannot reach its storage: tell it later.
    if (!result.ok && mayTryAgain(result.error.code))
      this.server.endedUnseen(view, 'completed', at, result.error.code);
  }

  setMuted(muted: boolean): void {
    if (!this.view) return;
    this.held?.setMuted(muted);
    this.update({ muted });
  }

  /** Turns the camera on or off; turning it on in a voice call adds video for both sides. */
  async setCamera(on: boolean): Promise<void> {
    const local = this.held?.local;
    if (!this.view || !this.held || !local) return;
    if (!(await this.held.setCamera(on, this.preferences().cameraId))) return;
    this.update({ cameraOn: on });
    this.emit('local-stream', local.stream);
  }

  /** Switches microphone or camera mid-call without renegotiating. */
  async switchDevice(kind: 'audio' | 'video', deviceId: string | undefined): Promise<void> {
    const local = this.held?.local;
    if (!this.view || !this.held || !local) return;
    const muted = () => this.view?.muted ?? false;
    if (await this.held.switchDevice(kind, deviceId, muted)) this.emit('local-stream', local.stream);
  }

  /** The id of the device a local track is using now. */
  deviceInUse(kind: 'audio' | 'video'): string | undefined {
    return this.held?.local?.deviceInUse(kind);
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
    if (this.view) this.finish('failed');
  }

  private onIncoming(incoming: IncomingCall): void {
    if (this.view) return; // the server rings us only when free; a duplicate is ignored
    const { callId, caller, media } = incoming;
    const held = this.startCall(newCallView({ direction: 'incoming', callId, peer: caller, media }));
    // The rest waits for the next task: the page draws the ringing call first (its render is queued already),
    // then the ICE servers are asked for and the connection made while it rings, with ample time before Accept.
    setTimeout(() => {
      if (held !== this.held) return;
      held.askIceServers();
      if (incoming.preconnect && !held.connection) held.connectEarly('offering', callId, media);
    }, 0);
  }

  /** Sends the invite; with the call id back, the caller's side answers ringing devices that connect early. */
  private async invite(held: CallResources, peer: UserSummary, media: Media): Promise<void> {
    // A call placed right after a hang-up waits for the server to take the hang-up: until then it still
    // counts us in that call.
    if (this.hangingUp) await this.hangingUp;
    if (held !== this.held) return;
    held.recorder.mark('invite-sent');
    const result = await this.signaling.request('call.invite', { callee: peer.username, media });
    if (held !== this.held || this.current?.callId !== null) {
      // Cancelled while the invite was on its way: the server is ringing them, so stop it.
      if (result.ok) void this.signaling.request('call.cancel', { callId: result.callId });
      return;
    }
    if (!result.ok) return this.finish('refused', result.error.code);
    this.update({ callId: result.callId });
    held.connectEarly('answering', result.callId, media);
  }

  private onSignal({ leg, signal }: CallSignal): void {
    this.held?.receive(leg, signal);
  }

  /** The callee answered (on device `leg`, when the server gives legs): once our media is open, connect. */
  private async onAccepted(leg?: Leg): Promise<void> {
    const held = this.held;
    if (!held) return;
    held.recorder.mark('accepted');
    // Our tracks go on the connection before the page redraws (as on Accept).
    const connection =
      (await held.opening) && held === this.held ? await this.startPeer(held, false, leg) : null;
    if (held !== this.held) return;
    if (this.view?.phase === 'outgoing') this.update({ phase: 'connecting', ringing: false });
    connection?.catchUp();
  }

  /**
   * The far side's device dropped or came back. Its return restarts ICE only if media stopped too: media
   * that flows (only signaling dropped) is left alone, as two restarts at once from both sides collide.
   */
  private onPeerConnection(connected: boolean): void {
    this.update({ peerConnected: connected });
    if (connected) this.held?.restartIfPaused();
  }

  /** Opens microphone and camera for the call: true once the microphone is open, false if refused or over. */
  private async openLocalMedia(held: CallResources, media: Media): Promise<boolean> {
    const local = await held.openLocalMedia(media, () => this.view?.muted ?? false);
    if (!local) return false;
    if (this.view?.direction === 'outgoing') this.emit('local-stream', local.stream); // the callee's: after Accept's work
    return true;
  }

  /** The call's media connection, its news wired to the view; null if the call is over or has one already. */
  private async startPeer(held: CallResources, polite: boolean, leg?: Leg): Promise<CallConnection | null> {
    const callId = this.view?.callId;
    const connection = callId ? await held.connect(callId, polite, leg) : null;
    if (!connection) return null;
    connection.on('remote-stream', (s) => this.emit('remote-stream', s));
    connection.on('remote-video', (remoteVideo) => {
      if (this.view && this.view.remoteVideo !== remoteVideo) this.update({ remoteVideo });
    });
    connection.on('connected', () => this.update({ phase: 'active', connectedAt: Date.now() }));
    connection.on('reconnecting', (reconnecting) => this.update({ reconnecting }));
    connection.on('give-up', () => void this.endFailed());
    connection.on('peer-closed', (silentForMs) => this.server.peerClosed(silentForMs));
    connection.on('quality', (quality) => this.emit('quality', quality));
    return connection; // the caller tells the view what it did already (`catchUp`) once its urgent work is out
  }

  /** No media path could be found or restored: the call ends as failed, for both sides and in history. */
  private async endFailed(): Promise<void> {
    const { view, held } = this;
    if (!view?.callId || !held) return;
    const at = performance.now();
    // The server ends the call for both (call.ended failed); without an answer it ends here alone.
    const result = await this.signaling.request('call.hangup', { callId: view.callId, reason: 'failed' });
    if (!result.ok && mayTryAgain(result.error.code) && held === this.held)
      this.server.endedUnseen(view, 'failed', at, result.error.code);
    this.finishIf(held, 'failed', 'E_ICE_FAILED');
  }

  private ifCurrent(callId: string, action: () => void): void {
    if (this.view?.callId === callId) action();
  }

  /**
   * A call starts: what it holds (its timings first) and its view. Its ICE servers are asked for next by the
   * caller of this, as soon as the more urgent messages are out, so the peer connection need not wait for them.
   */
  private startCall(view: CallView): CallResources {
    const held = new CallResources({
      signaling: this.signaling,
      iceServers: this.iceServers,
      preferences: this.preferences,
      notice: (code, device) => this.notice(code, device),
      serverAway: () => this.server.away,
      onCamera: (stream) => {
        if (stream) this.emit('local-stream', stream);
        else if (this.view?.cameraOn) this.update({ cameraOn: false });
      },
    });
    this.held = held;
    this.recorder = held.recorder;
    if (view.direction === 'incoming') held.recorder.mark('incoming');
    this.setView({ ...view, signalingDown: this.server.away });
    return held;
  }

  /** Ends call `held` unless it is already over (a newer call must not be ended by an older one's failure). */
  private finishIf(held: CallResources, reason: EndReason, code?: string): void {
    if (held === this.held) this.finish(reason, code);
  }

  /** Every end comes here: the call lets go of all it held, and its view goes. */
  private finish(reason: EndReason, code?: string): void {
    const view = this.view;
    if (!view) return;
    this.held?.release();
    this.held = null;
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
    this.view = view;
    this.emit('call', view);
  }

  private update(patch: Partial<CallView>, stage?: 'ringing'): void {
    if (!this.view) return;
    if (stage) this.recorder?.mark(stage);
    this.setView({ ...this.view, ...patch });
  }
}
