// Contacts and presence as people see them: becoming contacts (the request's "Sent to" note lasts until it
// is answered), then Online and Offline in words.
import { expect, test } from './support/fixtures.js';

test('two people become contacts and see each other come and go', async ({ people }) => {
  const alice = await people.add('alice');
  const bob = await people.add('bob');

  await alice.sendRequest(bob);
  const sent = alice.page.getByRole('status').filter({ hasText: `Sent to ${bob.username}.` });
  await expect(sent).toBeVisible();
  await bob
    .contact(alice)
    .getByRole('button', { name: `Accept ${alice.displayName}`, exact: true })
    .click();
  // Accepted: the note under Add contact has done its job.
  await expect(sent).toBeHidden();
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
