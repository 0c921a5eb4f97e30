// Scenario 8: the signaling server is gone for longer than the grace period. Media goes on, since the
// peers reach each other without it; both are told in words that the server cannot be reached. Alice
// hangs up meanwhile: her call ends at once, and Bob's as soon as her side closes its connection. When
// the server is back, both report how the call ended, and history shows one completed call that ended
// when Alice hung up (not when the server came back, and not "connection lost").
import { formatClock } from '../../renderer/ui/words.js';
import { expect, startVideoCall, test } from './support/fixtures.js';
import { expectMediaReleased, expectOneCallEach, observe, report, seconds } from './support/observe.js';
import { serverUnreachable, withOwnServer } from './support/server-process.js';

const SCENARIO = 'server gone';
const GRACE_PERIOD_S = 3;
/** How long media is watched with the server away: well past the grace period. */
const AWAY_MS = GRACE_PERIOD_S * 1000 + 4_000;
/** Hanging up with the server away ends the call there at once; the peer notices a DTLS close. */
const ENDS_WITHIN_MS = 3_000;
/**
 * The recorded end is the time a report names plus the report's way to the server: it may come after the
 * click returned by that much, and before the click started by clock rounding only. Measured: inside the
 * click (546 ms after it started; it took 1053 ms at load 16).
 */
const END_TOLERANCE_MS = 1_000;

test('the server is away longer than the grace period: media goes on, both are told, hang-up ends the call, history is reconciled', async ({
  net,
}) => {
  await withOwnServer(net, SCENARIO, { gracePeriodS: GRACE_PERIOD_S }, async (server, alice, bob) => {
    await startVideoCall(alice, bob);

    const stoppedAt = Date.now();
    await server.stop();
    await expect(serverUnreachable(alice, bob)).toBeVisible();
    await expect(serverUnreachable(bob, alice)).toBeVisible();
    const [atAlice, atBob] = await Promise.all([
      observe(alice, AWAY_MS - (Date.now() - stoppedAt)),
      observe(bob, AWAY_MS - (Date.now() - stoppedAt)),
    ]);
    for (const [who, got] of [
      ['Alice', atAlice!],
      ['Bob', atBob!],
    ] as const) {
      report(
        SCENARIO,
        `${who} with the server away for ${seconds(Date.now() - stoppedAt)}: ${got.audioPackets} audio packets, longest gap ${got.longestAudioSilence} ms, ${got.framesDecoded} video frames`,
      );
      expect(got.audioEnergy, `${who}: audio energy grows`).toBeGreaterThan(0);
      expect(got.audioPackets, `${who}: audio packets (50 a second)`).toBeGreaterThan((got.ms / 20) * 0.8);
      expect(got.framesDecoded, `${who}: video frames decoded`).toBeGreaterThan(0);
    }
    // Still in the call, still told why nothing else works.
    await expect(serverUnreachable(alice, bob)).toBeVisible();
    await expect(serverUnreachable(bob, alice)).toBeVisible();

    const hangUpAt = Date.now();
    await alice.callWith(bob).getByRole('button', { name: 'Hang up', exact: true }).click();
    const clickedBy = Date.now();
    await expect(alice.callWith(bob)).toBeHidden({ timeout: ENDS_WITHIN_MS });
    await expect(bob.callWith(alice)).toBeHidden({ timeout: ENDS_WITHIN_MS });
    report(SCENARIO, `the call ended on both sides ${seconds(Date.now() - hangUpAt)} after Alice hung up`);
    for (const person of [alice, bob]) await expectMediaReleased(person);

    await server.start();
    const backAt = Date.now();
    report(SCENARIO, `server back after ${seconds(backAt - stoppedAt)} (grace period ${GRACE_PERIOD_S} s)`);
    await expect
      .poll(() => server.calls().map((c) => c.end_reason), { timeout: 30_000 })
      .toEqual(['completed']);
    const [call] = server.calls();
    report(SCENARIO, `history reconciled ${seconds(Date.now() - backAt)} after the server came back`);
    report(
      SCENARIO,
      `recorded end ${call!.ended_at! - hangUpAt} ms after the click started (it took ${clickedBy - hangUpAt} ms)`,
    );
    expect(call!.ended_at, 'the recorded end, ms').toBeGreaterThanOrEqual(hangUpAt - 50);
    expect(call!.ended_at, 'the recorded end, ms').toBeLessThanOrEqual(clickedBy + END_TOLERANCE_MS);
    const length = formatClock((call!.ended_at! - call!.answered_at!) / 1000);
    await expectOneCallEach([alice, bob], (entry) => expect(entry.locator('.outcome')).toHaveText(length));
  });
});
