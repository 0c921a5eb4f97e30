// What people see around a call in progress: the status picker says what contacts see, and the buttons
// that would call the person already on the line are off.
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

test('the Call, Video call and Call back buttons for the person on the line are off until the call ends', async ({
  people,
}) => {
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  await alice.befriend(bob);
  const buttons = [`Call ${bob.displayName}`, `Video call ${bob.displayName}`].map((name) =>
    alice.button(name),
  );

  await alice.callAndConnect(bob, 'audio');
  for (const button of buttons) await expect(button).toBeDisabled();
  await expect(bob.button(`Call ${alice.displayName}`)).toBeDisabled();

  await alice.callWith(bob).getByRole('button', { name: 'Hang up', exact: true }).click();
  for (const button of buttons) await expect(button).toBeEnabled();

  // History offers Call back for the call just made; during the next one with Bob it is off too.
  await alice.callAndConnect(bob, 'video');
  await alice.tab('History').click();
  await expect(alice.button(`Call back ${bob.displayName}`).first()).toBeDisabled();
});
