/**
 * The call-setup benchmark's baseline: a bare WebRTC video call between two pages of one browser context,
 * on an empty page served by a Playwright route (no server, no React). Each page opens Chromium's fake
 * camera and microphone and one RTCPeerConnection (`max-bundle`, no ICE servers), shows the far side in a
 * "Remote video" element as Parley does, and the benchmark hands SDP over with page.evaluate and ICE
 * candidates through an exposed binding. The same instruments as on Parley's pages (capture.ts) time it.
 */
import type { BrowserContext, Page } from '@playwright/test';
import {
  captureTimeline,
  firstAt,
  firstDecodedAt,
  mediaCompleteAt,
  takeEvents,
  type CaptureEvent,
} from './capture.js';
import { longestGap, minus, type Gap, type Sample } from './figures.js';

/** The baseline pages' origin: served by a Playwright route (nothing listens there), secure as 127.0.0.1. */
const BASELINE_ORIGIN = 'http://127.0.0.1:9';

export interface Capture {
  width: number;
  height: number;
}

/** The baseline's side of a call, in the page: one RTCPeerConnection, no server, no UI. */
interface RawPeer {
  readonly pc: RTCPeerConnection | null;
  /**
   * Opens fake camera (at `capture`, the size Parley's camera runs at, or the browser's default size when
   * null) and microphone, a fresh connection sending them and a fresh remote-video element; returns
   * getUserMedia ms and the camera's actual size.
   */
  prepare(call: number, capture: Capture | null): Promise<{ gumMs: number; capture: Capture }>;
  offer(): Promise<RTCSessionDescriptionInit>;
  answer(offer: RTCSessionDescriptionInit): Promise<RTCSessionDescriptionInit>;
  accept(answer: RTCSessionDescriptionInit): Promise<void>;
  candidate(call: number, candidate: RTCIceCandidateInit): Promise<void>;
  /** Date.now() when the caller started createOffer. */
  offerStart(): number | undefined;
  close(): void;
}

declare global {
  interface Window {
    __raw?: RawPeer;
    /** Exposed by the benchmark: hands a local ICE candidate to the other baseline page. */
    benchSignal?: (call: number, candidate: RTCIceCandidateInit) => Promise<void>;
  }
}

/** Init script of the baseline pages (serialised into the page: it may use nothing from this module). */
function installRawPeer(): void {
  let pc: RTCPeerConnection | null = null;
  let stream: MediaStream | null = null;
  let video: HTMLVideoElement | null = null;
  let call = -1;
  let pending: RTCIceCandidateInit[] = [];
  let offerStart: number | undefined;
  const need = () => {
    if (!pc) throw new Error('raw peer: prepare() first');
    return pc;
  };
  const flush = async () => {
    const own = need();
    if (!own.remoteDescription) return;
    for (const c of pending.splice(0)) await own.addIceCandidate(c);
  };
  window.__raw = {
    get pc() {
      return pc;
    },
    async prepare(n, size) {
      call = n;
      pending = [];
      offerStart = undefined;
      const opened = performance.now();
      stream = await navigator.mediaDevices.getUserMedia({
        audio: true,
        video: size
          ? { width: { ideal: size.width }, height: { ideal: size.height }, frameRate: { ideal: 30 } }
          : true,
      });
      const gumMs = performance.now() - opened;
      const settings = stream.getVideoTracks()[0]?.getSettings();
      const own = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      pc = own;
      own.onicecandidate = ({ candidate }) => {
        if (candidate) void window.benchSignal?.(n, candidate.toJSON());
      };
      // Like Parley's call view: one element shows (and plays) the far side, attached as tracks arrive.
      const remote = new MediaStream();
      video = document.createElement('video');
      video.setAttribute('aria-label', 'Remote video');
      video.autoplay = video.playsInline = true;
      video.style.width = '640px';
      video.style.height = '360px';
      video.srcObject = remote;
      document.body.append(video);
      own.ontrack = ({ track }) => remote.addTrack(track);
      for (const track of stream.getTracks()) own.addTrack(track, stream);
      return { gumMs, capture: { width: settings?.width ?? 0, height: settings?.height ?? 0 } };
    },
    async offer() {
      const own = need();
      offerStart = Date.now();
      const offer = await own.createOffer();
      await own.setLocalDescription(offer);
      return { type: offer.type, sdp: offer.sdp ?? '' };
    },
    async answer(offer) {
      const own = need();
      await own.setRemoteDescription(offer);
      await flush();
      const answer = await own.createAnswer();
      await own.setLocalDescription(answer);
      return { type: answer.type, sdp: answer.sdp ?? '' };
    },
    async accept(answer) {
      await need().setRemoteDescription(answer);
      await flush();
    },
    async candidate(n, c) {
      if (n !== call) return; // a straggler from an earlier call
      pending.push(c);
      await flush();
    },
    offerStart: () => offerStart,
    close() {
      pc?.close();
      pc = null;
      for (const track of stream?.getTracks() ?? []) track.stop();
      stream = null;
      video?.remove();
      video = null;
    },
  };
}

