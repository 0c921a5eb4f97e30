// Scenario 6: no media path can ever exist (everything but signaling is blocked for Alice, so neither a
// direct path nor any TURN transport works). The call rings and is answered, then ends within a bounded
// time as failed: both are told why in words, both release camera and microphone, both histories say so.
import { recoveryTimings } from '../../renderer/call/recovery.js';
import { endedWords } from '../../renderer/ui/error-words.js';
import { blockAllButSignaling } from './support/faults.js';
import { expect, test, type NetPerson } from './support/fixtures.js';
import { expectMediaReleased, report, seconds } from './support/observe.js';

const SCENARIO = 'ICE never succeeds';
/**
 * The engine gives up after connectTimeoutMs without media; the end then reaches both pages. Measured at
 * 1.7 to 3.4 s beyond it on a busy machine (the answer click, timers late under load, the hangup's trip).
 */
const ENDED_WITHIN_MS = recoveryTimings.connectTimeoutMs + 8_000;

test('no media path at all: the call ends as failed within the bound, says why, releases tracks, is in history', async ({
  net,
}) => {
  const [alice, bob] = await net.pair();
  await blockAllButSignaling(alice.host, net.env.signalingPort);

  await alice.call(bob, 'video');
  await expect(bob.incomingCall(alice)).toBeVisible();
  const answeredAt = Date.now();
  await bob.accept(alice, 'video');
  const ended = (person: NetPerson) =>
    person.page.getByRole('status').filter({ hasText: endedWords('failed', 'E_ICE_FAILED') });
  const endedAfter = await Promise.all(
    [alice, bob].map(async (person) => {
      await expect(ended(person)).toBeVisible({ timeout: ENDED_WITHIN_MS });
      return Date.now() - answeredAt;
    }),
  );
  report(SCENARIO, `call ended as failed for Alice after ${seconds(endedAfter[0]!)}`);
  report(SCENARIO, `call ended as failed for Bob after ${seconds(endedAfter[1]!)}`);
  await expect(alice.callWith(bob)).toBeHidden();
  await expect(bob.callWith(alice)).toBeHidden();
  // No media ever flowed.
  expect((await bob.inbound()).audio.packets).toBe(0);

  for (const [me, them, direction] of [
    [alice, bob, 'Outgoing'],
    [bob, alice, 'Incoming'],
  ] as const) {
    await expectMediaReleased(me);
    await me.tab('History').click();
    const entries = me.historyItems().filter({ hasText: them.displayName });
    await expect(entries).toHaveCount(1);
    await expect(entries).toContainText(direction);
    await expect(entries).toContainText('Failed');
  }
});
