/**
 * What the network scenarios look at besides the e2e `Person` helpers: the
 * badge, "Reconnecting…", how long something took (measured, printed and
 * returned), and media counters over a window while a fault is on.
 */
import { expect, type Locator } from '@playwright/test';
import { selectedPair } from '../../support/stats.js';
import type { NetPerson } from './fixtures.js';

export const badge = (person: NetPerson): Locator => person.page.getByLabel('Call quality', { exact: true });

export const reconnecting = (person: NetPerson, other: NetPerson): Locator =>
  person.callWith(other).getByText('Reconnecting…', { exact: true });

/** Prints a measured figure, so a run's output documents what the scenario cost and how fast things were. */
export function report(scenario: string, what: string): void {
  console.log(`[network] ${scenario}: ${what}`);
}

/** Each of the two has exactly one call with the other in History; `check` looks at that entry. */
export async function expectOneCallEach(
  [alice, bob]: readonly [NetPerson, NetPerson],
  check: (entry: Locator) => Promise<void>,
): Promise<void> {
  for (const [me, them] of [
    [alice, bob],
    [bob, alice],
  ] as const) {
    await me.tab('History').click();
    const entries = me.historyItems().filter({ hasText: them.displayName });
    await expect(entries).toHaveCount(1);
    await check(entries);
  }
}

/**
 * The far end of `person`'s selected candidate pair comes to be `address`. Polled: when the other side's
 * checks arrive before its candidate does (through the server), the far end is first peer-reflexive,
 * whose address Chromium's stats leave empty, until the candidate arrives and names it.
 */
export async function expectFarEnd(person: NetPerson, address: string, what: string): Promise<void> {
  await expect
    .poll(async () => selectedPair(await person.stats())?.remote.address, { message: what })
    .toBe(address);
}

/** `person`'s camera and microphone are off: both tracks the app opened for the call have ended. */
export async function expectMediaReleased(person: NetPerson): Promise<void> {
  const tracks = await person.localTracks();
  expect(
    tracks.map((t) => [t.kind, t.readyState]).sort(),
    `${person.displayName}'s camera and microphone released`,
  ).toEqual([
    ['audio', 'ended'],
    ['video', 'ended'],
  ]);
}

/** "2.3 s" */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * Starts watching, in the page, for "Reconnecting…" in the call with `other`; resolves with when it
 * appeared (epoch ms), or rejects after `timeoutMs`. In the page, so that no polling from the test adds
 * to the figure: start it before the fault.
 */
