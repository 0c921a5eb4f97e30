// When things go wrong, the person is told in words and the app stays usable: a denied microphone and
// camera, a missing camera, a lost server connection. No error escapes to the page (`weberror`).
//
// A malformed message from the server is not reachable through the real server, which only sends what
// the protocol schemas allow; renderer/net/signaling-client.test.ts covers it against a stand-in server.
import type { BrowserContext, Locator } from '@playwright/test';
import { errorWords } from '../renderer/ui/error-words.js';
import { expect, test, type Person } from './support/fixtures.js';

/** Collects errors that escape to any page of the context (uncaught exceptions, unhandled rejections). */
function watchErrors(context: BrowserContext, into: string[]): void {
  context.on('weberror', (e) => into.push(`${e.page()?.url()}: ${e.error().message}`));
}

const notices = (person: Person): Locator =>
  person.page.getByRole('status', { name: 'Notices', exact: true });

test('denied microphone and camera: told why, nobody is rung, the app goes on', async ({ people }) => {
  const errors: string[] = [];
  const alice = await people.add('alice', {
    prepare: async (context) => {
      watchErrors(context, errors);
      // Not allowed (the browser would ask), and refused when asked: a call then rings nobody until the
      // microphone is open, which it never is.
      await context.clearPermissions();
      await context.addInitScript(() => {
        if (typeof MediaDevices === 'undefined') return; // about:blank, before the app loads
        MediaDevices.prototype.getUserMedia = () =>
          Promise.reject(new DOMException('denied', 'NotAllowedError'));
      });
    },
  });
  const bob = await people.add('bob');
  const carol = await people.add('carol');
  await alice.befriend(bob);
  await carol.befriend(bob);
  const denied = notices(alice)
    .getByRole('listitem')
    .filter({ hasText: errorWords('E_MEDIA_DENIED') });

  await alice.call(bob, 'audio');
  await expect(denied).toHaveCount(1);
  await expect(alice.callingOut(bob)).toBeHidden();
  // Nobody was rung: Carol's call, placed after Alice's attempt, reaches Bob (were Bob ringing for
  // Alice, Carol would be told he is busy).
  await carol.call(bob, 'audio');
  await expect(bob.incomingCall(carol)).toBeVisible();
  await expect(bob.incomingCall(alice)).toHaveCount(0);
  const carolToldDeclined = await carol.watchFor('Call declined');
  await bob.incomingCall(carol).getByRole('button', { name: 'Decline', exact: true }).click();
  await expect.poll(carolToldDeclined).toBe(true);

  // The app goes on: the tabs work, and Settings says the same thing about the previews.
  await alice.tab('History').click();
  await expect(alice.page.getByRole('tabpanel', { name: /^History/ })).toBeVisible();
  await expect(alice.page.getByRole('list', { name: 'Call history', exact: true })).toBeAttached();
  await alice.tab('Settings').click();
  await expect(alice.page.getByRole('tabpanel', { name: 'Settings' })).toContainText(
    errorWords('E_MEDIA_DENIED'),
  );
  await alice.tab('Contacts').click();
  await expect(alice.contact(bob)).toContainText('Online');

  // Alice is still reachable: Bob's call rings her, and she can decline it.
  // Bob declined Carol a moment ago: words about that go within seconds, before a new watch can start.
  await expect(bob.page.getByText('Call declined')).toBeHidden();
  let bobToldDeclined = await bob.watchFor('Call declined');
  await bob.call(alice, 'audio');
  await alice.incomingCall(bob).getByRole('button', { name: 'Decline', exact: true }).click();
  await expect(alice.incomingCall(bob)).toBeHidden();
  await expect.poll(bobToldDeclined).toBe(true);
  // Answering is refused the same way: she is told, and Bob's call ends as declined.
  await expect(bob.page.getByText('Call declined')).toBeHidden();
  bobToldDeclined = await bob.watchFor('Call declined');
  await bob.call(alice, 'video');
  await alice.incomingCall(bob).getByRole('button', { name: 'Accept with video', exact: true }).click();
  await expect(denied).toHaveCount(2);
  await expect(alice.incomingCall(bob)).toBeHidden();
  await expect(alice.callWith(bob)).toBeHidden();
  await expect(bob.callingOut(alice)).toBeHidden();
  await expect.poll(bobToldDeclined).toBe(true);
  expect(errors).toEqual([]);
});

