/**
 * What one call holds, from its start to its end: its setup timings, its ICE servers (ice-config.ts), the
 * connections made while it rings (early.ts), the microphone and camera (local-media.ts) and the media
 * connection (connection.ts, with its path recovery, stats and first-media watch). The engine makes one per
 * call and `release`s it when the call ends, whatever the reason: that is the one place all of it is let go.
 *
 * Opening the devices and connecting take time; what finishes after the release is let go at once (a
 * microphone that opens after the call ended is stopped, a connection made meanwhile closed), and the
 * engine, after any wait, goes on only if its current call is still this one.
 */
import type { Leg, Media, Signal } from '../../signaling/protocol/index.js';
import type { SignalingClient } from '../net/signaling-client.js';
import { CallConnection } from './connection.js';
import { EarlyConnections } from './early.js';
import { IceConfig, type IceServersSource } from './ice-config.js';
import { LocalMedia } from './local-media.js';
import { TimingRecorder } from './timings.js';

export interface EnginePreferences {
  microphoneId?: string | undefined;
  cameraId?: string | undefined;
  relayOnly: boolean;
}

export type Signaling = Pick<SignalingClient, 'request' | 'on' | 'reconnect'>;

export interface CallResourcesOptions {
  signaling: Signaling;
  /** The session's ICE servers, asked for before any call. */
  iceServers: IceServersSource;
  preferences(): EnginePreferences;
  /** Something the person should be told (a device that failed): the call goes on. */
  notice(code: string, message: string): void;
  /** True while the signaling server is away (the connection then hears the peer's hang-up as its DTLS close). */
  serverAway(): boolean;
  /** The camera opened after the microphone and is on the connection now (its stream), or failed (null). */
  onCamera(stream: MediaStream | null): void;
}

export class CallResources {
  readonly recorder = new TimingRecorder();
  /** The camera and microphone opening: true once open, false if refused or the call ended. */
  opening: Promise<boolean> = Promise.resolve(false);
  /** Accept is under way: a second Accept or a Decline meanwhile is ignored. */
  accepting = false;
  private released = false;
  private ice: IceConfig | null = null;
  /** Connections made while the call rings (early.ts), until one goes on into the call. */
  private early: EarlyConnections | null = null;
  private localMedia: LocalMedia | null = null;
  private mediaConnection: CallConnection | null = null;

  constructor(private readonly opts: CallResourcesOptions) {}

  /** The microphone and camera, once the microphone is open. */
  get local(): LocalMedia | null {
    return this.localMedia;
  }

  /** The media connection, once both sides said yes and it is made. */
  get connection(): CallConnection | null {
    return this.mediaConnection;
  }

  /** Asks the server for the call's ICE servers, unless asked already. */
  askIceServers(): IceConfig {
    return (this.ice ??= new IceConfig(this.opts.signaling, this.opts.iceServers));
  }

  /**
   * Connects while it rings: the callee offers a connection with no media (`offering`), the caller answers
   * each ringing device's offer (`answering`).
   */
  connectEarly(side: 'offering' | 'answering', callId: string, media: Media): void {
    this.early = EarlyConnections[side]({
      callId,
      media,
      iceServers: () => this.askIceServers().servers(),
      relayOnly: this.opts.preferences().relayOnly,
      signaling: this.opts.signaling,
      recorder: this.recorder,
    });
  }

  /** A relayed signal: for the call's connection (from the answering leg only), or for one made while ringing. */
  receive(leg: Leg | undefined, signal: Signal): void {
    const connection = this.mediaConnection;
    if (connection) {
      if (leg === undefined || connection.leg === undefined || leg === connection.leg)
        void connection.peer.receive(signal);
      return;
    }
    this.early?.receive(leg, signal);
  }

