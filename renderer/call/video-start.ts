/**
 * A camera starts small: its first frames go out at most `START_LINES` high, and at full size from
 * `FULL_SIZE_AFTER_MS` after it is on a connected connection. Chromium starts each connection's bandwidth
 * estimate low (about 300 kbit/s); a 720p camera sent from the start has its first frames dropped while the
 * encoder scales itself down to what that rate carries, and the far side's first picture comes 350-600 ms
 * after the track is attached. Sent at 360 lines from the start, the same picture size the encoder would have
 * chosen, it comes in 120-210 ms (bench/README.md). By the time the full size is asked for, the estimate has
 * grown and WebRTC's own adaptation decides the size from there.
 */
export const START_LINES = 360;
export const FULL_SIZE_AFTER_MS = 2_000;

/** How much to scale a camera's picture down by for its first frames: 1 for a camera that is small already. */
export function startingScale(track: MediaStreamTrack): number {
  const height = track.kind === 'video' ? track.getSettings().height : undefined;
  return height && height > START_LINES ? height / START_LINES : 1;
}

/** Sends a sender's picture scaled down by `scale` (1: full size). Refused by a closing connection: ignored. */
export async function scalePicture(sender: RTCRtpSender, scale: number): Promise<void> {
  const parameters = sender.getParameters();
  if (!parameters.encodings?.length) return;
  for (const encoding of parameters.encodings) encoding.scaleResolutionDownBy = scale;
  await sender.setParameters(parameters).catch(() => undefined);
}
