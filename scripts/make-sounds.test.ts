/**
 * The generated call sounds, checked by numbers: a valid WAV header, the designed durations and cadences,
 * the right frequencies (Goertzel), the intended peak levels, and loop-safe edges (no clicks).
 * The sounds are checked as decoded from the encoded WAV, i.e. what the renderer actually plays.
 */
import { describe, expect, it } from 'vitest';
import { encodeWav, renderRingback, renderRingtone, SAMPLE_RATE } from './make-sounds.js';

interface Wav {
  sampleRate: number;
  samples: Float64Array;
}

/** Parses the 44-byte header encodeWav writes, asserting every field, and decodes the samples. */
function decodeWav(bytes: Uint8Array): Wav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (offset: number): string =>
    String.fromCharCode(...bytes.subarray(offset, offset + 4).values());
  expect(ascii(0)).toBe('RIFF');
  expect(view.getUint32(4, true)).toBe(bytes.length - 8);
  expect(ascii(8)).toBe('WAVE');
  expect(ascii(12)).toBe('fmt ');
  expect(view.getUint32(16, true)).toBe(16);
  expect(view.getUint16(20, true)).toBe(1); // PCM
  expect(view.getUint16(22, true)).toBe(1); // mono
  const sampleRate = view.getUint32(24, true);
  expect(view.getUint32(28, true)).toBe(sampleRate * 2); // byte rate
  expect(view.getUint16(32, true)).toBe(2); // block align
  expect(view.getUint16(34, true)).toBe(16); // bits per sample
  expect(ascii(36)).toBe('data');
  const dataBytes = view.getUint32(40, true);
  expect(dataBytes).toBe(bytes.length - 44);
  const samples = new Float64Array(dataBytes / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(44 + i * 2, true) / 0x7fff;
  return { sampleRate, samples };
}

const dbfs = (amplitude: number): number => 20 * Math.log10(amplitude);

function peak(samples: Float64Array, from = 0, to = samples.length): number {
  let max = 0;
  for (let i = from; i < to; i++) max = Math.max(max, Math.abs(samples[i]!));
  return max;
}

/** Amplitude of the `frequency` component in samples[from, from + n) (Goertzel; exact for whole bins). */
function goertzel(
  samples: Float64Array,
  sampleRate: number,
  frequency: number,
  from: number,
  n: number,
): number {
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < from + n; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / n;
}

/**
 * Largest second difference x[n+1] - 2x[n] + x[n-1], wrapping around the loop point. For a smooth signal
 * of peak a whose highest frequency is f this stays below a * (2*pi*f/rate)^2; a jump in value or in slope
 * (a click: a hard cut, a missing fade, a loop that doesn't meet itself) exceeds it.
 */
function largestJerk(samples: Float64Array): number {
  const n = samples.length;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const jerk = samples[(i + 1) % n]! - 2 * samples[i]! + samples[(i - 1 + n) % n]!;
    max = Math.max(max, Math.abs(jerk));
  }
  return max;
}

const smoothJerk = (a: number, f: number, rate: number): number => a * ((2 * Math.PI * f) / rate) ** 2;

/** Peak within 2 ms either side of `seconds` (wrapping around the loop point), relative to the overall peak. */
function edgeLevel(samples: Float64Array, sampleRate: number, seconds: number): number {
  const n = samples.length;
  const centre = Math.round(seconds * sampleRate);
  const half = Math.round(0.002 * sampleRate);
  let max = 0;
  for (let i = centre - half; i <= centre + half; i++) max = Math.max(max, Math.abs(samples[(i + n) % n]!));
  return max / peak(samples);
}

/** Starts (in seconds) of the runs of 10 ms frames whose RMS is above -40 dBFS. */
function bursts(samples: Float64Array, sampleRate: number): number[] {
  const frame = sampleRate / 100;
  const starts: number[] = [];
  let on = false;
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) sum += samples[j]! ** 2;
    const loud = Math.sqrt(sum / frame) > 10 ** (-40 / 20);
    if (loud && !on) starts.push(i / sampleRate);
    on = loud;
  }
  return starts;
}

const at = (seconds: number): number => Math.round(seconds * SAMPLE_RATE);

describe('encodeWav', () => {
  it('writes a 16-bit mono PCM RIFF/WAVE file with data length = samples * 2', () => {
    const bytes = encodeWav([0, 1, -1, 0.5, 2, -2], 48_000);
    expect(bytes.length).toBe(44 + 6 * 2);
    const wav = decodeWav(bytes);
    expect(wav.sampleRate).toBe(48_000);
    // Full scale is +-32767; out-of-range values are clamped.
    expect(Array.from(wav.samples, (s) => Math.round(s * 0x7fff))).toEqual([
      0, 32767, -32767, 16384, 32767, -32767,
    ]);
  });

  it('encodes an empty signal as a header with an empty data chunk', () => {
    const wav = decodeWav(encodeWav([], 44_100));
    expect(wav.sampleRate).toBe(44_100);
    expect(wav.samples.length).toBe(0);
  });
});