  /**
   * Opens microphone and camera: the LocalMedia once the microphone is open (the camera follows on its own,
   * `onCamera`), null if refused, or if the call is over by then. `muted`: whether it starts muted (muted
   * from the tray or a shortcut before the microphone was open).
   */
  async openLocalMedia(media: Media, muted: () => boolean): Promise<LocalMedia | null> {
    const local = await LocalMedia.open(media, this.opts.preferences(), this.opts.notice);
    if (!local) return null;
    if (this.released) {
      local.stop(); // the call ended while the prompt was up
      return null;
    }
    this.recorder.mark('microphone-open');
    local.setMuted(muted());
    this.localMedia = local;
    if (media === 'video') void local.camera.then((track) => this.onCameraOpened(local, track));
    return local;
  }

  /** Settles when the camera opened or failed (at once without one). */
  async cameraSettled(): Promise<void> {
    await this.localMedia?.camera;
  }

  /**
   * The call's media connection: the one made while it rang with the answering leg (or the callee's own),
   * else a new one. `leg`: the callee's answering device, on the caller's side. Null if the call is over
   * by then, its microphone is not open, or it has its connection already.
   */
  async connect(callId: string, polite: boolean, leg?: Leg): Promise<CallConnection | null> {
    // Asked for by now, unless Accept came before the ringing call's next task (engine's onIncoming).
    const ice = this.askIceServers();
    const { early, localMedia: local } = this;
    // `early` goes on hearing signals while `take` waits (the answering leg's offer may still be on its way).
    const [earlyPeer, iceServers] = await Promise.all([early?.take(leg) ?? null, ice.servers()]);
    if (this.early === early) this.early = null;
    if (this.released || !local || this.mediaConnection) {
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
      relayOnly: this.opts.preferences().relayOnly,
      signaling: this.opts.signaling,
      recorder: this.recorder,
      serverAway: this.opts.serverAway,
    });
    this.mediaConnection = connection;
    return connection;
  }

  /** Restarts ICE if media stopped (the far side's device or our signaling came back). */
  restartIfPaused(): void {
    if (this.mediaConnection?.mediaPaused) void this.mediaConnection.restart();
  }

  /** The raw stats of the call's connection; null before there is one. */
  async stats(): Promise<RTCStatsReport | null> {
    return this.mediaConnection ? this.mediaConnection.peer.pc.getStats() : null;
  }

  setMuted(muted: boolean): void {
    this.localMedia?.setMuted(muted);
  }

  /** Turns the camera on (with `cameraId`) or off, on the connection too: false if it could not be opened. */
  async setCamera(on: boolean, cameraId: string | undefined): Promise<boolean> {
    const local = this.localMedia;
    if (!local) return false;
    if (!on) {
      local.cameraOff();
      this.mediaConnection?.peer.stopSending('video');
      return true;
    }
    const track = await local.cameraOn(cameraId);
    if (!track) return false;
    this.mediaConnection?.peer.sendTrack(track, local.stream);
    return true;
  }

  /** Switches microphone or camera without renegotiating: true once switched. */
  async switchDevice(
    kind: 'audio' | 'video',
    deviceId: string | undefined,
    muted: () => boolean,
  ): Promise<boolean> {
    const local = this.localMedia;
    if (!local) return false;
    return local.switchDevice(kind, deviceId, muted, async (track) =>
      this.mediaConnection?.peer.replaceTrack(kind, track),
    );
  }

  /** Lets go of everything: camera and microphone off, connections closed, watches stopped. */
  release(): void {
    this.released = true;
    this.localMedia?.stop();
    this.early?.close();
    this.mediaConnection?.close();
    this.mediaConnection = this.early = this.localMedia = this.ice = null;
    this.opening = Promise.resolve(false);
  }

  /** The camera opened after the microphone (or failed): it joins the connection there is by now. */
  private onCameraOpened(local: LocalMedia, track: MediaStreamTrack | null): void {
    if (this.released) return;
    if (!track) {
      if (!local.hasCamera) this.opts.onCamera(null);
      return;
    }
    this.recorder.mark('camera-open');
    this.mediaConnection?.peer.sendTrack(track, local.stream);
    this.opts.onCamera(local.stream);
  }
}
