// Scenario 3: all media between Alice and Bob blocked for 10 s mid-call while signaling stays up. Both are
// told "Reconnecting…" within 3 s (the engine notices that no packet arrives, long before the browser's
// ICE state changes), and media is back within 5 s of the block lifting; it stays one call.
import { blockAllButSignaling, liftFaults } from './support/faults.js';
import { expect, startVideoCall, test } from './support/fixtures.js';
import {
  armAudioWatch,
  expectOneCallEach,
  reconnecting,
  report,
  seconds,
  whenReconnectingShows,
} from './support/observe.js';

const SCENARIO = 'media blocked 10 s';
const BLOCK_MS = 10_000;
const SHOWN_WITHIN_MS = 3_000;
const BACK_WITHIN_MS = 5_000;

test('media blocked both ways for 10 s: both see Reconnecting… within 3 s, media returns within 5 s', async ({
  net,
}) => {
  const [alice, bob] = await net.pair();
  await startVideoCall(alice, bob);

  const shown = [
    whenReconnectingShows(alice, bob, SHOWN_WITHIN_MS + 3_000),
    whenReconnectingShows(bob, alice, SHOWN_WITHIN_MS + 3_000),
  ];
  // Each person's figure counts from when what they receive was cut: Alice's inbound, Bob's from Alice.
  const blocked = await blockAllButSignaling(alice.host, net.env.signalingPort);
  const [aliceSawAt, bobSawAt] = await Promise.all(shown);
  const aliceSaw = aliceSawAt! - blocked.inbound;
  const bobSaw = bobSawAt! - blocked.outbound;
  report(SCENARIO, `Reconnecting… shown to Alice after ${seconds(aliceSaw)}`);
  report(SCENARIO, `Reconnecting… shown to Bob after ${seconds(bobSaw)}`);
  expect(aliceSaw, 'ms until Alice sees Reconnecting…').toBeLessThanOrEqual(SHOWN_WITHIN_MS);
  expect(bobSaw, 'ms until Bob sees Reconnecting…').toBeLessThanOrEqual(SHOWN_WITHIN_MS);

  // While blocked, the call waits: nothing arrives, both still say so, and nobody's call ends.
  await Promise.all([
    alice.waitForStall('audio packets', (i) => i.audio.packets),
    bob.waitForStall('audio packets', (i) => i.audio.packets),
  ]);
  await expect(reconnecting(alice, bob)).toBeVisible();
  await expect(reconnecting(bob, alice)).toBeVisible();
  const blockedAt = Math.min(blocked.inbound, blocked.outbound);
  await alice.page.waitForTimeout(Math.max(0, blockedAt + BLOCK_MS - Date.now())); // the fault's length

  const back = await Promise.all([armAudioWatch(alice, 30_000), armAudioWatch(bob, 30_000)]);
  // Again from when what each receives was let through.
  const lifted = await liftFaults(alice.host);
  const [aliceBackAt, bobBackAt] = await Promise.all(back.map((resumed) => resumed()));
  const aliceBack = aliceBackAt! - lifted.inbound;
  const bobBack = bobBackAt! - lifted.outbound;
  report(SCENARIO, `audio back at Alice after the lift ${seconds(aliceBack)}`);
  report(SCENARIO, `audio back at Bob after the lift ${seconds(bobBack)}`);
  expect(aliceBack, 'ms until audio reaches Alice again').toBeLessThanOrEqual(BACK_WITHIN_MS);
  expect(bobBack, 'ms until audio reaches Bob again').toBeLessThanOrEqual(BACK_WITHIN_MS);
  await Promise.all([alice.waitForMediaFlowing(), bob.waitForMediaFlowing()]);
  await expect(reconnecting(alice, bob)).toBeHidden();
  await expect(reconnecting(bob, alice)).toBeHidden();

  // One call throughout: hanging up records a single call on each side that outlasted the block.
  await alice.callWith(bob).getByRole('button', { name: 'Hang up', exact: true }).click();
  await expectOneCallEach([alice, bob], (entry) => expect(entry).toContainText(/00:(1\d|[2-5]\d)$/));
});
