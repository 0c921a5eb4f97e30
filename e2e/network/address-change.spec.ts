// Scenario 4: Alice's address changes mid-call (her laptop moved to another network: the old address is
// gone, a new one comes). Nobody does anything; the call resumes by ICE restart within 5 s, from the new
// address. Her signaling connection, left dangling on the old address, is replaced on the way.
import { changeAddress } from './support/netbed.js';
import { expect, startVideoCall, test } from './support/fixtures.js';
import { armAudioWatch, expectFarEnd, reconnecting, report, seconds } from './support/observe.js';
import { selectedPair } from '../support/stats.js';

const SCENARIO = 'address change';
const BACK_WITHIN_MS = 5_000;

test('Alice’s address changes mid-call: the call resumes by ICE restart within 5 s, from the new address', async ({
  net,
}) => {
  const [alice, bob] = await net.pair();
  await startVideoCall(alice, bob);
  expect(selectedPair(await alice.stats())?.local.address).toBe(alice.host.address);

  // Counted from the moment the old address is gone.
  const { from, to, at: changedAt } = await changeAddress(net.env, alice.host);
  const back = await Promise.all([armAudioWatch(alice, 20_000), armAudioWatch(bob, 20_000)]);
  const [aliceBack, bobBack] = (await Promise.all(back.map((resumed) => resumed()))).map(
    (at) => at - changedAt,
  );
  report(SCENARIO, `audio back at Alice after the change ${seconds(aliceBack!)}`);
  report(SCENARIO, `audio back at Bob after the change ${seconds(bobBack!)}`);
  expect(aliceBack, 'ms until audio reaches Alice again').toBeLessThanOrEqual(BACK_WITHIN_MS);
  expect(bobBack, 'ms until audio reaches Bob again').toBeLessThanOrEqual(BACK_WITHIN_MS);

  await Promise.all([alice.waitForMediaFlowing(), bob.waitForMediaFlowing()]);
  await expect(reconnecting(alice, bob)).toBeHidden();
  await expect(reconnecting(bob, alice)).toBeHidden();
  // Through a new path (an ICE restart), from the new address.
  const pair = selectedPair(await alice.stats());
  expect(pair?.local.address).toBe(to);
  expect(pair?.local.address).not.toBe(from);
  await expectFarEnd(bob, to, "Bob's selected pair ends at Alice's new address");
});