export function whenReconnectingShows(
  person: NetPerson,
  other: NetPerson,
  timeoutMs: number,
): Promise<number> {
  return person.page.evaluate(
    ({ region, timeoutMs }) =>
      new Promise<number>((resolve, reject) => {
        const shown = () =>
          document
            .querySelector(`[role="region"][aria-label="${CSS.escape(region)}"]`)
            ?.textContent?.includes('Reconnecting…') ?? false;
        const observer = new MutationObserver(() => {
          if (!shown()) return;
          finish();
          resolve(Date.now());
        });
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no "Reconnecting…" in "${region}" within ${timeoutMs} ms`));
        }, timeoutMs);
        const finish = () => {
          observer.disconnect();
          clearTimeout(timer);
        };
        if (shown()) return reject(new Error(`"Reconnecting…" was already shown in "${region}"`));
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      }),
    { region: `Call with ${other.displayName}`, timeoutMs },
  );
}

/**
 * Arms a watcher, in the page, on the person's inbound audio packets (sampled every 100 ms), and resolves
 * once it has seen them pause (none for 400 ms), so arm it once the fault is on. The returned function
 * resolves with when they first arrived again (epoch ms), or rejects `timeoutMs` after arming. In the
 * page, so that no polling from the test adds to the figure.
 */
export async function armAudioWatch(person: NetPerson, timeoutMs: number): Promise<() => Promise<number>> {
  type Watch = { paused: Promise<void>; resumed: Promise<number> };
  type Row = { type: string; kind?: string; packetsReceived?: number };
  await person.page.evaluate((timeoutMs) => {
    const packets = async () =>
      ((await window.parleyDiagnostics!.stats()) as Row[])
        .filter((r) => r.type === 'inbound-rtp' && r.kind === 'audio')
        .reduce((n, r) => n + (r.packetsReceived ?? 0), 0);
    let paused: () => void = () => {};
    const watch: Watch = {
      paused: new Promise((resolve) => (paused = resolve)),
      resumed: (async () => {
        const deadline = Date.now() + timeoutMs;
        let last = await packets();
        let lastGrowthAt = Date.now();
        let hasPaused = false;
        while (Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          const now = await packets();
          if (now > last && hasPaused) return Date.now();
          if (now > last) lastGrowthAt = Date.now();
          else if (!hasPaused && Date.now() - lastGrowthAt >= 400) {
            hasPaused = true;
            paused();
          }
          last = now;
        }
        throw new Error(`inbound audio did not ${hasPaused ? 'resume' : 'pause'} within ${timeoutMs} ms`);
      })(),
    };
    // A watch that fails before anyone awaits it must not be an unhandled rejection in the page.
    watch.resumed.catch(() => {});
    (window as unknown as { parleyAudioWatch: Watch }).parleyAudioWatch = watch;
    return Promise.race([watch.paused, watch.resumed.then(() => {})]);
  }, timeoutMs);
  return () =>
    person.page.evaluate(() => (window as unknown as { parleyAudioWatch: Watch }).parleyAudioWatch.resumed);
}

export interface Window {
  ms: number;
  audioPackets: number;
  audioEnergy: number;
  audioLost: number;
  /** Share (0..1) of the audio played that was concealment (made up for lost packets). */
  concealedShare: number;
  /** The longest time no audio packet had arrived, seen at any sample (the engine's measure of silence). */
  longestAudioSilence: number;
  framesDecoded: number;
  videoBytes: number;
}

/**
 * Sums what the person received over `ms` (a fault's observation window, whose length is the scenario's,
 * not a wait for something), sampling in the page every 100 ms so that silences are seen as they happen.
 */
export function observe(person: NetPerson, ms: number): Promise<Window> {
  return startObserving(person, ms).then((observing) => observing.result());
}

/**
 * Starts summing what the person receives, as `observe` does, until `stop()` (or `maxMs`): for a window
 * whose end the scenario learns as it goes (a server restart takes as long as it takes).
 */
export async function startObserving(
  person: NetPerson,
  maxMs: number,
): Promise<{ stop(): Promise<Window>; result(): Promise<Window> }> {
  type Observing = { stopped: boolean; result: Promise<Window> };
  await person.page.evaluate(async (maxMs) => {
    type Row = Record<string, unknown> & { type: string; kind?: string };
    const n = (v: unknown) => (typeof v === 'number' ? v : 0);
    const read = async () => {
      const rows = (await window.parleyDiagnostics!.stats()) as Row[];
      const inbound = (kind: string) => rows.filter((r) => r.type === 'inbound-rtp' && r.kind === kind);
      const sum = (kind: string, key: string) => inbound(kind).reduce((t, r) => t + n(r[key]), 0);
      const audio = inbound('audio')[0];
      return {
        at: Date.now(),
        audioPackets: sum('audio', 'packetsReceived'),
        audioEnergy: sum('audio', 'totalAudioEnergy'),
        audioLost: sum('audio', 'packetsLost'),
        concealed: sum('audio', 'concealedSamples'),
        samples: sum('audio', 'totalSamplesReceived'),
        silence: audio ? n(audio.timestamp) - n(audio.lastPacketReceivedTimestamp) : Infinity,
        framesDecoded: sum('video', 'framesDecoded'),
        videoBytes: sum('video', 'bytesReceived'),
      };
    };
    const first = await read();
    const flag = { stopped: false };
    const observing: Observing = Object.assign(flag, {
      result: (async () => {
        let last = first;
        let longestAudioSilence = 0;
        while (!flag.stopped && Date.now() - first.at < maxMs) {
          await new Promise((r) => setTimeout(r, 100));
          last = await read();
          longestAudioSilence = Math.max(longestAudioSilence, last.silence);
        }
        const samples = last.samples - first.samples;
        return {
          ms: last.at - first.at,
          audioPackets: last.audioPackets - first.audioPackets,
          audioEnergy: last.audioEnergy - first.audioEnergy,
          audioLost: last.audioLost - first.audioLost,
          concealedShare: samples > 0 ? (last.concealed - first.concealed) / samples : 1,
          longestAudioSilence,
          framesDecoded: last.framesDecoded - first.framesDecoded,
          videoBytes: last.videoBytes - first.videoBytes,
        };
      })(),
    });
    (window as unknown as { parleyObserving: Observing }).parleyObserving = observing;
  }, maxMs);
  const result = () =>
    person.page.evaluate(() => (window as unknown as { parleyObserving: Observing }).parleyObserving.result);
  return {
    result,
    stop: async () => {
      await person.page.evaluate(() => {
        (window as unknown as { parleyObserving: Observing }).parleyObserving.stopped = true;
      });
      return result();
    },
  };
}
