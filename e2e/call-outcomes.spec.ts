// How calls end without a conversation, as each side sees it: declined, cancelled, busy, missed,
// and answered on another device.
import { ringTimeoutS } from './support/environment.js';
import { expect, test } from './support/fixtures.js';

test('declined: the caller is told', async ({ people }) => {
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  await alice.befriend(bob);

  await alice.call(bob, 'audio');
  await expect(alice.callingOut(bob)).toContainText('Ringing…');
  const dialog = bob.incomingCall(alice);
  await expect(dialog).toContainText('Voice call');
  const toldDeclined = await alice.watchFor('Call declined');
  await dialog.getByRole('button', { name: 'Decline', exact: true }).click();

  await expect(dialog).toBeHidden();
  await expect(alice.callingOut(bob)).toBeHidden();
  await expect.poll(toldDeclined).toBe(true);
});

test('cancelled: the incoming call disappears from the callee', async ({ people }) => {
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  await alice.befriend(bob);

  await alice.call(bob, 'video');
  const dialog = bob.incomingCall(alice);
  await expect(dialog).toContainText('Video call');
  await expect.poll(async () => (await bob.tones())?.ringtone).toBe(true);
  await alice.callingOut(bob).getByRole('button', { name: 'Cancel', exact: true }).click();

  await expect(alice.callingOut(bob)).toBeHidden();
  await expect(dialog).toBeHidden();
  await expect.poll(async () => (await bob.tones())?.ringtone).toBe(false);
});

test('busy: calling someone who is in a call says so', async ({ people }) => {
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  const carol = await people.add('carol');
  await alice.befriend(bob);
  await carol.befriend(bob);

  await alice.callAndConnect(bob, 'audio');
  await carol.call(bob, 'audio');

  // Said twice: as the end of Carol's call attempt and as a notice.
  await expect(carol.page.getByText('They are in another call.').first()).toBeVisible();
  await expect(carol.callingOut(bob)).toBeHidden();
  await expect(bob.incomingCall(carol)).toBeHidden();
  // Bob's call with Alice goes on.
  await expect(bob.callWith(alice)).toBeVisible();
  await bob.waitForMediaFlowing(['audio']);
});

test('missed: an unanswered call is highlighted in History until seen', async ({ people }) => {
  test.slow(); // the call rings for the server's whole ring timeout
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  await alice.befriend(bob);

  const toldNoAnswer = await alice.watchFor('No answer');
  await alice.call(bob, 'audio');
  await expect(bob.incomingCall(alice)).toBeVisible();
  // Nobody answers: after the ring timeout both sides stop ringing.
  await expect(bob.incomingCall(alice)).toBeHidden({ timeout: (ringTimeoutS() + 5) * 1000 });
  await expect.poll(toldNoAnswer).toBe(true);
  expect((await bob.tones())?.ringtone).toBe(false);

  const history = bob.page.getByRole('tab', { name: 'History, 1 missed', exact: true });
  await expect(history).toBeVisible();
  await expect(history).toContainText('1');
  await history.click();

  const missed = bob.historyItems().filter({ hasText: alice.displayName });
  await expect(missed).toHaveCount(1);
  await expect(missed).toContainText('Missed');
  await expect(missed).toContainText('Incoming');
  // The highlight: a coloured bar at the item's edge that answered and outgoing calls lack.
  await expect(missed).not.toHaveCSS('box-shadow', 'none');
  await expect(
    missed.getByRole('button', { name: `Call back ${alice.displayName}`, exact: true }),
  ).toBeVisible();
  // Opening the tab marked it seen: the badge is gone.
  await expect(bob.page.getByRole('tab', { name: 'History', exact: true })).toBeVisible();

  // Alice's own history has the outgoing attempt, not highlighted, and no badge on her tab.
  await alice.tab('History').click();
  const outgoing = alice.historyItems().filter({ hasText: bob.displayName });
  await expect(outgoing).toContainText('Outgoing');
  await expect(outgoing).toHaveCSS('box-shadow', 'none');
  await expect(alice.page.getByRole('tab', { name: 'History', exact: true })).toBeVisible();
});

test('answered elsewhere: the other device of the callee stops ringing', async ({ people }) => {
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  await alice.befriend(bob);
  const bobPhone = await bob.openSecondDevice();

  await alice.call(bob, 'video');
  for (const device of [bob, bobPhone]) {
    await expect(device.incomingCall(alice)).toBeVisible();
    await expect.poll(async () => (await device.tones())?.ringtone).toBe(true);
  }

  await bob.accept(alice, 'video');
  await expect(bobPhone.incomingCall(alice)).toBeHidden();
  await expect.poll(async () => (await bobPhone.tones())?.ringtone).toBe(false);
  await expect(bobPhone.callWith(alice)).toBeHidden();

  // The device that answered has the call, with media.
  await bob.waitForMediaFlowing(['audio', 'video']);
  await alice.waitForMediaFlowing(['audio', 'video']);
  expect((await bob.tones())?.ringtone).toBe(false);
});