test('no camera: a video call goes ahead with voice, and says why', async ({ people }) => {
  const errors: string[] = [];
  const alice = await people.add('alice', {
    prepare: async (context) => {
      watchErrors(context, errors);
      await context.addInitScript(() => {
        if (typeof MediaDevices === 'undefined') return; // about:blank, before the app loads
        const original = MediaDevices.prototype.getUserMedia;
        MediaDevices.prototype.getUserMedia = function (constraints) {
          if (constraints?.video) return Promise.reject(new DOMException('no camera', 'NotFoundError'));
          return original.call(this, constraints);
        };
      });
    },
  });
  const bob = await people.add('bob');
  await alice.befriend(bob);
  const missing = notices(alice)
    .getByRole('listitem')
    .filter({ hasText: errorWords('E_MEDIA_MISSING') });

  await alice.callAndConnect(bob, 'video');
  await expect(missing).toHaveCount(1);
  const call = alice.callWith(bob);
  await expect(call.getByRole('button', { name: 'Turn camera on', exact: true })).toBeVisible();
  await expect(call.getByLabel('Your camera', { exact: true })).toHaveCount(0);
  // Alice's voice reaches Bob; Bob's voice and video reach Alice.
  await bob.waitForMediaFlowing(['audio']);
  await alice.waitForMediaFlowing(['audio', 'video']);
  expect((await bob.inbound()).video.framesDecoded).toBe(0);

  // Trying the camera again mid-call says so again, and the call goes on.
  await call.getByRole('button', { name: 'Turn camera on', exact: true }).click();
  await expect(missing).toHaveCount(2);
  await bob.waitForSound(alice.displayName);
  expect(errors).toEqual([]);
});

test('lost server connection: reconnecting, offline for others, then back with presence and calls', async ({
  people,
}) => {
  const errors: string[] = [];
  const alice = await people.add('alice');
  const bob = await people.add('bob');
  watchErrors(alice.context, errors);
  await alice.befriend(bob);
  await expect(bob.contact(alice)).toContainText('Online');
  const reconnecting = alice.page.getByRole('status').filter({ hasText: 'Reconnecting…' });
  // Chromium's offline mode closes the open WebSocket at once (the server sees the close) and fails
  // every new one with net::ERR_INTERNET_DISCONNECTED until it is lifted.
  const failedRetry = new Promise<string>((resolve) =>
    alice.page.on('websocket', (ws) => ws.on('socketerror', resolve)),
  );

  await alice.context.setOffline(true);
  await expect(reconnecting).toBeVisible();
  await expect(bob.contact(alice)).toContainText('Offline');
  expect(await failedRetry).toContain('ERR_INTERNET_DISCONNECTED');
  await expect(reconnecting).toBeVisible(); // still said after a retry failed

  await alice.context.setOffline(false);
  await expect(reconnecting).toBeHidden();
  await expect(bob.contact(alice)).toContainText('Online');
  await expect(alice.contact(bob)).toContainText('Online');
  // Presence is live again: Bob's do-not-disturb reaches Alice, and so does its end.
  const bobStatus = bob.page.getByLabel('Status', { exact: true });
  await bobStatus.selectOption('dnd');
  await expect(alice.contact(bob)).toContainText('Do not disturb');
  await bobStatus.selectOption('online');
  await expect(alice.contact(bob)).toContainText('Online');
  // And calls work.
  await alice.callAndConnect(bob, 'audio');
  await bob.waitForMediaFlowing(['audio']);
  await alice.waitForMediaFlowing(['audio']);
  expect(errors).toEqual([]);
});
