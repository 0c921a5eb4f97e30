/**
 * Stand-ins for the browser's media objects in unit tests that run in Node: tracks, MediaStream, and
 * navigator.mediaDevices whose getUserMedia opens tracks of the devices it has and fails the way browsers
 * do otherwise. fake-webrtc.ts installs them with the fake RTCPeerConnection.
 */
let lastId = 0;
/** A fresh number for ids and ICE ufrags, unique across the fakes. */
export const nextId = (): number => ++lastId;

export class FakeTrack {
  readonly id = `track-${nextId()}`;
  enabled = true;
  muted = false;
  readyState: MediaStreamTrackState = 'live';
  onmute: (() => void) | null = null;
  onunmute: (() => void) | null = null;
  onended: (() => void) | null = null;

  constructor(
    readonly kind: 'audio' | 'video',
    readonly deviceId = 'default',
    readonly label = `${kind} ${deviceId}`,
  ) {}

  getSettings(): MediaTrackSettings {
    // A camera gives 720p, as the app asks for (and Chromium's fake camera gives).
    return this.kind === 'video'
      ? { deviceId: this.deviceId, width: 1280, height: 720 }
      : { deviceId: this.deviceId };
  }

  /** Stops for good, as when the app closes the device (a local stop fires no `ended`, as in browsers). */
  stop(): void {
    this.readyState = 'ended';
  }

  /** The browser's doing: the remote side stopped (or started again) sending on this track. */
  setMuted(muted: boolean): void {
    if (this.muted === muted) return;
    this.muted = muted;
    (muted ? this.onmute : this.onunmute)?.();
  }
}

export class FakeMediaStream {
  readonly id = `stream-${nextId()}`;
  private readonly tracks: FakeTrack[] = [];

  constructor(tracks: FakeTrack[] = []) {
    this.tracks.push(...tracks);
  }

  addTrack(track: FakeTrack): void {
    if (!this.tracks.includes(track)) this.tracks.push(track);
  }

  removeTrack(track: FakeTrack): void {
    const at = this.tracks.indexOf(track);
    if (at >= 0) this.tracks.splice(at, 1);
  }

  getTracks(): FakeTrack[] {
    return [...this.tracks];
  }

  getAudioTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === 'audio');
  }

  getVideoTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === 'video');
  }
}

/** navigator.mediaDevices: opens tracks of the devices it has, fails the way browsers do otherwise. */
export class FakeMediaDevices {
  readonly devices = { audio: ['mic-1', 'mic-2'], video: ['cam-1', 'cam-2'] };
  /** Kinds whose permission the person refused. */
  readonly denied = new Set<'audio' | 'video'>();
  /** Every track getUserMedia handed out, in order. */
  readonly opened: FakeTrack[] = [];

  /** Kinds whose opening waits until the test lets it go (`hold`): a camera slow to start. */
  private readonly holds = new Map<'audio' | 'video', Promise<void>>();

  /** Makes opening `kind` wait until the function returned is called. */
  hold(kind: 'audio' | 'video'): () => void {
    let release!: () => void;
    this.holds.set(kind, new Promise((resolve) => (release = resolve)));
    return () => {
      this.holds.delete(kind);
      release();
    };
  }

  async getUserMedia(constraints: MediaStreamConstraints): Promise<FakeMediaStream> {
    const kind = constraints.video ? 'video' : 'audio';
    await this.holds.get(kind);
    const wanted = constraints[kind];
    const exact =
      typeof wanted === 'object' ? (wanted.deviceId as { exact?: string } | undefined)?.exact : undefined;
    if (this.denied.has(kind))
      throw Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    const deviceId = exact ?? this.devices[kind][0];
    if (!deviceId || !this.devices[kind].includes(deviceId))
      throw Object.assign(new Error('no such device'), {
        name: exact ? 'OverconstrainedError' : 'NotFoundError',
      });
    const track = new FakeTrack(kind, deviceId);
    this.opened.push(track);
    return new FakeMediaStream([track]);
  }

  /** The tracks that are still open (a camera or microphone light that is on). */
  live(): FakeTrack[] {
    return this.opened.filter((t) => t.readyState === 'live');
  }
}
