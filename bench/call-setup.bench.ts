/**
 * Call-setup benchmark (see bench/README.md): N video calls between two people through the real UI, server
 * and coturn, against a baseline measured in the same run and browser: two pages that connect a bare
 * RTCPeerConnection video call with Chromium's fake media, with SDP and ICE handed over by page.evaluate.
 * The same in-page instruments (call-setup/capture.ts) time both. Prints tables, the issue-10 targets
 * against what was measured, and writes every figure to bench-results/call-setup.json. Run: `npm run bench`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from '@playwright/test';
import { test } from '../e2e/support/fixtures.js';
import {
  openBaseline,
  RAW_ROWS,
  rawCall,
  rawFigures,
  rawGap,
  type Capture,
  type RawCall,
} from './call-setup/baseline.js';
import {
  installCapture,
  REMOTE_VIDEO_SELECTOR,
  RINGING_SELECTOR,
  waitForMedia,
} from './call-setup/capture.js';
import {
  atMost,
  type Gap,
  formatMs,
  formatTargets,
  STALL_MS,
  summariseAll,
  table,
  type Sample,
  type TargetLine,
} from './call-setup/figures.js';
import {
  ENGINE_ROWS,
  PARLEY_ROWS,
  parleyCall,
  parleyFigures,
  type ParleyCall,
  type ParleyFigures,
} from './call-setup/parley.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = resolve(ROOT, 'bench-results/call-setup.json');

/** Measured calls of each kind (Parley and raw WebRTC). */
const CALLS = positiveInt('PARLEY_BENCH_CALLS', 10);
/** Calls of each kind made first and left out of the figures (first use of codecs, pages, server paths). */
const WARMUP = positiveInt('PARLEY_BENCH_WARMUP', 1, true);
/**
 * How long the callee's person takes to press Accept once the call rings (ms). 0, the default, presses as
 * soon as the driver sees the ringing dialog (about 200 ms after the ring, faster than any person: the
 * worst case for a connection made while it rings); 1000 is a quick person.
 */
const ANSWER_AFTER_MS = positiveInt('PARLEY_BENCH_ANSWER_AFTER_MS', 0, true);
/** The instruments' getStats poll for the first decoded video frame (ms), on Parley's pages and the baseline's. */
const POLL_MS = 10;
/**
 * The baseline's camera size: `parley` (default) asks for the size Parley's camera runs at, so both send
 * the same picture; `default` leaves it to the browser (640x480 for the fake camera), to see what the
 * camera size alone costs.
 */
const BASELINE_CAMERA = process.env.PARLEY_BENCH_BASELINE_CAMERA ?? 'parley';
if (BASELINE_CAMERA !== 'parley' && BASELINE_CAMERA !== 'default')
  throw new Error('PARLEY_BENCH_BASELINE_CAMERA must be parley or default');
/** Longest wait for one baseline call to show media on both sides. */
const RAW_TIMEOUT_MS = 30_000;
/** The baseline's stalls are context for Parley's: the first few are named, the rest are in the JSON. */
const LISTED_BASELINE_STALLS = 5;
/** The issue-10 targets (ms): see bench/README.md. */
const TARGET = { ringingMs: 20, audioMs: 60, frameOverBareMs: 30, ratio: 1 } as const;

function positiveInt(name: string, fallback: number, zeroOk = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1))
    throw new Error(`${name} must be an integer ≥ ${zeroOk ? 0 : 1}`);
  return n;
}

/** Installs the benchmark's instruments in every page of `context`, before the page's own code. */
async function instruments(context: BrowserContext): Promise<void> {
  await context.addInitScript(installCapture, {
    pollMs: POLL_MS,
    ringingSelector: RINGING_SELECTOR,
    remoteVideoSelector: REMOTE_VIDEO_SELECTOR,
  });
}

