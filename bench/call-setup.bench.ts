/**
 * Call-setup benchmark (see bench/README.md): N video calls between two people through the real UI, server
 * and coturn, against a baseline measured in the same run and browser: two pages that connect a raw
 * RTCPeerConnection video call with Chromium's fake media, with SDP and ICE handed over by page.evaluate.
 * Prints a table per side and writes every figure to bench-results/call-setup.json. Run: `npm run bench`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from '@playwright/test';
import type { SetupStage, SetupTimings } from '../renderer/call/timings.js';
import { expect, test, type Person } from '../e2e/support/fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = resolve(ROOT, 'bench-results/call-setup.json');

/** Measured calls of each kind (Parley and raw WebRTC). */
const CALLS = positiveInt('PARLEY_BENCH_CALLS', 10);
/** Calls of each kind made first and left out of the figures (first use of codecs, pages, server paths). */
const WARMUP = positiveInt('PARLEY_BENCH_WARMUP', 1, true);
/**
 * How often the benchmark's own in-page watcher polls getStats for the first decoded video frame (ms).
 * It runs the same way on Parley's pages and the baseline's, so their first-frame times compare fairly;
 * the engine's own `first-video` mark comes from a 100 ms poll and is coarser.
 */
const POLL_MS = 10;
/**
 * The baseline's camera size: `parley` (default) asks for the size Parley's camera runs at, so both send
 * the same picture; `default` leaves it to the browser (640x480 for the fake camera), to see what the
 * camera size alone costs.
 */
const BASELINE_CAMERA = process.env.PARLEY_BENCH_BASELINE_CAMERA ?? 'parley';
if (BASELINE_CAMERA !== 'parley' && BASELINE_CAMERA !== 'default')
  throw new Error('PARLEY_BENCH_BASELINE_CAMERA must be parley or default');
/** Longest wait for one call to show video on both sides. */
const CALL_TIMEOUT_MS = 30_000;
/** The baseline pages' origin: served by a Playwright route (nothing listens there), secure as 127.0.0.1. */
const BASELINE_ORIGIN = 'http://127.0.0.1:9';

function positiveInt(name: string, fallback: number, zeroOk = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1))
    throw new Error(`${name} must be an integer ≥ ${zeroOk ? 0 : 1}`);
  return n;
}

// ---- in-page helpers --------------------------------------------------------------------------

interface FirstFrameWatch {
  /** Date.now() when a getStats poll first showed an inbound video packet. */
  firstPacket?: number;
  /** Date.now() when a getStats poll first showed a decoded inbound video frame. */
  firstVideo?: number;
  /** The inbound video row (counters only) at that poll: packets, frames, keyframes, PLI/FIR/NACK. */
  atFirstVideo?: Record<string, number>;
  stopped: boolean;
}

interface Capture {
  width: number;
  height: number;
}

interface RawMarks {
  offerStart?: number;
  connected?: number;
}

/** The baseline's side of a call, in the page: one RTCPeerConnection, no server, no UI. */
interface RawPeer {
  readonly pc: RTCPeerConnection | null;
  /**
   * Opens fake camera (at `capture`, the size Parley's camera runs at, or the browser's default size when
   * null) and microphone, and a fresh connection sending them; returns getUserMedia ms and the camera's
   * actual size.
   */
  prepare(call: number, capture: Capture | null): Promise<{ gumMs: number; capture: Capture }>;
  offer(): Promise<RTCSessionDescriptionInit>;
  answer(offer: RTCSessionDescriptionInit): Promise<RTCSessionDescriptionInit>;
  accept(answer: RTCSessionDescriptionInit): Promise<void>;
  candidate(call: number, candidate: RTCIceCandidateInit): Promise<void>;
  marks(): RawMarks;
  close(): void;
}

declare global {
  interface Window {
    __benchClicks?: Record<string, number>;
    __benchWatch?: FirstFrameWatch;
    __raw?: RawPeer;
    /** Exposed by the benchmark: hands a local ICE candidate to the other baseline page. */
    benchSignal?: (call: number, candidate: RTCIceCandidateInit) => Promise<void>;
  }
}

