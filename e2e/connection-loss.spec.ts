// Connection loss: when the far side vanishes mid-call, the call ends after the server's grace period.
import { GRACE_PERIOD_S } from './support/environment.js';
import { expect, test } from './support/fixtures.js';
import { paced } from './support/pace.js';

/** Time for the server to notice the closed socket and for the end to reach Alice's page. */
const SLACK_MS = paced(3_000);

test('when Bob closes his page, Alice’s call ends within the grace period as connection lost', async ({
  people,
}) => {
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  await alice.befriend(bob);
  await alice.callAndConnect(bob, 'audio');
  await alice.waitForMediaFlowing(['audio']);

  // The live region that will say so is there, empty, before anything happens (so screen readers announce it).
  const reconnecting = alice.callWith(bob).getByRole('status').filter({ hasText: 'Reconnecting…' });
  await expect(alice.callWith(bob).getByRole('status')).toHaveText(['', '']);
  const closedAt = Date.now();
  await bob.page.close();
  // During the grace period Alice is told Bob is reconnecting, in a live region; then the call ends.
  await expect(reconnecting).toBeVisible();
  await expect(alice.callWith(bob)).toBeHidden({ timeout: GRACE_PERIOD_S * 1000 + SLACK_MS });
  const endedAfter = Date.now() - closedAt;
  expect(endedAfter, 'ms from close to end').toBeGreaterThanOrEqual(GRACE_PERIOD_S * 1000);
  expect(endedAfter, 'ms from close to end').toBeLessThanOrEqual(GRACE_PERIOD_S * 1000 + SLACK_MS);

  await alice.tab('History').click();
  const entry = alice.historyItems().filter({ hasText: bob.displayName });
  await expect(entry).toContainText('Connection lost');
  await expect(entry).toContainText('Outgoing');
});
