// Scenario 2: Alice's link capped at 300 kbit/s each way mid-call, then uncapped. While capped, audio
// stays continuous, video degrades gracefully (smaller or slower, limited by bandwidth, never frozen)
// and both badges say the quality is poor; once the cap lifts, quality comes back.
import { recoveryTimings } from '../../renderer/call/recovery.js';
import { capBandwidth, liftFaults } from './support/faults.js';
import { expect, startVideoCall, test, type NetPerson } from './support/fixtures.js';
import { badge, observe, report, seconds } from './support/observe.js';
import { outboundVideoFormat } from '../support/stats.js';

const SCENARIO = 'bandwidth capped at 300 kbit/s';
const CAP_KBIT = 300;
const POOR = /^Poor · /;
const BADGE_MS = 20_000;
/** Chromium raises its estimate step by step (about 8% a second) once the cap is gone. */
const RECOVERY_MS = 30_000;

async function expectDegradedGracefully(person: NetPerson, ms: number): Promise<void> {
  const w = await observe(person, ms);
  const who = person.displayName;
  // Lost audio is concealed (0 to 14% of it measured here while capped); what must not happen is a gap.
  report(SCENARIO, `${who}'s audio concealed while capped: ${(w.concealedShare * 100).toFixed(1)}%`);
  expect(w.audioPackets, `${who}: audio packets in ${w.ms} ms`).toBeGreaterThan(ms / 100);
  expect(w.audioEnergy, `${who}: audio energy in ${w.ms} ms`).toBeGreaterThan(1e-3);
  expect(w.longestAudioSilence, `${who}: longest audio silence (ms)`).toBeLessThan(recoveryTimings.stallMs);
  expect(w.framesDecoded, `${who}: frames decoded in ${w.ms} ms`).toBeGreaterThanOrEqual(
    Math.floor(w.ms / 1000),
  );
  // The cap holds: what arrives fits in it (the test bed works).
  expect((w.videoBytes * 8) / w.ms, `${who}: video kbit/s received`).toBeLessThan(CAP_KBIT);
}

test('300 kbit/s cap mid-call: audio continuous, video degrades gracefully, badge poor; quality returns', async ({
  net,
}) => {
  const [alice, bob] = await net.pair();
  await startVideoCall(alice, bob);

  await capBandwidth(alice.host, CAP_KBIT);
  await expect(badge(alice)).toHaveText(POOR, { timeout: BADGE_MS });
  await expect(badge(bob)).toHaveText(POOR, { timeout: BADGE_MS });
  await Promise.all([expectDegradedGracefully(alice, 8_000), expectDegradedGracefully(bob, 8_000)]);
  for (const person of [alice, bob])
    await expect
      .poll(async () => outboundVideoFormat(await person.stats()).limitedBy, {
        message: `${person.displayName}'s encoder is limited by bandwidth`,
        timeout: BADGE_MS,
      })
      .toBe('bandwidth');

  await liftFaults(alice.host);
  const liftedAt = Date.now();
  await expect(badge(alice)).not.toHaveText(POOR, { timeout: RECOVERY_MS });
  await expect(badge(bob)).not.toHaveText(POOR, { timeout: RECOVERY_MS });
  report(SCENARIO, `badges no longer poor after the lift ${seconds(Date.now() - liftedAt)}`);
});
