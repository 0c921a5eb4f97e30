// Impersonation by display name: two people called "Alice Liddell" are told apart by @username in the
// contact request and on the incoming call, and a name with a right-to-left override cannot be registered.
import { mkdirSync } from 'node:fs';
import { serverUrl } from './support/environment.js';
import { expect, test } from './support/fixtures.js';

const DIR = 'test-results/screenshots';

test('two people with the same display name are told apart by @username in the request and the call', async ({
  people,
}) => {
  mkdirSync(DIR, { recursive: true });
  const alice = await people.add('alice', { displayName: 'Alice Liddell' });
  const impostor = await people.add('alice', { displayName: 'Alice Liddell' });
  const bob = await people.add('bob');
  expect(impostor.username).not.toBe(alice.username);

  await impostor.sendRequest(bob);
  await alice.sendRequest(bob);

  // Bob sees two requests from "Alice Liddell", each with its own @username.
  const requests = bob.page
    .getByRole('list', { name: 'Contacts', exact: true })
    .getByRole('listitem')
    .filter({ hasText: 'wants to be your contact' });
  await expect(requests).toHaveCount(2);
  await expect(requests.filter({ hasText: 'Alice Liddell' })).toHaveCount(2);
  await expect(bob.contact(alice)).toHaveCount(1);
  await expect(bob.contact(impostor)).toHaveCount(1);
  await expect(bob.contact(alice)).not.toContainText(`@${impostor.username}`);
  // The buttons say whose request they answer, also to a screen reader.
  const acceptAlice = bob.contact(alice).getByRole('button', { name: 'Accept Alice Liddell', exact: true });
  await expect(acceptAlice).toHaveAccessibleDescription(`@${alice.username}`);
  // Each sender sees their own request going to @bob.
  await expect(alice.contact(bob)).toContainText('Request sent');
  await bob.page.screenshot({ path: `${DIR}/contact-requests.png`, fullPage: true });

  await acceptAlice.click();
  await bob.contact(impostor).getByRole('button', { name: 'Decline Alice Liddell', exact: true }).click();
  await expect(bob.contact(alice)).toContainText('Online');
  await expect(bob.contact(impostor)).toHaveCount(0);
  await expect(alice.contact(bob)).toContainText('Online');

  // The incoming call says which Alice is calling.
  await alice.call(bob, 'video');
  const incoming = bob.incomingCall(alice);
  await expect(incoming).toBeVisible();
  await expect(incoming).toContainText(`@${alice.username}`);
  await expect(incoming).not.toContainText(`@${impostor.username}`);
  await expect(incoming).toHaveAccessibleDescription(`@${alice.username} Video call`);
  await bob.page.screenshot({ path: `${DIR}/incoming-call-username.png`, fullPage: true });
  await incoming.getByRole('button', { name: 'Decline', exact: true }).click();
  await expect(incoming).toBeHidden();
});

test('a display name with a right-to-left override cannot be registered', async ({ page, request }) => {
  const suffix = Date.now().toString(36);
  const username = `bob-${suffix}`;
  const spoof = 'Bob \u202Egnp.exe';

  // The form says why at once...
  await page.goto(serverUrl());
  await page.getByRole('button', { name: 'Create an account', exact: true }).click();
  await page.getByLabel('Server', { exact: true }).fill(serverUrl());
  await page.getByLabel('Display name', { exact: true }).fill(spoof);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('without invisible or text-direction characters');
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toHaveCount(0);

  // ...and the server refuses it from any client, creating no account.
  const res = await request.post(`${serverUrl()}/api/register`, {
    data: { username, displayName: spoof, password: 'correct horse battery staple' },
  });
  expect(res.status()).toBe(400);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('E_INVALID');
  const login = await request.post(`${serverUrl()}/api/login`, {
    data: { username, password: 'correct horse battery staple' },
  });
  expect(login.status()).toBe(401);
});