/** Init script of the baseline pages (serialised into the page: it may use nothing from this module). */
function installRawPeer(): void {
  let pc: RTCPeerConnection | null = null;
  let stream: MediaStream | null = null;
  let call = -1;
  let pending: RTCIceCandidateInit[] = [];
  let marks: RawMarks = {};
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
      marks = {};
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
      own.onconnectionstatechange = () => {
        if (own.connectionState === 'connected') marks.connected ??= Date.now();
      };
      for (const track of stream.getTracks()) own.addTrack(track, stream);
      return { gumMs, capture: { width: settings?.width ?? 0, height: settings?.height ?? 0 } };
    },
    async offer() {
      const own = need();
      marks.offerStart = Date.now();
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
    marks: () => ({ ...marks }),
    close() {
      pc?.close();
      pc = null;
      for (const track of stream?.getTracks() ?? []) track.stop();
      stream = null;
    },
  };
}

/**
 * Starts polling getStats in the page (Parley's through `parleyDiagnostics.stats()`, the baseline's on its
 * connection) until an inbound video stream has decoded a frame; the time lands in `__benchWatch`.
 */
async function watchFirstVideo(page: Page, source: 'parley' | 'raw'): Promise<void> {
  await page.evaluate(
    ({ source, pollMs }) => {
      if (window.__benchWatch) window.__benchWatch.stopped = true;
      const watch: FirstFrameWatch = { stopped: false };
      window.__benchWatch = watch;
      const rows = async (): Promise<Record<string, unknown>[]> => {
        if (source === 'parley') return (await window.parleyDiagnostics?.stats()) ?? [];
        const out: Record<string, unknown>[] = [];
        (await window.__raw?.pc?.getStats())?.forEach((r: Record<string, unknown>) => out.push(r));
        return out;
      };
      const tick = async () => {
        if (watch.stopped) return;
        try {
          const video = (await rows()).filter((r) => r.type === 'inbound-rtp' && r.kind === 'video');
          const now = Date.now();
          if (video.some((r) => Number(r.packetsReceived) > 0)) watch.firstPacket ??= now;
          const decoded = video.find((r) => Number(r.framesDecoded) > 0);
          if (decoded) {
            watch.firstVideo = now;
            watch.atFirstVideo = Object.fromEntries(
              Object.entries(decoded).filter((e): e is [string, number] => typeof e[1] === 'number'),
            );
            return;
          }
        } catch {
          // A connection closing under the poll: try again.
        }
        setTimeout(() => void tick(), pollMs);
      };
      void tick();
    },
    { source, pollMs: POLL_MS },
  );
}

/** Records, per button name, the Date.now() of the last click on it (capture phase: before React). */
async function recordClicks(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__benchClicks = {};
    document.addEventListener(
      'click',
      (event) => {
        const button = (event.target as Element | null)?.closest('button');
        const name = button?.getAttribute('aria-label') ?? button?.textContent?.trim();
        if (name && window.__benchClicks) window.__benchClicks[name] = Date.now();
      },
      true,
    );
  });
}

// ---- one call of each kind ----------------------------------------------------------------------

type Sample = Record<string, number>;

const PARLEY_ROWS = {
  clickToInvite: 'click "Video call" -> invite-sent (caller opens camera+mic)',
  inviteToRinging: 'invite-sent -> ringing (caller)',
  inviteToIncoming: 'invite-sent -> incoming (callee)',
  acceptLatency: 'incoming -> accept click (test driver; taken out of total)',
  acceptToCalleeAccepted: 'accept click -> accepted (callee: camera+mic, ice.servers, call.accept)',
  acceptToAccepted: 'accept click -> accepted (caller)',
  acceptedToOffer: 'accepted -> offer sent (caller)',
  offerToAnswer: 'offer sent -> answer received (caller)',
  acceptedToIce: 'accepted -> ice-connected (caller)',
  iceToPacketPoll: `ice-connected -> first video packet (caller, bench ${POLL_MS} ms poll)`,
  iceToVideo: 'ice-connected -> first-video (caller, engine mark, 100 ms poll)',
  iceToVideoPoll: `ice-connected -> first video (caller, bench ${POLL_MS} ms poll)`,
  totalEngine: 'TOTAL click -> first video - accept latency (engine mark)',
  total: `TOTAL click -> first video - accept latency (bench ${POLL_MS} ms poll)`,
} as const;

