/**
 * The machine's pace: how long a bare WebRTC video call takes to set up on this machine, now.
 *
 * A busy 2-core machine makes everything in a browser slower at once (page loads, getUserMedia, the
 * encoder, ICE): a Parley call that connects in under a second on a quiet machine took 7 s with two
 * busy loops beside the suite. Fixed waits either fail there or are needlessly long everywhere. So
 * global setup measures a round with no Parley call in it (a new browser context loads the web app,
 * and that page sets up a call between two RTCPeerConnections on loopback with Chromium's fake camera
 * and microphone, up to the first decoded frame), and the suites scale their waits (playwright.config.ts,
 * the ring timeout, the fixtures' media waits) by how much slower that was than on a quiet machine.
 */
import { chromium, type LaunchOptions } from '@playwright/test';

export const SLOWNESS_ENV = 'PARLEY_E2E_SLOWNESS';

/**
 * The slowest of `measureRounds`' three rounds on a quiet 2-core machine (nothing else running; the
 * median of five runs of `npx tsx e2e/support/measure-pace.ts`): the pace the suites' waits were written for.
 */
export const QUIET_ROUND_MS = 1750;
/** Slower than this is a broken machine, not a busy one: waits stop growing. */
const MAX_SLOWNESS = 6;

/**
 * How many times slower than a quiet machine this one is (≥ 1), as global setup measured it (or as
 * PARLEY_E2E_SLOWNESS says, when set before the run; 1 where nothing measured it, e.g. the benchmark).
 */
export function slowness(): number {
  const value = Number(process.env[SLOWNESS_ENV]);
  return Number.isFinite(value) && value >= 1 ? value : 1;
}

/** `ms` (a wait written for a quiet machine) at this machine's pace. */
export function paced(ms: number): number {
  return Math.round(ms * slowness());
}

/**
 * In a fresh browser, `runs` times: a new context opens `url` (the suite's own web app: its page load is
 * part of every test) and sets up the bare call there. One such round is made first and left out (a
 * browser's first call also starts its media and codec machinery, once per worker). Returns each
 * round's ms, page load included.
 */
export async function measureRounds(url: string, launch: LaunchOptions, runs = 3): Promise<number[]> {
  const browser = await chromium.launch(launch);
  const round = async () => {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    try {
      const started = Date.now();
      const page = await context.newPage();
      await page.goto(url);
      await page.evaluate(bareCall);
      return Date.now() - started;
    } finally {
      await context.close();
    }
  };
  try {
    await round();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await round());
    return times;
  } finally {
    await browser.close();
  }
}

/** The slowness the slowest of `times` shows, between 1 and MAX_SLOWNESS. */
export function slownessOf(times: number[]): number {
  const slowest = Math.max(...times);
  return Math.min(MAX_SLOWNESS, Math.max(1, slowest / QUIET_ROUND_MS));
}

/** In the page: getUserMedia at Parley's camera size, and a loopback call up to its first decoded frame. */
async function bareCall(): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 1280, height: 720 },
  });
  const caller = new RTCPeerConnection();
  const callee = new RTCPeerConnection();
  try {
    caller.onicecandidate = (e) => void (e.candidate && callee.addIceCandidate(e.candidate));
    callee.onicecandidate = (e) => void (e.candidate && caller.addIceCandidate(e.candidate));
    for (const track of stream.getTracks()) caller.addTrack(track, stream);
    const video = document.createElement('video');
    video.muted = true;
    const firstFrame = new Promise<void>((resolve) => {
      callee.ontrack = (e) => {
        if (e.track.kind !== 'video') return;
        video.srcObject = new MediaStream([e.track]);
        void video.play();
        video.requestVideoFrameCallback(() => resolve());
      };
    });
    await caller.setLocalDescription();
    await callee.setRemoteDescription(caller.localDescription!);
    await callee.setLocalDescription();
    await caller.setRemoteDescription(callee.localDescription!);
    await firstFrame;
  } finally {
    caller.close();
    callee.close();
    for (const track of stream.getTracks()) track.stop();
  }
}
