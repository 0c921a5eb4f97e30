// A call between two browsers on two different nodes of a cluster (one Redis, nginx in front running the
// shipped config): Alice's app comes from node one, Bob's from node two, which their logs confirm; they
// befriend, Alice calls, Bob answers, audio flows both ways, Alice hangs up.
import { fileURLToPath } from 'node:url';
import { nginxUnavailable } from '../signaling/test-support/nginx.js';
import { startNginxCluster, type NginxCluster } from '../signaling/test-support/nginx-cluster.js';
import type { LogLine, NodeProcess } from '../signaling/test-support/node-process.js';
import { redisUnavailable } from '../signaling/test-support/redis-server.js';
import { GRACE_PERIOD_S, ringTimeoutS } from './support/environment.js';
import { expect, test } from './support/fixtures.js';

const WEB_DIR = fileURLToPath(new URL('../dist/renderer/', import.meta.url));
const unavailable = redisUnavailable() ?? nginxUnavailable();

let cluster: NginxCluster | undefined;
test.beforeAll(async () => {
  if (unavailable) return;
  // Two node processes start in seconds each on a loaded machine.
  test.setTimeout(120_000);
  cluster = await startNginxCluster(2, [
    ...['--web-dir', WEB_DIR, '--ring-timeout', String(ringTimeoutS())],
    ...['--grace-period', String(GRACE_PERIOD_S), '--registrations-per-hour', '1000'],
  ]);
});
test.afterAll(async () => {
  await cluster?.stop();
});

const deviceConnected = (l: LogLine): boolean => l.msg === 'device connected';

/** The users whose devices connected to a node, by its log. */
const usersOn = (node: NodeProcess): Set<unknown> =>
  new Set(node.lines.filter(deviceConnected).map((l) => l.userId));

test('a call between browsers on two nodes: ringing, answer, audio both ways, hang-up', async ({
  people,
}) => {
  test.skip(unavailable !== null, unavailable ?? '');
  const [one, two] = cluster!.nodes as [NodeProcess, NodeProcess];
  const alice = await people.add('alice', { server: one.url });
  const bob = await people.add('bob', { server: two.url });
  // A node logs the connect after sending session.ready, so its line can reach this process after the
  // page shows the person signed in.
  await Promise.all([one.nextLine(deviceConnected), two.nextLine(deviceConnected)]);
  const [onOne, onTwo] = [usersOn(one), usersOn(two)];
  expect(onOne.size).toBe(1);
  expect(onTwo.size).toBe(1);
  expect([...onOne]).not.toEqual([...onTwo]);

  await alice.befriend(bob);
  await alice.call(bob, 'audio');
  await bob.accept(alice, 'audio');
  await alice.waitForMediaFlowing(['audio']);
  await bob.waitForMediaFlowing(['audio']);

  await alice.callWith(bob).getByRole('button', { name: 'Hang up', exact: true }).click();
  await expect(alice.callWith(bob)).toBeHidden();
  await expect(bob.callWith(alice)).toBeHidden();
  expect(usersOn(one)).toEqual(onOne);
  expect(usersOn(two)).toEqual(onTwo);
});
