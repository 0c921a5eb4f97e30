/**
 * Generates the call sounds the renderer plays (renderer/audio/tones.ts) as 16-bit PCM mono WAV at 48 kHz:
 *
 * - ringtone.wav (incoming call): two soft chime strikes (A5 + E6, a perfect fifth) in the UK "ring-ring"
 *   cadence 0.4 s on, 0.2 s off, 0.4 s on, 2.0 s off = 3 s; peak -6 dBFS.
 * - ringback.wav (what the caller hears): the North American ringback, 440 Hz + 480 Hz, 2 s on, 4 s off
 *   = 6 s; peak -12 dBFS.
 *
 * Both files start and end at zero and are loop-sized (one full cadence), so `audio.loop` repeats them
 * without a gap or a click. No dependencies; the output is derived from this file alone.
 *
 *   tsx scripts/make-sounds.ts [outDir]     (default: assets/public/sounds, Vite's publicDir)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isEntryPoint } from './entry-point.js';

export const SAMPLE_RATE = 48_000;

/** Linear amplitude (full scale = 1) of a level in dBFS. */
export function dbfsToAmplitude(dbfs: number): number {
  return 10 ** (dbfs / 20);
}

export const RINGTONE = {
  seconds: 3,
  /** Start of each strike, in seconds. */
  strikes: [0, 0.6],
  strikeSeconds: 0.4,
  /** A5 and E6. */
  frequencies: [880, 1318.51],
  attackSeconds: 0.015,
  /** Time constant of the exponential decay after the attack. */
  decaySeconds: 0.2,
  /** Raised-cosine fade at the end of each strike, so it reaches exactly zero. */
  releaseSeconds: 0.05,
  peakDbfs: -6,
} as const;

export const RINGBACK = {
  seconds: 6,
  onSeconds: 2,
  frequencies: [440, 480],
  /** Raised-cosine ramp at both ends of the on-phase (inside it). */
  rampSeconds: 0.02,
  peakDbfs: -12,
} as const;

/** Raised-cosine ramp from 0 (x <= 0) to 1 (x >= 1). */
function ramp(x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return 0.5 - 0.5 * Math.cos(Math.PI * x);
}

/** Sum of equal-amplitude sines (amplitude 1 each) at time t seconds. */
function tones(frequencies: readonly number[], t: number): number {
  let sum = 0;
  for (const f of frequencies) sum += Math.sin(2 * Math.PI * f * t);
  return sum;
}

/** Scales samples in place so the largest magnitude equals `peak`. */
function normalize(samples: Float32Array, peak: number): Float32Array {
  let max = 0;
  for (const s of samples) max = Math.max(max, Math.abs(s));
  if (max > 0) for (let i = 0; i < samples.length; i++) samples[i] = (samples[i]! / max) * peak;
  return samples;
}

/** The incoming-call ringtone, one loop of it, as floats in [-1, 1]. */
export function renderRingtone(sampleRate = SAMPLE_RATE): Float32Array {
  const r = RINGTONE;
  const out = new Float32Array(Math.round(r.seconds * sampleRate));
  const strikeLength = Math.round(r.strikeSeconds * sampleRate);
  for (const start of r.strikes) {
    const offset = Math.round(start * sampleRate);
    for (let n = 0; n < strikeLength; n++) {
      const t = n / sampleRate;
      const envelope =
        ramp(t / r.attackSeconds) *
        Math.exp(-Math.max(0, t - r.attackSeconds) / r.decaySeconds) *
        ramp((r.strikeSeconds - t) / r.releaseSeconds);
      out[offset + n] = envelope * tones(r.frequencies, t);
    }
  }
  return normalize(out, dbfsToAmplitude(r.peakDbfs));
}

/** The ringback tone the caller hears, one 6 s cadence, as floats in [-1, 1]. */
export function renderRingback(sampleRate = SAMPLE_RATE): Float32Array {
  const r = RINGBACK;
  const out = new Float32Array(Math.round(r.seconds * sampleRate));
  const onLength = Math.round(r.onSeconds * sampleRate);
  // Each tone gets half the peak, so the sum never exceeds it (it reaches it when the two beat in phase).
  const amplitude = dbfsToAmplitude(r.peakDbfs) / r.frequencies.length;
  for (let n = 0; n < onLength; n++) {
    const t = n / sampleRate;
    const envelope = ramp(t / r.rampSeconds) * ramp((r.onSeconds - t) / r.rampSeconds);
    out[n] = amplitude * envelope * tones(r.frequencies, t);
  }
  return out;
}

/** A RIFF/WAVE file: 16-bit signed PCM, one channel. Samples are clamped to [-1, 1]. */
export function encodeWav(samples: ArrayLike<number>, sampleRate: number): Uint8Array {
  const channels = 1;
  const bytesPerSample = 2;
  const dataBytes = samples.length * bytesPerSample * channels;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };

  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true); // size of everything after this field
  ascii(8, 'WAVE');

  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // format: integer PCM
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * bytesPerSample, true); // byte rate
  view.setUint16(32, channels * bytesPerSample, true); // block align
  view.setUint16(34, bytesPerSample * 8, true); // bits per sample

  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.min(1, Math.max(-1, samples[i]!));
    view.setInt16(44 + i * bytesPerSample, Math.round(s * 0x7fff), true);
  }
  return bytes;
}

/** Default output: Vite's publicDir (vite.config.ts), served at ./sounds/. */
const DEFAULT_OUT_DIR = fileURLToPath(new URL('../assets/public/sounds/', import.meta.url));

function main(args: string[]): void {
  const outDir = args[0] ? resolve(args[0]) : DEFAULT_OUT_DIR;
  mkdirSync(outDir, { recursive: true });
  const sounds: [name: string, samples: Float32Array][] = [
    ['ringtone.wav', renderRingtone()],
    ['ringback.wav', renderRingback()],
  ];
  for (const [name, samples] of sounds) {
    const file = join(outDir, name);
    writeFileSync(file, encodeWav(samples, SAMPLE_RATE));
    console.log(`wrote ${file} (${(samples.length / SAMPLE_RATE).toFixed(1)} s)`);
  }
}

if (isEntryPoint(import.meta.url)) main(process.argv.slice(2));
