// TURN: with "Always relay calls" the call goes through coturn, and still carries media.
import { expect, test } from './support/fixtures.js';

test('a relayed call connects through TURN and carries media', async ({ people }) => {
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  await alice.befriend(bob);
  await alice.tickSetting('Always relay calls');
  await bob.tickSetting('Always relay calls');

  await alice.callAndConnect(bob, 'video');
  await alice.waitForMediaFlowing(['audio', 'video']);
  await bob.waitForMediaFlowing(['audio', 'video']);

  for (const person of [alice, bob]) {
    await expect
      .poll(() => person.selectedLocalCandidateType(), {
        message: `${person.displayName}'s selected local candidate`,
      })
      .toBe('relay');
  }
  await expect(alice.page.getByLabel('Call quality', { exact: true })).toContainText('relayed');
});
