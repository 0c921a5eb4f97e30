// Media keys and headset buttons (the Media Session API): during a call, hang-up, microphone and camera
// controls act on it as the buttons do, seen from the far side; nothing is offered without a call.
import { expect, test } from './support/fixtures.js';
import { pressMediaKey, toldMediaControls, withMediaKeys } from './support/media-keys.js';

test('the microphone and camera keys mute Alice and stop her video for Bob, and the hang-up key ends the call', async ({
  people,
}) => {
  const alice = await people.add('alice', { prepare: withMediaKeys });
  const bob = await people.add('bob');
  await alice.befriend(bob);
  expect(await pressMediaKey(alice, 'hangup'), 'a hang-up key with no call').toBe(false);

  await alice.callAndConnect(bob, 'video');
  const call = alice.callWith(bob);
  const videoFrames = (i: { video: { framesDecoded: number } }) => i.video.framesDecoded;

  expect(await pressMediaKey(alice, 'togglemicrophone')).toBe(true);
  await expect(call.getByRole('button', { name: 'Unmute', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await bob.waitForSilence('Alice');

  expect(await pressMediaKey(alice, 'togglecamera')).toBe(true);
  await expect(call.getByRole('button', { name: 'Turn camera on', exact: true })).toBeVisible();
  await bob.waitForStall("Alice's video frames", videoFrames);

  expect(await pressMediaKey(alice, 'togglemicrophone')).toBe(true);
  await bob.waitForSound('Alice');
  expect(await toldMediaControls(alice)).toEqual([
    'microphone on',
    'camera on',
    'microphone off',
    'camera off',
    'microphone on',
  ]);

  expect(await pressMediaKey(alice, 'hangup')).toBe(true);
  await expect(alice.callWith(bob)).toBeHidden();
  await expect(bob.callWith(alice)).toBeHidden();
  expect(await pressMediaKey(alice, 'hangup'), 'a hang-up key after the call').toBe(false);
});
