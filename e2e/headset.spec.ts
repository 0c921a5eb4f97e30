// A USB headset's call buttons and lights (WebHID, with a stand-in headset): chosen in Settings, its hook
// switch answers a ringing call and hangs up, its mute button mutes, and its lights follow ring, off-hook,
// mute and on-hook.
import { expect, test } from './support/fixtures.js';
import { HEADSET_NAME, headsetLights, pressHookSwitch, pressMute, withHeadset } from './support/headset.js';

test("Bob answers Alice's call, mutes and hangs up with his headset's buttons, and its lights follow", async ({
  people,
}) => {
  const alice = await people.add('alice');
  const bob = await people.add('bob', { prepare: withHeadset });
  await alice.befriend(bob);

  await bob.tab('Settings').click();
  const choice = bob.page.getByRole('combobox', { name: 'Call buttons and lights', exact: true });
  await expect(choice).toHaveValue('');
  await bob.button('Add a headset…').click();
  await expect(choice.locator('option:checked')).toHaveText(HEADSET_NAME);
  await expect.poll(() => headsetLights(bob)).toEqual(['dark']);

  await alice.call(bob, 'audio');
  await expect(bob.incomingCall(alice)).toBeVisible();
  await expect.poll(() => headsetLights(bob)).toEqual(['dark', 'ring']);

  await pressHookSwitch(bob, true);
  for (const [me, them] of [
    [alice, bob],
    [bob, alice],
  ] as const) {
    await expect(me.callWith(them).getByRole('timer', { name: 'Call duration' })).toHaveText(/^\d\d:\d\d$/);
  }
  await expect.poll(() => headsetLights(bob)).toEqual(['dark', 'ring', 'off-hook']);

  await pressMute(bob);
  await expect(bob.callWith(alice).getByRole('button', { name: 'Unmute', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect.poll(() => headsetLights(bob)).toEqual(['dark', 'ring', 'off-hook', 'off-hook mute']);

  await pressHookSwitch(bob, false);
  await expect(bob.callWith(alice)).toBeHidden();
  await expect(alice.callWith(bob)).toBeHidden();
  await expect.poll(() => headsetLights(bob)).toEqual(['dark', 'ring', 'off-hook', 'off-hook mute', 'dark']);
});
