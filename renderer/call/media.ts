/**
 * Local media: opening microphone and camera tracks with a preferred
 * device, falling back to the default when that device is gone, and
 * turning getUserMedia failures into codes the UI can put into words.
 */
export type LocalMediaErrorCode = 'E_MEDIA_DENIED' | 'E_MEDIA_MISSING' | 'E_MEDIA_BUSY' | 'E_MEDIA_FAILED';

export class LocalMediaError extends Error {
  constructor(
    readonly code: LocalMediaErrorCode,
    readonly kind: 'audio' | 'video',
  ) {
    super(`${kind}: ${code}`);
    this.name = 'LocalMediaError';
  }
}

function codeOf(err: unknown): LocalMediaErrorCode {
  const name = (err as { name?: string } | undefined)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'E_MEDIA_DENIED';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'E_MEDIA_MISSING';
  if (name === 'NotReadableError' || name === 'AbortError') return 'E_MEDIA_BUSY';
  return 'E_MEDIA_FAILED';
}

export interface OpenedTrack {
  track: MediaStreamTrack;
  /** True when the preferred device was missing and the default one was opened instead. */
  fellBack: boolean;
}

const constraintsFor = (kind: 'audio' | 'video', deviceId?: string): MediaStreamConstraints => {
  const base: MediaTrackConstraints =
    kind === 'audio'
      ? { echoCancellation: true, noiseSuppression: true, autoGainControl: true }
      : { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
  const track = deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
  return kind === 'audio' ? { audio: track } : { video: track };
};

/** Opens one microphone or camera track. */
export async function openTrack(kind: 'audio' | 'video', deviceId?: string): Promise<OpenedTrack> {
  const open = async (id?: string) => {
    const stream = await navigator.mediaDevices.getUserMedia(constraintsFor(kind, id));
    const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    if (!track) throw new LocalMediaError('E_MEDIA_MISSING', kind);
    return track;
  };
  try {
    return { track: await open(deviceId), fellBack: false };
  } catch (err) {
    if (err instanceof LocalMediaError) throw err;
    const code = codeOf(err);
    if (deviceId && code === 'E_MEDIA_MISSING') {
      try {
        return { track: await open(undefined), fellBack: true };
      } catch (again) {
        throw new LocalMediaError(codeOf(again), kind);
      }
    }
    throw new LocalMediaError(code, kind);
  }
}

export interface MediaDeviceLists {
  microphones: MediaDeviceInfo[];
  cameras: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

async function listDevices(): Promise<MediaDeviceLists> {
  const all = await navigator.mediaDevices.enumerateDevices();
  return {
    microphones: all.filter((d) => d.kind === 'audioinput'),
    cameras: all.filter((d) => d.kind === 'videoinput'),
    speakers: all.filter((d) => d.kind === 'audiooutput'),
  };
}

/** The browser's devices, and word when one is plugged in or out. */
export const browserDevices = {
  list: listDevices,
  onChange: (handler: () => void): void =>
    navigator.mediaDevices?.addEventListener?.('devicechange', handler),
};

/** Whether this browser can choose the output device of a media element. */
export const canPickSpeaker = (): boolean =>
  typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

/**
 * The microphone's permission, as a live status (its `state` follows changes), or null where the browser
 * cannot say (Firefox). A call rings the far side while the microphone opens only when it is `granted`;
 * otherwise the person answers the prompt, or hears why not, before anyone rings.
 */
export function microphonePermission(): Promise<PermissionStatus | null> {
  return navigator.permissions.query({ name: 'microphone' as PermissionName }).catch(() => null);
}
