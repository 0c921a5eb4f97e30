// Hot-plug: a microphone unplugged mid-call, a headset plugged in, the system default changed. Chromium's
// fake devices cannot be unplugged, so support/hot-plug.ts wraps navigator.mediaDevices and fires
// devicechange.
import { expect, test, type People } from './support/fixtures.js';
import { makeDefaultMicrophone, plug, unplug, withHotPlug } from './support/hot-plug.js';

/** Alice (with devices that can be plugged and unplugged) in a voice call with Bob, and her live microphones. */
async function voiceCallWithHotPlug(people: People) {
  const alice = await people.add('alice', { prepare: withHotPlug });
  const bob = await people.add('bob');
  await alice.befriend(bob);
  await alice.callAndConnect(bob, 'audio');
  const liveMicrophones = async () =>
    (await alice.localTracks())
      .filter((t) => t.kind === 'audio' && t.readyState === 'live')
      .map((t) => t.label);
  return { alice, bob, call: alice.callWith(bob), liveMicrophones };
}

test('unplugging the microphone in use mid-call moves to the default one: the call goes on and is heard', async ({
  people,
}) => {
  const { alice, bob, call, liveMicrophones } = await voiceCallWithHotPlug(people);

  await call.getByLabel('Microphone', { exact: true }).selectOption({ label: 'Fake Audio Input 2' });
  await expect.poll(liveMicrophones).toEqual(['Fake Audio Input 2']);
  await bob.waitForSound('Alice');

  await unplug(alice.page, 'Fake Audio Input 2');
  await expect(
    alice.page.getByRole('status').filter({ hasText: 'Your microphone was disconnected' }),
  ).toBeVisible();
  // The default microphone is live in Input 2's place, and Bob hears it: the call never dropped.
  await expect.poll(liveMicrophones).toEqual([expect.not.stringMatching(/^Fake Audio Input 2$/)]);
  await expect(call).toBeVisible();
  await expect(bob.callWith(alice)).toBeVisible();
  await bob.waitForSound('Alice');
  await expect(call.getByLabel('Microphone', { exact: true }).getByRole('option')).not.toContainText([
    'Fake Audio Input 2',
  ]);
});

test('a headset plugged in is offered: a notice names it and the microphone list has it', async ({
  people,
}) => {
  const alice = await people.add('alice', { prepare: withHotPlug });
  // The headset comes after Parley has listed the devices there were (shortly after sign-in; a loaded
  // machine takes its time): plugged in before that, it would simply be one of them.
  await alice.tab('Settings').click();
  const microphones = alice.page.getByLabel('Microphone', { exact: true }).getByRole('option');
  await expect(microphones.filter({ hasText: 'Fake Audio Input 1' })).toHaveCount(1);
  // The notice shows for a few seconds: watched for in the page, so a busy machine cannot miss it.
  const offered = await alice.watchFor('New device available: USB Headset Microphone');
  await plug(alice.page, { kind: 'audioinput', label: 'USB Headset Microphone', deviceId: 'usb-headset' });
  await expect.poll(offered).toBe(true);
  await expect(microphones.filter({ hasText: 'USB Headset Microphone' })).toHaveCount(1);
});

test('with "System default" chosen, a call follows the microphone the system makes its default', async ({
  people,
}) => {
  const { alice, bob, call, liveMicrophones } = await voiceCallWithHotPlug(people);
  await expect(call.getByLabel('Microphone', { exact: true })).toHaveValue(''); // System default
  await expect.poll(liveMicrophones).toEqual(['Fake Default Audio Input']);

  const told = await alice.watchFor("Your system's default microphone changed; Parley switched to it.");
  await makeDefaultMicrophone(alice.page, 'Fake Audio Input 2');
  await expect.poll(told).toBe(true);
  await expect.poll(liveMicrophones).toEqual(['Fake Audio Input 2']);
  await expect(call.getByLabel('Microphone', { exact: true })).toHaveValue(''); // still the choice
  await bob.waitForSound('Alice');
});
