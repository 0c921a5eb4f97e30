// What people see around a call in progress: the status picker says what contacts see.
import { expect, test } from './support/fixtures.js';

test('in a call the status says Busy, as contacts see it, and Online again after', async ({ people }) => {
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  await alice.befriend(bob);
  const status = bob.page.getByRole('combobox', { name: 'Status', exact: true });
  await expect(status).toHaveValue('online');

  await alice.callAndConnect(bob, 'audio');
  await expect(alice.contact(bob)).toContainText('Busy');
  await expect(status).toHaveValue('busy');
  await expect(status.locator('option:checked')).toHaveText('Busy (in a call)');

  await bob.callWith(alice).getByRole('button', { name: 'Hang up', exact: true }).click();
  await expect(alice.contact(bob)).toContainText('Online');
  await expect(status).toHaveValue('online');
});
