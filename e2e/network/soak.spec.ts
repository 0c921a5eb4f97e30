// Scenario 9, the soak (`npm run test:soak`, not part of `npm test`): a video call held for
// PARLEY_SOAK_MINUTES (default 10) with 5% random UDP loss on Alice's link. Every minute both pages are
// sampled after a forced garbage collection (Chrome DevTools Protocol): JS heap in use, DOM nodes, event
// listeners, live local tracks; media must keep flowing and the badge must keep showing the loss. At
// the end nothing may have grown past a small bound over the first sample (taken after a minute, once
// the call has settled).
import type { CDPSession } from '@playwright/test';
import { loseUdp } from './support/faults.js';
import { expect, startVideoCall, test, type NetPerson } from './support/fixtures.js';
import { badge, observe, report } from './support/observe.js';

const SCENARIO = 'soak';
const MINUTES = Number(process.env.PARLEY_SOAK_MINUTES ?? 10);
/** Fair or Poor, with a loss of at least 1% shown: the badge still sees the 5% loss. */
const SHOWS_LOSS = /^(Fair|Poor) · .+ · ([1-9]|\d{2,})(\.\d)?% loss/;
/**
 * How much a page may grow over the soak. A leak of one object per stats sample (every 2 s) or per
 * badge render would exceed these within the ten minutes; a steady page stays well inside them.
 */
const BOUNDS = { heapBytes: 3 * 1024 * 1024, nodes: 300, listeners: 100, liveTracks: 0 };

interface Sample {
  heapBytes: number;
  nodes: number;
  listeners: number;
  liveTracks: number;
}

async function sample(person: NetPerson, cdp: CDPSession): Promise<Sample> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  const tracks = await person.localTracks();
  return {
    heapBytes: usedSize,
    nodes: metric('Nodes'),
    listeners: metric('JSEventListeners'),
    liveTracks: tracks.filter((t) => t.readyState === 'live').length,
  };
}

test(`a ${MINUTES}-minute video call at 5% UDP loss: media flows, the badge stays right, nothing grows`, async ({
  net,
}) => {
  // Each minute also waits for the badge and garbage-collects: up to 40 s more on a busy machine.
  test.setTimeout(3 * 60_000 + MINUTES * 100_000);
  const [alice, bob] = await net.pair();
  await startVideoCall(alice, bob);
  await loseUdp(alice.host, 0.05);

  const people = [alice, bob];
  const cdps = await Promise.all(people.map((p) => p.context.newCDPSession(p.page)));
  await Promise.all(cdps.map((cdp) => cdp.send('Performance.enable')));
  const first: Sample[] = [];
  const last: Sample[] = [];
  for (let minute = 1; minute <= MINUTES; minute++) {
    // A minute of the call, observed: audio and video keep arriving on both sides all along.
    const windows = await Promise.all(people.map((p) => observe(p, 60_000)));
    for (const [i, w] of windows.entries()) {
      const who = people[i]!.displayName;
      expect(w.audioEnergy, `${who}: audio energy in minute ${minute}`).toBeGreaterThan(1e-2);
      expect(w.framesDecoded, `${who}: frames decoded in minute ${minute}`).toBeGreaterThan(60);
    }
    for (const [i, person] of people.entries()) {
      await expect(badge(person)).toHaveText(SHOWS_LOSS);
      const now = await sample(person, cdps[i]!);
      if (minute === 1) first[i] = now;
      last[i] = now;
      report(
        SCENARIO,
        `minute ${minute}, ${person.displayName}: heap ${(now.heapBytes / 1048576).toFixed(2)} MiB, ` +
          `${now.nodes} nodes, ${now.listeners} listeners, ${now.liveTracks} live tracks, ` +
          `badge "${await badge(person).textContent()}"`,
      );
    }
  }
  for (const [i, person] of people.entries()) {
    const grew = (key: keyof Sample) => last[i]![key] - first[i]![key];
    for (const key of Object.keys(BOUNDS) as (keyof Sample)[]) {
      expect(
        grew(key),
        `${person.displayName}: growth of ${key} from minute 1 to ${MINUTES}`,
      ).toBeLessThanOrEqual(BOUNDS[key]);
    }
  }
  await expect(alice.callWith(bob)).toBeVisible();
  await expect(bob.callWith(alice)).toBeVisible();
});