/** Two baseline pages in `context` (which has the capture instruments installed). */
export async function openBaseline(context: BrowserContext): Promise<[Page, Page]> {
  await context.route(`${BASELINE_ORIGIN}/**`, (route) =>
    route.request().url().endsWith('/raw-webrtc.html')
      ? route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>raw WebRTC baseline</title>' })
      : route.fulfill({ status: 404, body: '' }),
  );
  await context.addInitScript(installRawPeer);
  const pages: Page[] = [];
  await context.exposeBinding(
    'benchSignal',
    async ({ page }, call: number, candidate: RTCIceCandidateInit) => {
      const other = pages.find((p) => p !== page);
      await other?.evaluate(({ call, candidate }) => window.__raw?.candidate(call, candidate), {
        call,
        candidate,
      });
    },
  );
  for (let i = 0; i < 2; i++) {
    const page = await context.newPage();
    await page.goto(`${BASELINE_ORIGIN}/raw-webrtc.html`);
    pages.push(page);
  }
  return [pages[0]!, pages[1]!];
}

export interface RawSide {
  gumMs: number;
  capture: Capture;
  events: CaptureEvent[];
}

export interface RawCall {
  /** Date.now() when the caller started createOffer: the baseline's clock starts here. */
  offerStart: number;
  caller: RawSide;
  callee: RawSide;
}

/**
 * One bare video call between the two baseline pages, until `waitForMedia` says both sides have what the
 * benchmark measures.
 */
export async function rawCall(
  caller: Page,
  callee: Page,
  n: number,
  capture: Capture | null,
  waitForMedia: (page: Page) => Promise<void>,
): Promise<RawCall> {
  for (const p of [caller, callee]) await p.evaluate(() => window.__benchCapture!.reset());
  const opened = await Promise.all(
    [caller, callee].map((p) =>
      p.evaluate(({ n, capture }) => window.__raw!.prepare(n, capture), { n, capture }),
    ),
  );
  const offer = await caller.evaluate(() => window.__raw!.offer());
  const answer = await callee.evaluate((o) => window.__raw!.answer(o), offer);
  await caller.evaluate((a) => window.__raw!.accept(a), answer);

  await Promise.all([caller, callee].map(waitForMedia));
  const offerStart = await caller.evaluate(() => window.__raw!.offerStart());
  if (offerStart === undefined) throw new Error('baseline: the caller never started createOffer');
  const [a, b] = await Promise.all(
    [caller, callee].map(async (p, i) => {
      const events = await takeEvents(p);
      await p.evaluate(() => window.__raw!.close());
      return { ...opened[i]!, events };
    }),
  );
  return { offerStart, caller: a!, callee: b! };
}

export const RAW_ROWS = {
  gum: 'getUserMedia, caller page (before the clock starts)',
  offerToConnected: 'createOffer start -> connected (caller: ICE+DTLS)',
  offerToAudio: 'createOffer start -> first audio packet (caller)',
  connectedToAudio: 'connected -> first audio packet (caller)',
  connectedToPacket: 'connected -> first video packet (caller)',
  connectedToFrameCaller: 'connected -> first decoded frame (caller)',
  connectedToFrameCallee: 'connected -> first decoded frame (callee)',
  connectedToShownCaller: 'connected -> first frame on screen (caller, rVFC)',
  total: 'TOTAL createOffer start -> first decoded frame (caller)',
  longestGap: 'longest gap between setup events',
} as const;

/** The figures of one baseline call (the same instruments, read the same way, as Parley's). */
export function rawFigures(call: RawCall): Sample {
  const a = call.caller.events;
  const b = call.callee.events;
  const connectedA = firstAt(a, 'connected');
  const connectedB = firstAt(b, 'connected');
  return {
    gum: call.caller.gumMs,
    offerToConnected: minus(connectedA, call.offerStart),
    offerToAudio: minus(firstAt(a, 'first-packet', 'audio'), call.offerStart),
    connectedToAudio: minus(firstAt(a, 'first-packet', 'audio'), connectedA),
    connectedToPacket: minus(firstAt(a, 'first-packet', 'video'), connectedA),
    connectedToFrameCaller: minus(firstDecodedAt(a), connectedA),
    connectedToFrameCallee: minus(firstDecodedAt(b), connectedB),
    connectedToShownCaller: minus(firstAt(a, 'frame-shown'), connectedA),
    total: minus(firstDecodedAt(a), call.offerStart),
    longestGap: rawGap(call)?.ms,
  };
}

/** The longest gap in a bare call's setup, from createOffer start to the end of setup on both pages. */
export function rawGap(call: RawCall): Gap | null {
  return longestGap(
    [
      ...captureTimeline('caller', call.caller.events),
      ...captureTimeline('callee', call.callee.events),
      { at: call.offerStart, what: 'caller: createOffer start' },
    ],
    {
      start: call.offerStart,
      end: Math.max(mediaCompleteAt(call.caller.events), mediaCompleteAt(call.callee.events)),
    },
  );
}