const RAW_ROWS = {
  gum: 'getUserMedia, caller page (before the clock starts)',
  offerToIce: 'createOffer start -> ice connected (caller)',
  iceToPacket: `ice connected -> first video packet (caller, bench ${POLL_MS} ms poll)`,
  iceToVideo: `ice connected -> first video (caller, bench ${POLL_MS} ms poll)`,
  total: `TOTAL createOffer start -> first video (bench ${POLL_MS} ms poll)`,
} as const;

type Watched = Required<Omit<FirstFrameWatch, 'stopped'>>;

interface ParleySide {
  timings: SetupTimings;
  clicks: Record<string, number>;
  watch: Watched;
}

interface ParleyRaw {
  caller: ParleySide;
  callee: ParleySide;
  /** The size of the caller's camera (its "Your camera" preview), which the baseline's camera copies. */
  capture: Capture;
}

/** Stops the page's watcher and returns what it saw (it has seen a decoded frame by now). */
function takeWatch(): Watched {
  const watch = window.__benchWatch!;
  watch.stopped = true;
  return {
    firstPacket: watch.firstPacket!,
    firstVideo: watch.firstVideo!,
    atFirstVideo: watch.atFirstVideo!,
  };
}

/** Epoch ms of each stage: `startedAt` plus the stage's offset. */
function epochs(timings: SetupTimings): Partial<Record<SetupStage, number>> {
  return Object.fromEntries(
    Object.entries(timings.stages).map(([stage, offset]) => [stage, timings.startedAt + offset]),
  );
}

function required<T>(what: string, value: T | undefined, context: unknown): T {
  if (value === undefined) throw new Error(`call setup: ${what} missing in ${JSON.stringify(context)}`);
  return value;
}

function parleySample(raw: ParleyRaw, callButton: string): Sample {
  const a = epochs(raw.caller.timings);
  const b = epochs(raw.callee.timings);
  const stage = (side: typeof a, name: SetupStage) => required(name, side[name], raw);
  const clickCall = required(`click on "${callButton}"`, raw.caller.clicks[callButton], raw);
  const clickAccept = required('click on "Accept with video"', raw.callee.clicks['Accept with video'], raw);
  // The recorders must be this call's: started by this click, not left over from the last call.
  expect(raw.caller.timings.startedAt, 'caller timings start at the click').toBeGreaterThanOrEqual(clickCall);
  expect(raw.callee.timings.startedAt, 'callee timings start after the click').toBeGreaterThanOrEqual(
    clickCall,
  );
  const acceptLatency = clickAccept - stage(b, 'incoming');
  return {
    clickToInvite: stage(a, 'invite-sent') - clickCall,
    inviteToRinging: stage(a, 'ringing') - stage(a, 'invite-sent'),
    inviteToIncoming: stage(b, 'incoming') - stage(a, 'invite-sent'),
    acceptLatency,
    acceptToCalleeAccepted: stage(b, 'accepted') - clickAccept,
    acceptToAccepted: stage(a, 'accepted') - clickAccept,
    acceptedToOffer: stage(a, 'offer') - stage(a, 'accepted'),
    offerToAnswer: stage(a, 'answer') - stage(a, 'offer'),
    acceptedToIce: stage(a, 'ice-connected') - stage(a, 'accepted'),
    iceToVideo: stage(a, 'first-video') - stage(a, 'ice-connected'),
    iceToPacketPoll: raw.caller.watch.firstPacket - stage(a, 'ice-connected'),
    iceToVideoPoll: raw.caller.watch.firstVideo - stage(a, 'ice-connected'),
    totalEngine: stage(a, 'first-video') - clickCall - acceptLatency,
    total: raw.caller.watch.firstVideo - clickCall - acceptLatency,
  };
}

