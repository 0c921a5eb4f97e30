/**
 * Ringtone (incoming) and ringback (outgoing) playback. The ringtone plays
 * on the ring device at the ring volume; ringback on the speaker. The WAV
 * files are made by scripts/make-sounds.ts at build time.
 */
export interface Tones {
  startRingtone(): void;
  stopRingtone(): void;
  startRingback(): void;
  stopRingback(): void;
  setRingDevice(deviceId: string | undefined): void;
  setRingVolume(volume: number): void;
  setSpeaker(deviceId: string | undefined): void;
}

type SinkElement = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

function loop(src: string): SinkElement {
  const audio = new Audio(src) as SinkElement;
  audio.loop = true;
  audio.preload = 'auto';
  return audio;
}

function play(audio: SinkElement): void {
  audio.currentTime = 0;
  // Autoplay rules may refuse sound before the first click; ringing still shows on screen.
  void audio.play().catch(() => undefined);
}

function route(audio: SinkElement, deviceId: string | undefined): void {
  void audio.setSinkId?.(deviceId ?? '').catch(() => undefined);
}

export class AudioTones implements Tones {
  private readonly ringtone = loop('./sounds/ringtone.wav');
  private readonly ringback = loop('./sounds/ringback.wav');

  startRingtone(): void {
    play(this.ringtone);
  }

  stopRingtone(): void {
    this.ringtone.pause();
  }

  startRingback(): void {
    play(this.ringback);
  }

  stopRingback(): void {
    this.ringback.pause();
  }

  setRingDevice(deviceId: string | undefined): void {
    route(this.ringtone, deviceId);
  }

  setRingVolume(volume: number): void {
    this.ringtone.volume = Math.min(1, Math.max(0, volume));
  }

  setSpeaker(deviceId: string | undefined): void {
    route(this.ringback, deviceId);
  }

  /** Whether each tone is sounding now (diagnostics and tests). */
  get playing(): { ringtone: boolean; ringback: boolean } {
    return { ringtone: !this.ringtone.paused, ringback: !this.ringback.paused };
  }
}
