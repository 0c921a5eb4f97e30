// Scenario 1: a video call ramps up on a clean link, then random UDP loss on Alice's link, 5% and then
// 15% each way. The call goes on: audio keeps arriving on both sides (bytes, packets and sound), both
// badges show the loss, and video adapts instead of freezing: frames keep being decoded while a sender's
// encoder backs off from the bitrate it had reached.
//
// Why the encoder's target bitrate and not the picture size: at 15% loss the encoder kept its picture
// size (at a lower bitrate) as often as it shrank it, and it also shrinks it on a clean link while it
// ramps up. The target is compared with the highest it had reached before the 15% began, not with the 5%
// phase's mean, since the call may still be ramping up at 5% (one CI run: badges at 200 kbit/s at 5%,
// 1.2-1.4 Mbit/s as 15% began). With the loss left at 5% instead, the rate went on rising (2.1 and 2.3
// times the peak before), which fails this check.
//
// At 15% the target settles at 0.4-0.85 Mbit/s whatever it came from (0.32-0.70 with the noisy picture
// below), so a back-off shows only from a rate above that: a call whose loss began before it had ramped up
// (one CI run: a peak of 0.53-0.60 Mbit/s, then 0.41-0.46) has nothing to back off from. Hence the clean
// ramp first, to RAMPED_BPS, as a call that was going well before the network degraded.
//
// Both cameras show a picture with a real camera's sensor noise (support/noisy-camera.ts). With Chromium's
// flat fake picture the encoder sent 0.25-0.7 Mbit/s whatever it was allowed, so a sender whose first
// probes of the link found nothing stayed at 0.3-1.4 Mbit/s for a minute and more (here in about half the
// runs, and in CI). With the noise the encoder spends what it is allowed and the estimate grows by itself:
// 8-22 s to 1.5 Mbit/s when the probes found nothing, under 2 s when they did. One sender there is enough.
import { recoveryTimings } from '../../renderer/call/recovery.js';
import { loseUdp } from './support/faults.js';
import { expect, startVideoCall, test, type NetPerson } from './support/fixtures.js';
import { badge, observe, report } from './support/observe.js';
import { outboundVideoFormat } from '../support/stats.js';

const SCENARIO = 'UDP loss';
/** Badge: the grade, then "x% loss" with x at least 2 (fair) or 8 (poor). */
const FAIR_LOSS = /^(Fair|Poor) · .+ · ([2-9]|\d{2,})(\.\d)?% loss/;
const POOR_LOSS = /^Poor · .+ · ([89]|\d{2,})(\.\d)?% loss/;
/** The badge is sampled every 2 s; a few samples at random loss show it. */
const BADGE_MS = 20_000;
/** How often the encoders' target bitrates are read. */
const SAMPLE_MS = 500;
/**
 * Adapted: a sender's mean target bitrate over the last RECENT_MS at 15% loss is at most this share of
 * the highest it had reached (up to PEAK_UNTIL_MS after the 15% began, before the estimate reacts).
 */
const ADAPTED_SHARE = 0.6;
const PEAK_UNTIL_MS = 2_000;
const RECENT_MS = 5_000;
/**
 * Before any loss a sender ramps up to this on the clean link (its ceiling there, for the 360-line noisy
 * picture, is 1.7 Mbit/s), within RAMP_MS: twice the slowest ramp measured.
 */
const RAMPED_BPS = 1_500_000;
const RAMP_MS = 45_000;

/** Each sender's video target bitrate over time (bit/s), read every SAMPLE_MS until stopped. */
class VideoRates {
  private readonly samples = new Map<NetPerson, { at: number; bps: number }[]>();
  private running = true;
  private readonly done: Promise<unknown>;

  constructor(people: readonly NetPerson[]) {
    this.done = Promise.all(people.map((p) => this.sample(p)));
  }

  /** The mean rate read from `from` to `to` (0 when none was read). */
  mean(person: NetPerson, from: number, to: number): number {
    const rates = this.between(person, from, to);
    return rates.length === 0 ? 0 : rates.reduce((a, b) => a + b, 0) / rates.length;
  }

  /** The highest rate read up to `to` (0 when none was read). */
  peak(person: NetPerson, to: number): number {
    return Math.max(0, ...this.between(person, 0, to));
  }

