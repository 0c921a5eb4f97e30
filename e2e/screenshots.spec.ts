// Pictures of the main screens, for people to look at: test-results/screenshots/*.png.
import { mkdirSync } from 'node:fs';
import { serverUrl } from './support/environment.js';
import { expect, test, type Person } from './support/fixtures.js';

const DIR = 'test-results/screenshots';

async function snap(person: Person, name: string): Promise<void> {
  await person.page.screenshot({ path: `${DIR}/${name}.png`, fullPage: true });
}

test('screenshots of sign-in, contacts, incoming call, in-call and history', async ({ people, browser }) => {
  mkdirSync(DIR, { recursive: true });

  const signedOut = await browser.newContext();
  try {
    const page = await signedOut.newPage();
    await page.goto(serverUrl());
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    await page.screenshot({ path: `${DIR}/sign-in.png`, fullPage: true });
  } finally {
    await signedOut.close();
  }

  const alice = await people.add('alice');
  const bob = await people.add('bob');
  await alice.befriend(bob);
  await expect(alice.contact(bob)).toContainText('Online');
  await snap(alice, 'contacts');

  await alice.call(bob, 'video');
  await expect(bob.incomingCall(alice)).toBeVisible();
  await snap(bob, 'incoming-call');

  await bob.accept(alice, 'video');
  await alice.waitForMediaFlowing(['audio', 'video']);
  // A measured bitrate: the badge's first sample has no previous one to compare with and says 0 kbps.
  await expect(alice.page.getByLabel('Call quality', { exact: true })).toHaveText(/ [1-9]\d* kbps · direct$/);
  await snap(alice, 'in-call');

  await alice.callWith(bob).getByRole('button', { name: 'Hang up', exact: true }).click();
  await expect(bob.callWith(alice)).toBeHidden();
  await bob.tab('History').click();
  await expect(bob.historyItems().filter({ hasText: alice.displayName })).toContainText('Incoming');
  await snap(bob, 'history');
});