describe('ringback.wav', () => {
  const rendered = renderRingback();
  const bytes = encodeWav(rendered, SAMPLE_RATE);
  const { sampleRate, samples } = decodeWav(bytes);

  it('is one 6 s cadence at 48 kHz', () => {
    expect(sampleRate).toBe(48_000);
    expect(bytes.length).toBe(44 + rendered.length * 2);
    expect(samples.length).toBe(6 * 48_000);
  });

  it('sounds 440 Hz + 480 Hz during the 2 s on-phase, nothing else', () => {
    const from = at(0.5); // one second in the middle of the on-phase: whole bins for every integer Hz
    const n = at(1);
    const level = (f: number): number => goertzel(samples, sampleRate, f, from, n);
    // Each tone carries half the -12 dBFS peak: -18 dBFS.
    expect(dbfs(level(440))).toBeCloseTo(-18.06, 1);
    expect(dbfs(level(480))).toBeCloseTo(-18.06, 1);
    for (const other of [350, 400, 460, 520, 620, 1000]) expect(dbfs(level(other))).toBeLessThan(-80);
  });

  it('is silent for the 4 s off-phase', () => {
    expect(peak(samples, at(2), samples.length)).toBe(0);
    expect(bursts(samples, sampleRate)).toEqual([0]);
  });

  it('peaks at about -12 dBFS, never above', () => {
    const p = dbfs(peak(samples));
    expect(p).toBeLessThanOrEqual(-12 + 0.01);
    expect(p).toBeGreaterThan(-12.5);
  });

  it('starts and ends at zero and fades in and out of the on-phase (no clicks, also at the loop point)', () => {
    expect(samples[0]).toBe(0);
    expect(samples[samples.length - 1]).toBe(0);
    for (const edge of [0, 2]) expect(edgeLevel(samples, sampleRate, edge)).toBeLessThan(0.05);
    expect(largestJerk(samples)).toBeLessThan(smoothJerk(peak(samples), 480, sampleRate) * 1.05);
  });
});

describe('ringtone.wav', () => {
  const rendered = renderRingtone();
  const bytes = encodeWav(rendered, SAMPLE_RATE);
  const { sampleRate, samples } = decodeWav(bytes);

  it('is one 3 s loop at 48 kHz', () => {
    expect(sampleRate).toBe(48_000);
    expect(bytes.length).toBe(44 + rendered.length * 2);
    expect(samples.length).toBe(3 * 48_000);
  });

  it('rings twice (0.4 s on, 0.2 s off, 0.4 s on), then 2 s of silence', () => {
    expect(bursts(samples, sampleRate)).toEqual([0, 0.6]);
    expect(peak(samples, at(0), at(0.4))).toBeGreaterThan(0.4);
    expect(peak(samples, at(0.4), at(0.6))).toBe(0);
    expect(peak(samples, at(0.6), at(1))).toBeGreaterThan(0.4);
    expect(peak(samples, at(1), samples.length)).toBe(0);
  });

  it('is a dual tone of A5 (880 Hz) and E6 (1318.51 Hz)', () => {
    // 0.1 s windows (10 Hz bins) over the first strike; 1318.51 Hz is 0.05 of a bin off centre.
    const level = (f: number): number => goertzel(samples, sampleRate, f, at(0.02), at(0.1));
    expect(dbfs(level(880))).toBeGreaterThan(-15);
    expect(dbfs(level(1318.51))).toBeGreaterThan(-15);
    for (const other of [440, 660, 1100, 1760, 2637]) expect(dbfs(level(other))).toBeLessThan(-40);
  });

  it('peaks at about -6 dBFS', () => {
    expect(dbfs(peak(samples))).toBeCloseTo(-6, 1);
  });

  it('starts and ends at zero and fades in and out of each strike (no clicks, also at the loop point)', () => {
    expect(samples[0]).toBe(0);
    expect(samples[samples.length - 1]).toBe(0);
    for (const edge of [0, 0.4, 0.6, 1]) expect(edgeLevel(samples, sampleRate, edge)).toBeLessThan(0.05);
    expect(largestJerk(samples)).toBeLessThan(smoothJerk(peak(samples), 1318.51, sampleRate) * 1.05);
  });
});