  private between(person: NetPerson, from: number, to: number): number[] {
    return (this.samples.get(person) ?? []).filter((s) => s.at >= from && s.at <= to).map((s) => s.bps);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async sample(person: NetPerson): Promise<void> {
    const samples: { at: number; bps: number }[] = [];
    this.samples.set(person, samples);
    while (this.running) {
      const rows = await person.stats().catch(() => null); // the page is gone: the test is over
      if (!rows) return;
      const { targetBitrate } = outboundVideoFormat(rows);
      if (targetBitrate > 0) samples.push({ at: Date.now(), bps: targetBitrate });
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  }
}

const kbps = (bps: number) => `${Math.round(bps / 1000)} kbit/s`;
const describeVideo = (rows: Parameters<typeof outboundVideoFormat>[0]) => {
  const out = outboundVideoFormat(rows);
  return `${out.width}x${out.height} at ${out.fps} fps (limited by ${out.limitedBy})`;
};

/** Audio keeps arriving and is heard, and video frames keep being decoded, over a window of `ms`. */
async function expectFlowing(person: NetPerson, ms: number): Promise<void> {
  const w = await observe(person, ms);
  expect(w.audioPackets, `${person.displayName}: audio packets in ${w.ms} ms`).toBeGreaterThan(ms / 100);
  expect(w.audioEnergy, `${person.displayName}: audio energy in ${w.ms} ms`).toBeGreaterThan(1e-3);
  // Concealment covers lost packets; a silence the engine would call an outage would be a dropout.
  expect(w.longestAudioSilence, `${person.displayName}: longest audio silence (ms)`).toBeLessThan(
    recoveryTimings.stallMs,
  );
  // Not a freeze: at least one decoded frame a second on average.
  expect(w.framesDecoded, `${person.displayName}: frames decoded in ${w.ms} ms`).toBeGreaterThanOrEqual(
    Math.floor(w.ms / 1000),
  );
}

test.use({ camera: 'noisy' });

test('5% then 15% UDP loss on Alice’s link: audio goes on, badges show the loss, video adapts', async ({
  net,
}) => {
  // The suite's 90 s for the rest, and the ramp on top.
  test.setTimeout(90_000 + RAMP_MS);
  const [alice, bob] = await net.pair();
  await startVideoCall(alice, bob);
  const rates = new VideoRates([alice, bob]);
  try {
    const reached = (p: NetPerson) => `${p.displayName} ${kbps(rates.peak(p, Date.now()))}`;
    const rampFrom = Date.now();
    await expect
      .poll(() => Math.max(rates.peak(alice, Date.now()), rates.peak(bob, Date.now())), {
        message: `a sender's target bitrate up to ${kbps(RAMPED_BPS)} on the clean link`,
        timeout: RAMP_MS,
      })
      .toBeGreaterThanOrEqual(RAMPED_BPS);
    const rampS = ((Date.now() - rampFrom) / 1000).toFixed(1);
    report(SCENARIO, `clean, ${rampS} s after the call connected: ${reached(alice)}, ${reached(bob)}`);

    await loseUdp(alice.host, 0.05);
    for (const person of [alice, bob]) {
      await expect(badge(person)).toHaveText(FAIR_LOSS, { timeout: BADGE_MS });
      report(SCENARIO, `5%: ${person.displayName}'s badge says "${await badge(person).textContent()}"`);
    }
    await Promise.all([expectFlowing(alice, 5_000), expectFlowing(bob, 5_000)]);

    const fifteenPercentAt = Date.now();
    await loseUdp(alice.host, 0.15);
    for (const person of [alice, bob]) {
      await expect(badge(person)).toHaveText(POOR_LOSS, { timeout: BADGE_MS });
      report(SCENARIO, `15%: ${person.displayName}'s badge says "${await badge(person).textContent()}"`);
    }
    await Promise.all([expectFlowing(alice, 8_000), expectFlowing(bob, 8_000)]);
    // Adapts: a sender's encoder (both send over the lossy link) aims far below what it had reached.
    const figures = (p: NetPerson) => ({
      peak: rates.peak(p, fifteenPercentAt + PEAK_UNTIL_MS),
      recent: rates.mean(p, Date.now() - RECENT_MS, Date.now()),
    });
    const adapted = (p: NetPerson) => {
      const { peak, recent } = figures(p);
      return peak >= RAMPED_BPS && recent <= peak * ADAPTED_SHARE
        ? `${p.displayName}'s encoder had reached ${kbps(peak)}, and aimed at ${kbps(recent)} over the last ${RECENT_MS / 1000} s`
        : null;
    };
    const said = (p: NetPerson) => {
      const { peak, recent } = figures(p);
      return `${p.displayName}: reached ${kbps(peak)}, last ${RECENT_MS / 1000} s ${kbps(recent)}`;
    };
    let seen: string | null = null;
    try {
      await expect
        .poll(() => (seen = adapted(alice) ?? adapted(bob)), {
          message: `a sender's mean target bitrate at 15% loss down to ${ADAPTED_SHARE * 100}% of the highest it had reached`,
          timeout: BADGE_MS,
        })
        .not.toBeNull();
    } catch (err) {
      report(SCENARIO, `15%: not adapted: ${said(alice)}; ${said(bob)}`);
      throw err;
    }
    report(SCENARIO, `15%: ${seen}`);
    report(
      SCENARIO,
      `15%: Alice sends ${describeVideo(await alice.stats())}, Bob ${describeVideo(await bob.stats())}`,
    );
  } finally {
    await rates.stop();
  }
});