/** Alice video-calls Bob through the UI, Bob accepts with video; both decode video; Alice hangs up. */
async function parleyCall(alice: Person, bob: Person): Promise<{ sample: Sample; raw: ParleyRaw }> {
  for (const p of [alice, bob]) {
    await p.page.evaluate(() => (window.__benchClicks = {}));
    await watchFirstVideo(p.page, 'parley');
  }
  await alice.call(bob, 'video');
  await expect(bob.incomingCall(alice)).toBeVisible();
  await bob.accept(alice, 'video');

  // Both sides decode video (diagnostics stats) and the engines have marked it.
  await Promise.all(
    [alice, bob].map((p) =>
      p.page.waitForFunction(
        () =>
          window.__benchWatch?.firstVideo !== undefined &&
          window.parleyDiagnostics?.timings()?.stages['first-video'] !== undefined,
        undefined,
        { timeout: CALL_TIMEOUT_MS, polling: 50 },
      ),
    ),
  );
  const [caller, callee] = await Promise.all(
    [alice, bob].map(async (p) => ({
      timings: await p.page.evaluate(() => window.parleyDiagnostics!.timings()!),
      clicks: await p.page.evaluate(() => ({ ...window.__benchClicks })),
      watch: await p.page.evaluate(takeWatch),
    })),
  );
  const preview = alice.callWith(bob).getByLabel('Your camera', { exact: true });
  let capture: Capture = { width: 0, height: 0 };
  await expect
    .poll(
      async () => {
        capture = await preview.evaluate((v: HTMLVideoElement) => ({
          width: v.videoWidth,
          height: v.videoHeight,
        }));
        return capture.width;
      },
      { message: "size of Alice's camera preview" },
    )
    .toBeGreaterThan(0);
  const raw = { caller: caller!, callee: callee!, capture };

  // Hang up and wait until both are idle: call views gone, connections closed, neither shown as busy.
  await alice.callWith(bob).getByRole('button', { name: 'Hang up', exact: true }).click();
  for (const [me, them] of [
    [alice, bob],
    [bob, alice],
  ] as const) {
    await expect(me.callWith(them)).toBeHidden();
    await expect.poll(async () => (await me.stats()).length, { message: 'connection closed' }).toBe(0);
    await expect(me.contact(them)).not.toContainText('Busy');
  }
  return { sample: parleySample(raw, `Video call ${bob.displayName}`), raw };
}

interface RawSide {
  gumMs: number;
  capture: Capture;
  marks: RawMarks;
  watch: Watched;
}

/** One raw RTCPeerConnection video call between the two baseline pages. */
async function rawCall(
  caller: Page,
  callee: Page,
  n: number,
  capture: Capture | null,
): Promise<{ sample: Sample; raw: { caller: RawSide; callee: RawSide } }> {
  const opened = await Promise.all(
    [caller, callee].map((p) =>
      p.evaluate(({ n, capture }) => window.__raw!.prepare(n, capture), { n, capture }),
    ),
  );
  for (const p of [caller, callee]) await watchFirstVideo(p, 'raw');
  const offer = await caller.evaluate(() => window.__raw!.offer());
  const answer = await callee.evaluate((o) => window.__raw!.answer(o), offer);
  await caller.evaluate((a) => window.__raw!.accept(a), answer);

  await Promise.all(
    [caller, callee].map((p) =>
      p.waitForFunction(
        () => window.__benchWatch?.firstVideo !== undefined && window.__raw?.marks().connected !== undefined,
        undefined,
        { timeout: CALL_TIMEOUT_MS, polling: 50 },
      ),
    ),
  );
  const [a, b] = await Promise.all(
    [caller, callee].map(async (p, i) => {
      const side: RawSide = {
        ...opened[i]!,
        marks: await p.evaluate(() => window.__raw!.marks()),
        watch: await p.evaluate(takeWatch),
      };
      await p.evaluate(() => window.__raw!.close());
      return side;
    }),
  );
  const offerStart = required('offerStart', a!.marks.offerStart, a);
  const connected = required('connected', a!.marks.connected, a);
  return {
    sample: {
      gum: a!.gumMs,
      offerToIce: connected - offerStart,
      iceToPacket: a!.watch.firstPacket - connected,
      iceToVideo: a!.watch.firstVideo - connected,
      total: a!.watch.firstVideo - offerStart,
    },
    raw: { caller: a!, callee: b! },
  };
}

