/**
 * A camera picture that costs bits as a real camera's does, for the scenarios that measure how a sender's
 * encoder answers the network (e2e/network/udp-loss.spec.ts). Chromium plays it through
 * `--use-file-for-fake-video-capture`.
 *
 * Why: Chromium's own fake camera draws a flat picture that the encoder sends in 0.25-0.7 Mbit/s whatever
 * it is allowed. The bandwidth estimate then grows only as fast as what is sent (it is "application
 * limited"), so when the first probes of the link did not find its room, one sender's estimate stayed at
 * 0.3-1.4 Mbit/s for a minute on a clean link (2026-12-03, here and in CI). A real camera's sensor noise
 * gives the encoder something to spend every bit on, and the estimate ramps up by itself: with this
 * picture, 8-22 s to 1.5 Mbit/s when the probes found nothing, under 2 s when they did.
 *
 * The picture: a lit oval (a face) drifting across a shaded background, with fresh noise on every pixel
 * of every frame, 640x360 at 30 fps. 360 lines and not 720: two 720p encoders of noise on this 2-core
 * machine starved it (camera frames fell to 5-25 a second); at 360 lines they keep 27-30. The encoder's
 * ceiling there is 1.7 Mbit/s.
 */
import { existsSync, openSync, renameSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 30;
/** Two seconds, looped by Chromium; the noise differs in every frame, the oval's path repeats. */
const FRAMES = 60;
/** Luma noise, ± this many levels, about what a webcam shows in an ordinary room. */
const NOISE = 8;

/** Where the picture is in `dir`, written there (about 20 MB) the first time it is asked for. */
export function noisyCameraFile(dir: string): string {
  const path = join(dir, 'noisy-camera.y4m');
  if (existsSync(path)) return path;
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  try {
    // YUV4MPEG2: a header line, then each frame as "FRAME\n" and its Y, U and V planes (4:2:0).
    writeSync(fd, `YUV4MPEG2 W${WIDTH} H${HEIGHT} F${FPS}:1 Ip A1:1 C420jpeg\n`);
    const random = xorshift(0x9e3779b9);
    for (let frame = 0; frame < FRAMES; frame++) {
      writeSync(fd, 'FRAME\n');
      writeSync(fd, drawFrame(frame, random));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
  return path;
}

function drawFrame(frame: number, random: () => number): Buffer {
  const chromaWidth = WIDTH / 2;
  const chromaSize = chromaWidth * (HEIGHT / 2);
  const planes = Buffer.alloc(WIDTH * HEIGHT + 2 * chromaSize);
  const phase = (2 * Math.PI * frame) / FRAMES;
  const centreX = WIDTH / 2 + (Math.sin(phase) * WIDTH) / 10;
  const centreY = HEIGHT / 2 + (Math.cos(phase) * HEIGHT) / 20;
  for (let row = 0; row < HEIGHT; row++) {
    for (let col = 0; col < WIDTH; col++) {
      const dx = (col - centreX) / (WIDTH / 6);
      const dy = (row - centreY) / (HEIGHT / 3);
      const shade = dx * dx + dy * dy < 1 ? 170 : 60 + (col * 80) / WIDTH + (row * 40) / HEIGHT;
      const noise = Math.floor(random() * (2 * NOISE + 1)) - NOISE;
      planes[row * WIDTH + col] = clamp(shade + noise, 16, 235);
    }
  }
  const u = WIDTH * HEIGHT;
  const v = u + chromaSize;
  for (let i = 0; i < chromaSize; i++) {
    const noise = Math.floor(random() * 5) - 2;
    planes[u + i] = 118 + noise;
    planes[v + i] = 140 - noise;
  }
  return planes;
}

const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(high, Math.round(value)));

/** A small seeded generator (xorshift32), so every run plays the same picture. Values in [0, 1). */
function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}
