// Scenario 5: a firewall blocks all UDP for Alice. The call still connects, through coturn over TCP (the
// server hands out `turn:...?transport=tcp`); and with TURN over TCP blocked too, over TLS (`turns:`),
// whose certificate is the suite's own (global setup), trusted by Chromium through its SPKI hash.
import { blockUdp } from './support/faults.js';
import { expect, test, type NetPerson } from './support/fixtures.js';
import { badge, report, seconds } from './support/observe.js';
import { selectedPair } from '../support/stats.js';

async function callOverTurn(alice: NetPerson, bob: NetPerson, scenario: string): Promise<void> {
  const startedAt = Date.now();
  await alice.callAndConnect(bob, 'video');
  await Promise.all([alice.waitForMediaFlowing(), bob.waitForMediaFlowing()]);
  report(scenario, `from placing the call to media both ways ${seconds(Date.now() - startedAt)}`);
  await expect(badge(alice)).toContainText('relayed');
}

/**
 * Bob reaches Alice's relay address on coturn. Polled: when Alice's checks from her relay reach Bob before
 * her relay candidate does (through the server), Bob's end of the pair is first peer-reflexive, whose
 * address Chromium's stats leave empty, until the candidate arrives and names it.
 */
async function expectBobReachesRelay(bob: NetPerson, coturnAddress: string): Promise<void> {
  await expect
    .poll(async () => selectedPair(await bob.stats())?.remote.address, {
      message: "the far end of Bob's selected pair is Alice's relay on coturn",
    })
    .toBe(coturnAddress);
}

test('UDP blocked for Alice: the call connects through TURN over TCP', async ({ net }) => {
  const [alice, bob] = await net.pair();
  await blockUdp(alice.host);
  await callOverTurn(alice, bob, 'UDP blocked, TURN over TCP');
  const pair = selectedPair(await alice.stats());
  expect(pair?.local).toMatchObject({
    candidateType: 'relay',
    relayProtocol: 'tcp',
    address: net.env.gateway,
  });
  await expectBobReachesRelay(bob, net.env.gateway);
});

test('UDP and TURN over TCP blocked for Alice: the call connects through TURN over TLS', async ({ net }) => {
  const [alice, bob] = await net.pair();
  await blockUdp(alice.host, [net.env.turnPort]);
  await callOverTurn(alice, bob, 'UDP and TURN/TCP blocked, TURN over TLS');
  const pair = selectedPair(await alice.stats());
  expect(pair?.local).toMatchObject({
    candidateType: 'relay',
    relayProtocol: 'tls',
    address: net.env.gateway,
  });
  await expectBobReachesRelay(bob, net.env.gateway);
});
