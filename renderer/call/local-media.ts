/**
 * The microphone and camera of one call: opening them with the preferred devices (a missing camera is no
 * reason to miss the call), muting, the camera off and on, switching devices, and stopping every track when
 * the call ends. It owns the one MediaStream the peer connection sends from and the app shows as the local
 * picture. Trouble is told through `notice`, with a code the UI puts into words and the device concerned.
 */
import { LocalMediaError, openTrack } from './media.js';

export type DeviceNotice = (code: string, device: 'microphone' | 'camera') => void;

const deviceOf = (kind: 'audio' | 'video') => (kind === 'audio' ? 'microphone' : 'camera');
const codeOf = (err: unknown) => (err as LocalMediaError).code ?? 'E_MEDIA_FAILED';

export class LocalMedia {
  /** Set when the call ended: a device that opens after that is closed again at once. */
  private stopped = false;

  private constructor(
    readonly stream: MediaStream,
    private readonly notice: DeviceNotice,
  ) {}

  /** Opens the microphone, and for video the camera too; null if the microphone could not be opened. */
  static async open(
    media: 'audio' | 'video',
    devices: { microphoneId?: string | undefined; cameraId?: string | undefined },
    notice: DeviceNotice,
  ): Promise<LocalMedia | null> {
    // Both at once: the call waits for the slower of the two, not for their sum.
    const [mic, camera] = await Promise.allSettled([
      openTrack('audio', devices.microphoneId),
      media === 'video' ? openTrack('video', devices.cameraId) : Promise.resolve(null),
    ]);
    if (mic.status === 'rejected') {
      notice(codeOf(mic.reason), 'microphone');
      if (camera.status === 'fulfilled') camera.value?.track.stop(); // no call: its light goes off
      return null;
    }
    const stream = new MediaStream();
    if (mic.value.fellBack) notice('E_DEVICE_FALLBACK', 'microphone');
    stream.addTrack(mic.value.track);
    if (camera.status === 'rejected')
      notice(codeOf(camera.reason), 'camera'); // the call goes on with voice
    else if (camera.value) {
      if (camera.value.fellBack) notice('E_DEVICE_FALLBACK', 'camera');
      stream.addTrack(camera.value.track);
    }
    return new LocalMedia(stream, notice);
  }

  get hasCamera(): boolean {
    return this.stream.getVideoTracks().length > 0;
  }

  /** A muted microphone keeps its track (and sends silence), so unmuting is instant. */
  setMuted(muted: boolean): void {
    for (const track of this.stream.getAudioTracks()) track.enabled = !muted;
  }

  /** Stops the camera, so its light goes off. */
  cameraOff(): void {
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
