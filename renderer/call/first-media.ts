/**
 * When the far side's first audio packet and first video frame arrive, for the setup timings, each to a
 * packet or a frame rather than to a poll: the first audio from the remote audio track's `unmute` (the
 * browser unmutes a remote track when its first packet comes), the first video from
 * `requestVideoFrameCallback` on a video element of its own, never in the page, that lets go of the track
 * after its first frame. Fed the remote stream whenever its tracks change (`check`).
 */
import type { TimingRecorder } from './timings.js';

export class FirstMedia {
  private videoWatch: HTMLVideoElement | null = null;
  private stopped = false;

  constructor(private readonly recorder: TimingRecorder) {}

  check(stream: MediaStream): void {
    if (this.stopped) return;
    if (stream.getAudioTracks().some((t) => t.readyState === 'live' && !t.muted))
      this.recorder.mark('first-audio');
    const video = stream.getVideoTracks()[0];
    if (video && !this.videoWatch && !this.recorder.has('first-video')) this.watchVideo(video);
  }

  stop(): void {
    this.stopped = true;
    this.releaseVideo();
  }

  /** A browser without a DOM (the unit tests) or without requestVideoFrameCallback marks no first frame. */
  private watchVideo(track: MediaStreamTrack): void {
    if (typeof document === 'undefined') return;
    const element = document.createElement('video');
    if (typeof element.requestVideoFrameCallback !== 'function') return;
    element.muted = true;
    element.srcObject = new MediaStream([track]);
    element.requestVideoFrameCallback(() => {
      if (!this.stopped) this.recorder.mark('first-video');
      this.releaseVideo();
    });
    void element.play().catch(() => undefined); // stopped before it played: nothing to mark
    this.videoWatch = element;
  }

  private releaseVideo(): void {
    if (!this.videoWatch) return;
    this.videoWatch.srcObject = null;
    this.videoWatch = null;
  }
}
