// Scenario 5: a firewall blocks all UDP for Alice. The call still connects, through coturn over TCP (the
// server hands out `turn:...?transport=tcp`); and with TURN over TCP blocked too, over TLS (`turns:`),
// whose certificate is the suite's own (global setup), trusted by Chromium through its SPKI hash.
import { blockUdp } from './support/faults.js';
import { expect, test, type NetPerson } from './support/fixtures.js';
import { badge, expectFarEnd, report, seconds } from './support/observe.js';
import { selectedPair } from '../support/stats.js';

async function callOverTurn(alice: NetPerson, bob: NetPerson, scenario: string): Promise<void> {
  const startedAt = Date.now();
  await alice.callAndConnect(bob, 'video');
  await Promise.all([alice.waitForMediaFlowing(), bob.waitForMediaFlowing()]);
  report(scenario, `from placing the call to media both ways ${seconds(Date.now() - startedAt)}`);
  await expect(badge(alice)).toContainText('relayed');
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
  await expectFarEnd(bob, net.env.gateway, "Bob's selected pair ends at Alice's relay on coturn");
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
  await expectFarEnd(bob, net.env.gateway, "Bob's selected pair ends at Alice's relay on coturn");
});
