// Scenario 1: random UDP loss on Alice's link, 5% and then 15% each way. The call goes on: audio keeps
// arriving on both sides (bytes, packets and sound), both badges show the loss, and video adapts (a
// sender lowers its resolution or frame rate for lack of bandwidth) instead of freezing.
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

test('5% then 15% UDP loss on Alice’s link: audio goes on, badges show the loss, video adapts', async ({
  net,
}) => {
  const [alice, bob] = await net.pair();
  await startVideoCall(alice, bob);

  await loseUdp(alice.host, 0.05);
  for (const person of [alice, bob]) {
    await expect(badge(person)).toHaveText(FAIR_LOSS, { timeout: BADGE_MS });
    report(SCENARIO, `5%: ${person.displayName}'s badge says "${await badge(person).textContent()}"`);
  }
  await Promise.all([expectFlowing(alice, 5_000), expectFlowing(bob, 5_000)]);

  await loseUdp(alice.host, 0.15);
  for (const person of [alice, bob]) {
    await expect(badge(person)).toHaveText(POOR_LOSS, { timeout: BADGE_MS });
    report(SCENARIO, `15%: ${person.displayName}'s badge says "${await badge(person).textContent()}"`);
  }
  await Promise.all([expectFlowing(alice, 8_000), expectFlowing(bob, 8_000)]);
  // Adapts: a sender's encoder goes below the camera's 1280x720, saying bandwidth is why.
  const adapted = async (p: NetPerson) => {
    const out = outboundVideoFormat(await p.stats());
    return out.limitedBy === 'bandwidth' && out.height < 720
      ? `${p.displayName} sends ${out.width}x${out.height} at ${out.fps} fps`
      : null;
  };
  let seen: string | null = null;
  await expect
    .poll(async () => (seen = (await adapted(alice)) ?? (await adapted(bob))), {
      message: 'a sender limited by bandwidth below 720p',
      timeout: BADGE_MS,
    })
    .not.toBeNull();
  report(SCENARIO, `15%: ${seen}, limited by bandwidth`);
});