async function openBaseline(context: BrowserContext): Promise<[Page, Page]> {
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

// ---- figures ------------------------------------------------------------------------------------

interface Summary {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

/** Median (mean of the middle two for even n) and p90 by nearest rank (the 9th of 10). */
function summarise(values: number[]): Summary {
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return {
    n: s.length,
    median,
    p90: s[Math.ceil(0.9 * s.length) - 1]!,
    min: s[0]!,
    max: s[s.length - 1]!,
  };
}

function summariseAll<K extends string>(labels: Record<K, string>, samples: Sample[]): Record<K, Summary> {
  return Object.fromEntries(
    (Object.keys(labels) as K[]).map((k) => [k, summarise(samples.map((s) => required(k, s[k], s)))]),
  ) as Record<K, Summary>;
}

function table<K extends string>(title: string, labels: Record<K, string>, rows: Record<K, Summary>): string {
  const width = Math.max(...Object.values<string>(labels).map((l) => l.length));
  const ms = (v: number) => (Math.round(v * 10) / 10).toFixed(Number.isInteger(v) ? 0 : 1).padStart(7);
  const header = `${'stage (ms)'.padEnd(width)}  ${['median', 'p90', 'min', 'max'].map((h) => h.padStart(7)).join(' ')}`;
  const lines = (Object.keys(labels) as K[]).map((k) => {
    const r = rows[k];
    return `${labels[k].padEnd(width)}  ${[r.median, r.p90, r.min, r.max].map(ms).join(' ')}`;
  });
  return [title, header, '-'.repeat(header.length), ...lines].join('\n');
}

// ---- the benchmark ------------------------------------------------------------------------------

test('call setup: Parley video call vs raw WebRTC', async ({ people, browser }) => {
  const loadBefore = loadavg();
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  await alice.befriend(bob);
  for (const p of [alice, bob]) await recordClicks(p.page);

  const baselineContext = await browser.newContext({ permissions: ['camera', 'microphone'] });
  try {
    const [rawCaller, rawCallee] = await openBaseline(baselineContext);

    const parley: { sample: Sample; raw: ParleyRaw }[] = [];
    const baseline: Awaited<ReturnType<typeof rawCall>>[] = [];
    // Interleaved, and alternating which goes first, so drift over the run (and order) hits both alike.
    for (let i = 0; i < WARMUP + CALLS; i++) {
      const runParley = async () => parley.push(await parleyCall(alice, bob));
      // The baseline's camera runs at the size Parley's did (the first call is Parley's), so the two send
      // the same picture and differ only in how the call is set up.
      const runRaw = async () =>
        baseline.push(
          await rawCall(
            rawCaller,
            rawCallee,
            i,
            BASELINE_CAMERA === 'parley' ? parley.at(-1)!.raw.capture : null,
          ),
        );
      if (i % 2 === 0) {
        await runParley();
        await runRaw();
      } else {
        await runRaw();
        await runParley();
      }
    }

    const measuredParley = parley.slice(WARMUP);
    const measuredRaw = baseline.slice(WARMUP);
    const parleySummary = summariseAll(
      PARLEY_ROWS,
      measuredParley.map((c) => c.sample),
    );
    const rawSummary = summariseAll(
      RAW_ROWS,
      measuredRaw.map((c) => c.sample),
    );
    const overhead = {
      medianMs: parleySummary.total.median - rawSummary.total.median,
      medianRatio: parleySummary.total.median / rawSummary.total.median,
      p90Ms: parleySummary.total.p90 - rawSummary.total.p90,
      p90Ratio: parleySummary.total.p90 / rawSummary.total.p90,
      engineMarkMedianMs: parleySummary.totalEngine.median - rawSummary.total.median,
      engineMarkMedianRatio: parleySummary.totalEngine.median / rawSummary.total.median,
    };

    const sizes = (captures: Capture[]) =>
      [...new Set(captures.map((c) => `${c.width}x${c.height}`))].join(', ');
    const captureLine =
      `camera: Parley ${sizes(parley.map((c) => c.raw.capture))} (caller's preview), ` +
      `baseline ${sizes(baseline.map((c) => c.raw.caller.capture))} (${BASELINE_CAMERA === 'parley' ? "asked for Parley's size" : "browser's default size"}), fake device, 30 fps`;
    const when = new Date().toISOString();
    const loadAfter = loadavg();
    const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
    const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${process.platform}, Node ${process.version}, Chromium ${browser.version()}`;
    const out = [
      '',
      `Call setup benchmark, ${when}`,
      `${machine}; ${CALLS} measured calls of each kind after ${WARMUP} warm-up call(s), interleaved`,
      captureLine,
      `load average (1/5/15 min) before ${load(loadBefore)}, after ${load(loadAfter)}: other work on the machine skews figures`,
      '',
      table(
        'Parley: video call through UI, signaling server, coturn (Alice calls, Bob accepts)',
        PARLEY_ROWS,
        parleySummary,
      ),
      '',
      table(
        'Baseline: raw RTCPeerConnection video call, same browser, SDP/ICE via page.evaluate',
        RAW_ROWS,
        rawSummary,
      ),
      '',
      `Parley over raw WebRTC (TOTAL, same ${POLL_MS} ms first-frame poll on both):`,
      `  median ${overhead.medianMs.toFixed(1)} ms more, ${overhead.medianRatio.toFixed(2)}x` +
        `   p90 ${overhead.p90Ms.toFixed(1)} ms more, ${overhead.p90Ratio.toFixed(2)}x`,
      `  (with the engine's own first-video mark: median ${overhead.engineMarkMedianMs.toFixed(1)} ms more, ${overhead.engineMarkMedianRatio.toFixed(2)}x)`,
    ];
    if (overhead.medianRatio > 3)
      out.push(
        `!! Parley's median call setup (${parleySummary.total.median.toFixed(1)} ms) is more than 3x raw WebRTC (${rawSummary.total.median.toFixed(1)} ms)`,
      );
    out.push(`JSON: ${relative(ROOT, RESULTS)}`, '');
    console.log(out.join('\n'));

    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(
      RESULTS,
      JSON.stringify(
        {
          date: when,
          machine: {
            cores: cpus().length,
            cpu: cpus()[0]?.model.trim(),
            platform: process.platform,
            node: process.version,
            chromium: browser.version(),
            loadAverageBefore: loadBefore,
            loadAverageAfter: loadAfter,
          },
          calls: CALLS,
          warmup: WARMUP,
          baselineCamera: BASELINE_CAMERA,
          pollMs: POLL_MS,
          unit: 'ms',
          parley: {
            labels: PARLEY_ROWS,
            summary: parleySummary,
            calls: parley.map((c, i) => ({ warmup: i < WARMUP, ...c })),
          },
          baseline: {
            labels: RAW_ROWS,
            summary: rawSummary,
            calls: baseline.map((c, i) => ({ warmup: i < WARMUP, ...c })),
          },
          overhead,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await baselineContext.close();
  }
});
