// Contacts and presence as people see them: becoming contacts, then Online and Offline in words.
import { expect, test } from './support/fixtures.js';

test('two people become contacts and see each other come and go', async ({ people }) => {
  const alice = await people.add('alice');
  const bob = await people.add('bob');

  await alice.befriend(bob);
  await expect(alice.contact(bob)).toContainText('Online');
  await expect(bob.contact(alice)).toContainText('Online');

  // Bob closes Parley: Alice sees him offline.
  await bob.page.close();
  await expect(alice.contact(bob)).toContainText('Offline');

  // Bob opens it again (his session is remembered): each sees the other online.
  await bob.reopen();
  await expect(alice.contact(bob)).toContainText('Online');
  await expect(bob.contact(alice)).toContainText('Online');

  // Alice closes Parley: Bob sees her offline.
  await alice.page.close();
  await expect(bob.contact(alice)).toContainText('Offline');
});