test('call setup: Parley video call vs raw WebRTC', async ({ people, browser }) => {
  const started = Date.now();
  const loadBefore = loadavg();
  const alice = await people.add('alice', { prepare: instruments });
  const bob = await people.add('bob', { prepare: instruments });
  await alice.befriend(bob);
  const callButton = `Video call ${bob.displayName}`;

  const baselineContext = await browser.newContext({ permissions: ['camera', 'microphone'] });
  try {
    await instruments(baselineContext);
    const [rawCaller, rawCallee] = await openBaseline(baselineContext);

    const parley: { raw: ParleyCall; figures: ParleyFigures }[] = [];
    const baseline: { raw: RawCall; sample: Sample }[] = [];
    // Interleaved, and alternating which goes first, so drift over the run (and order) hits both alike.
    for (let i = 0; i < WARMUP + CALLS; i++) {
      const runParley = async () => {
        const raw = await parleyCall(alice, bob, ANSWER_AFTER_MS);
        parley.push({ raw, figures: parleyFigures(raw, callButton) });
      };
      // The baseline's camera runs at the size Parley's did (the first call is Parley's), so the two send
      // the same picture and differ only in how the call is set up.
      const runRaw = async () => {
        const capture: Capture | null = BASELINE_CAMERA === 'parley' ? parley.at(-1)!.raw.capture : null;
        const raw = await rawCall(rawCaller, rawCallee, i, capture, (p) =>
          waitForMedia(p, RAW_TIMEOUT_MS, false),
        );
        baseline.push({ raw, sample: rawFigures(raw) });
      };
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
    const p = summariseAll(
      PARLEY_ROWS,
      measuredParley.map((c) => c.figures.sample),
    );
    const engine = summariseAll(
      ENGINE_ROWS,
      measuredParley.map((c) => c.figures.engine),
    );
    const b = summariseAll(
      RAW_ROWS,
      measuredRaw.map((c) => c.sample),
    );

    // Stalls: calls whose longest gap in setup (the driver's accept delay left out) reached STALL_MS. The
    // baseline's are counted the same way: a stall there is the machine's (the encoder, the CPU), not Parley's.
    const gaps = (calls: (Gap | null)[]) => calls.map((gap, i) => ({ call: WARMUP + i, gap }));
    const parleyGaps = gaps(measuredParley.map((c) => c.figures.gap));
    const rawGaps = gaps(measuredRaw.map((c) => rawGap(c.raw)));
    const stalls = parleyGaps.filter((c) => c.gap && c.gap.ms >= STALL_MS);
    const rawStalls = rawGaps.filter((c) => c.gap && c.gap.ms >= STALL_MS);
    const worst = parleyGaps.reduce((x, y) => ((y.gap?.ms ?? -1) > (x.gap?.ms ?? -1) ? y : x));

    const ratio =
      p.acceptToFrameCaller && b.total ? p.acceptToFrameCaller.median / b.total.median : undefined;
    const frameTarget = (side: 'Caller' | 'Callee'): TargetLine => {
      const bare = b[`connectedToFrame${side}`];
      const what = `accept -> first decoded frame (${side.toLowerCase()})`;
      if (!bare)
        return { what, target: 'p50 <= bare + 30 ms', measured: 'bare link not measured', met: false };
      const limit = bare.median + TARGET.frameOverBareMs;
      return atMost(
        what,
        p[`acceptToFrame${side}`],
        limit,
        `bare connected -> frame ${formatMs(bare.median)} + ${TARGET.frameOverBareMs} = ${formatMs(limit)} ms`,
      );
    };
    const targets: TargetLine[] = [
      atMost(
        'click "Video call" -> callee ringing',
        p.clickToRinging,
        TARGET.ringingMs,
        `${TARGET.ringingMs} ms`,
      ),
      atMost(
        'accept -> first audio packet (caller)',
        p.acceptToAudioCaller,
        TARGET.audioMs,
        `${TARGET.audioMs} ms`,
      ),
      frameTarget('Caller'),
      frameTarget('Callee'),
      {
        what: `calls with a stall >= ${STALL_MS / 1000} s in setup`,
        target: '0',
        measured: `${stalls.length} of ${measuredParley.length}`,
        met: stalls.length === 0,
      },
      {
        what: 'accept -> media vs bare link (p50 ratio)',
        target: `< ${TARGET.ratio.toFixed(2)}x`,
        measured:
          ratio === undefined
            ? 'not measured'
            : `${formatMs(p.acceptToFrameCaller!.median)} / ${formatMs(b.total!.median)} ms = ${ratio.toFixed(2)}x`,
        met: ratio !== undefined && ratio < TARGET.ratio,
      },
    ];

    const sizes = (captures: Capture[]) =>
      [...new Set(captures.map((c) => `${c.width}x${c.height}`))].join(', ');
    const captureLine =
      `camera: Parley ${sizes(parley.map((c) => c.raw.capture))} (caller's preview), ` +
      `baseline ${sizes(baseline.map((c) => c.raw.caller.capture))} (${BASELINE_CAMERA === 'parley' ? "asked for Parley's size" : "browser's default size"}), fake device, 30 fps`;
    const when = new Date().toISOString();
    const loadAfter = loadavg();
    const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
    const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${process.platform}, Node ${process.version}, Chromium ${browser.version()}`;
    const tookS = Math.round((Date.now() - started) / 1000);
    const gapWords = (g: NonNullable<ParleyFigures['gap']>) =>
      `${formatMs(g.ms)} ms from "${g.from.what}" to "${g.to.what}"`;
    const out = [
      '',
      `Call setup benchmark, ${when}`,
      `${machine}; ${CALLS} measured calls of each kind after ${WARMUP} warm-up call(s), interleaved; took ${tookS} s`,
      `Bob presses Accept ${ANSWER_AFTER_MS ? `${ANSWER_AFTER_MS} ms after he sees the call ring` : 'as soon as the driver sees the call ring'}`,
      captureLine,
      `load average (1/5/15 min) before ${load(loadBefore)}, after ${load(loadAfter)}: other work on the machine skews figures`,
      '',
      table(
        'Parley: video call through UI, server, coturn (Alice calls, Bob accepts): benchmark captures',
        PARLEY_ROWS,
        p,
        CALLS,
      ),
      '',
      table(
        'Parley: stage breakdown (engine marks; bench captures where marked so)',
        ENGINE_ROWS,
        engine,
        CALLS,
      ),
      '',
      table(
        'Baseline: bare RTCPeerConnection video call, same browser and instruments, SDP/ICE via page.evaluate',
        RAW_ROWS,
        b,
        CALLS,
      ),
      '',
      `Longest gap in one call's setup: ${worst.gap ? `call ${worst.call}, ${gapWords(worst.gap)}` : 'none'}`,
      ...stalls.map((s) => `  stall in call ${s.call}: ${gapWords(s.gap!)}`),
      `Baseline calls with a gap of ${STALL_MS / 1000} s or more: ${rawStalls.length} of ${measuredRaw.length}`,
      ...rawStalls.slice(0, LISTED_BASELINE_STALLS).map((s) => `  call ${s.call}: ${gapWords(s.gap!)}`),
      ...(rawStalls.length > LISTED_BASELINE_STALLS
        ? [`  and ${rawStalls.length - LISTED_BASELINE_STALLS} more (baselineStalls in the JSON)`]
        : []),
      '',
      `issue 10 targets (p50 unless said; ${measuredParley.length} Parley and ${measuredRaw.length} baseline calls):`,
      formatTargets(targets),
    ];
    const legacy = engine.total && b.total ? engine.total.median / b.total.median : undefined;
    if (legacy !== undefined)
      out.push(
        `  (before issue 10 the headline was TOTAL click -> first frame - accept latency over the bare TOTAL: ${legacy.toFixed(2)}x)`,
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
          tookSeconds: tookS,
          calls: CALLS,
          warmup: WARMUP,
          baselineCamera: BASELINE_CAMERA,
          pollMs: POLL_MS,
          unit: 'ms',
          targets,
          stallMs: STALL_MS,
          stalls,
          baselineStalls: rawStalls,
          parley: {
            labels: PARLEY_ROWS,
            summary: p,
            engineLabels: ENGINE_ROWS,
            engineSummary: engine,
            calls: parley.map((c, i) => ({ warmup: i < WARMUP, ...c })),
          },
          baseline: {
            labels: RAW_ROWS,
            summary: b,
            calls: baseline.map((c, i) => ({ warmup: i < WARMUP, ...c })),
          },
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await baselineContext.close();
  }
});
