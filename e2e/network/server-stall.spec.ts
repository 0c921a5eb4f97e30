// Scenario 10: the signaling server stalls mid-call. Its process is held (SIGSTOP), as a long synchronous
// task or a machine out of CPU would hold it: the connections stay open and nothing is answered. Alice
// hangs up meanwhile: her call ends at once and her microphone and camera are let go, without waiting for
// the server; Bob's call ends once her side has closed its connection and the server has not answered
// him either. When the server runs again it takes the hang-up that waited, says in its log how long it
// was held up, and history has one completed call.
import { formatClock } from '../../renderer/ui/words.js';
import { expect, startVideoCall, test } from './support/fixtures.js';
import { expectMediaReleased, expectOneCallEach, report, seconds } from './support/observe.js';
import { withOwnServer } from './support/server-process.js';

const SCENARIO = 'server stall';
/** How long the server is held: shorter than the client's 10 s request timeout, so Alice's hang-up is answered. */
const STALL_MS = 7_000;
/** Alice's call ends on her click, without the server: the click and a redraw on a loaded machine. */
const ENDS_AT_ONCE_MS = 2_000;
/**
 * Bob's call ends when his app sees media stop (0.5 s), finds the server does not answer (1 s), drops the
 * connection and, the server being away now, takes Alice's closed DTLS transport as her hang-up (the
 * next 250 ms sample). Measured: 2.0 to 2.1 s after the click (10 runs, one beside two busy loops on the
 * 2 cores); the rest is margin for a loaded machine.
 */
const BOB_ENDS_WITHIN_MS = 6_000;
/** A hang-up that waited in the kernel is taken when the server runs again, within a loaded machine's turn. */
const TAKEN_WITHIN_MS = 2_000;

test('the server stalls mid-call: hanging up ends the call at once on both sides, the server takes it when it runs again, history has it', async ({
  net,
}) => {
  await withOwnServer(net, SCENARIO, { gracePeriodS: 30 }, async (server, alice, bob) => {
    await startVideoCall(alice, bob);

    server.pause();
    // Alice's click starts as the hold does.
    const heldAt = Date.now();
    await alice.callWith(bob).getByRole('button', { name: 'Hang up', exact: true }).click();
    await expect(alice.callWith(bob)).toBeHidden({ timeout: ENDS_AT_ONCE_MS });
    report(SCENARIO, `Alice's call ended ${seconds(Date.now() - heldAt)} after her click`);
    await expectMediaReleased(alice);
    await expect(bob.callWith(alice)).toBeHidden({ timeout: BOB_ENDS_WITHIN_MS });
    report(SCENARIO, `Bob's call ended ${seconds(Date.now() - heldAt)} after her click`);
    await expectMediaReleased(bob);
    expect(Date.now() - heldAt, 'both ended while the server was still held').toBeLessThan(STALL_MS);

    await alice.page.waitForTimeout(Math.max(0, heldAt + STALL_MS - Date.now())); // the fault's length
    server.resume();
    const resumedAt = Date.now();
    report(SCENARIO, `server held for ${seconds(resumedAt - heldAt)}`);

    await expect
      .poll(() => server.calls().map((c) => c.end_reason), { timeout: 20_000 })
      .toEqual(['completed']);
    const [call] = server.calls();
    report(SCENARIO, `hang-up recorded ${seconds(call!.ended_at! - resumedAt)} after the server ran again`);
    // Recorded when the server could take it: the click's time is known only to Alice's app, which reports
    // an end itself only when its request goes unanswered.
    expect(call!.ended_at, 'the recorded end, ms').toBeGreaterThanOrEqual(heldAt);
    expect(call!.ended_at, 'the recorded end, ms').toBeLessThanOrEqual(resumedAt + TAKEN_WITHIN_MS);

    // The log reaches this process through a pipe: polled, as it may come after the history row.
    const longestHoldUp = () =>
      server
        .logged('event loop held up')
        .sort((a, b) => Number(a.heldMs) - Number(b.heldMs))
        .at(-1);
    await expect
      .poll(() => Number(longestHoldUp()?.heldMs ?? 0), { message: 'the hold-up in the server log, ms' })
      .toBeGreaterThanOrEqual(STALL_MS - 1_000);
    const holdUp = longestHoldUp()!;
    report(
      SCENARIO,
      `the server logged a hold-up of ${String(holdUp.heldMs)} ms, ${String(holdUp.handshakesMeanwhile)} handshakes meanwhile`,
    );
    // Held, not busy: no handshake was done meanwhile, but for Bob's reconnect, which waited in the
    // kernel and may be taken as the server runs again, before the watch's timer.
    expect(Number(holdUp.handshakesMeanwhile), 'handshakes done during the hold-up').toBeLessThanOrEqual(1);

    const length = formatClock((call!.ended_at! - call!.answered_at!) / 1000);
    await expectOneCallEach([alice, bob], (entry) => expect(entry.locator('.outcome')).toHaveText(length));
  });
});
