/**
 * The microphone and camera of one call: opening them with the preferred devices (a missing camera is no
 * reason to miss the call), muting, the camera off and on, switching devices, and stopping every track when
 * the call ends. It owns the one MediaStream the peer connection sends from and the app shows as the local
 * picture. Trouble is told through `notice`, with a code the UI puts into words and the device concerned.
 */
import { LocalMediaError, openTrack, type OpenedTrack } from './media.js';

export type DeviceNotice = (code: string, device: 'microphone' | 'camera') => void;

const deviceOf = (kind: 'audio' | 'video') => (kind === 'audio' ? 'microphone' : 'camera');
const codeOf = (err: unknown) => (err as LocalMediaError).code ?? 'E_MEDIA_FAILED';

export class LocalMedia {
  /** Set when the call ended: a device that opens after that is closed again at once. */
  private stopped = false;
  /** The camera the call opened with, while it opens (null once settled, or for a voice call). */
  private openingCamera: Promise<OpenedTrack> | null = null;
  /**
   * The camera the call opens with: its track once it has joined `stream`, or null (voice call, no camera,
   * turned off or the call ended before it opened). The microphone does not wait for it.
   */
  readonly camera: Promise<MediaStreamTrack | null>;

  private constructor(
    readonly stream: MediaStream,
    private readonly notice: DeviceNotice,
    camera: Promise<OpenedTrack> | null,
  ) {
    this.openingCamera = camera;
    this.camera = camera ? this.addOpeningCamera(camera) : Promise.resolve(null);
  }

  /**
   * Opens the microphone, and for video the camera at the same time; resolves as soon as the microphone is
   * open (null if it could not be), so voice can start while the camera is still warming up (`camera`).
   */
  static async open(
    media: 'audio' | 'video',
    devices: { microphoneId?: string | undefined; cameraId?: string | undefined },
    notice: DeviceNotice,
  ): Promise<LocalMedia | null> {
    const microphone = openTrack('audio', devices.microphoneId);
    const camera = media === 'video' ? openTrack('video', devices.cameraId) : null;
    camera?.catch(() => undefined); // its failure is told once the call has it (addOpeningCamera), not as unhandled
    let mic: OpenedTrack;
    try {
      mic = await microphone;
    } catch (err) {
      notice(codeOf(err), 'microphone');
      camera?.then(
        ({ track }) => track.stop(),
        () => undefined,
      ); // no call: its light goes off
      return null;
    }
    if (mic.fellBack) notice('E_DEVICE_FALLBACK', 'microphone');
    return new LocalMedia(new MediaStream([mic.track]), notice, camera);
  }

  /** The opening camera joins the stream, unless it failed (told: the call goes on with voice) or is unwanted now. */
  private async addOpeningCamera(opening: Promise<OpenedTrack>): Promise<MediaStreamTrack | null> {
    try {
      const { track, fellBack } = await opening;
      if (this.openingCamera !== opening || this.stopped) {
        track.stop(); // turned off or ended while it opened: its light must not stay on
        return null;
      }
      this.openingCamera = null;
      if (fellBack) this.notice('E_DEVICE_FALLBACK', 'camera');
      this.stream.addTrack(track);
      return track;
    } catch (err) {
      if (this.openingCamera === opening) {
        this.openingCamera = null;
        if (!this.stopped) this.notice(codeOf(err), 'camera');
      }
      return null;
    }
  }

  get hasCamera(): boolean {
    return this.stream.getVideoTracks().length > 0;
  }

  /** A muted microphone keeps its track (and sends silence), so unmuting is instant. */
  setMuted(muted: boolean): void {
    for (const track of this.stream.getAudioTracks()) track.enabled = !muted;
  }

  /** Stops the camera, so its light goes off (one still opening is closed as soon as it opens). */
  cameraOff(): void {
    this.openingCamera = null;
    for (const track of this.stream.getVideoTracks()) {
      track.stop();
      this.stream.removeTrack(track);
    }
  }

  /** Opens the camera and adds its track; null if it failed (told), or if the call ended or the camera came on meanwhile. */
  async cameraOn(cameraId: string | undefined): Promise<MediaStreamTrack | null> {
    try {
      const { track, fellBack } = await openTrack('video', cameraId);
      if (this.stopped || this.hasCamera) {
        track.stop(); // not needed any more, and must not stay lit
        return null;
      }
      if (fellBack) this.notice('E_DEVICE_FALLBACK', 'camera');
      this.stream.addTrack(track);
      return track;
    } catch (err) {
      this.notice(codeOf(err), 'camera');
      return null;
    }
  }

  /**
   * Opens another device for a kind in use and hands its track to `swap` (the peer's replaceTrack, so nothing
   * is renegotiated) before the old one stops. True if switched. A new microphone starts as muted as `muted()` says.
   */
  async switchDevice(
    kind: 'audio' | 'video',
    deviceId: string | undefined,
    muted: () => boolean,
    swap: (track: MediaStreamTrack) => Promise<unknown>,
  ): Promise<boolean> {
    if (!this.trackOf(kind)) return false;
    let track: MediaStreamTrack | undefined;
    try {
      const opened = await openTrack(kind, deviceId);
      track = opened.track;
      // Re-read after the wait: the call may have ended, or another switch may have replaced the track.
      const old = this.trackOf(kind);
      if (this.stopped || !old) {
        track.stop();
        return false;
      }
      if (opened.fellBack) this.notice('E_DEVICE_FALLBACK', deviceOf(kind));
      if (kind === 'audio') track.enabled = !muted();
      await swap(track);
      if (this.stopped) {
        track.stop(); // the call ended while the track was handed over
        return false;
      }
      this.stream.removeTrack(old);
      old.stop();
      this.stream.addTrack(track);
      return true;
    } catch (err) {
      track?.stop();
      this.notice(codeOf(err), deviceOf(kind));
      return false;
    }
  }

  /** The id of the device a track of this kind is using now. */
  deviceInUse(kind: 'audio' | 'video'): string | undefined {
    return this.trackOf(kind)?.getSettings().deviceId;
  }

  /** The call is over: every track stops (the camera and microphone lights go off). */
  stop(): void {
    this.stopped = true;
    for (const track of this.stream.getTracks()) track.stop();
  }

  private trackOf(kind: 'audio' | 'video'): MediaStreamTrack | undefined {
    return kind === 'audio' ? this.stream.getAudioTracks()[0] : this.stream.getVideoTracks()[0];
  }
}
