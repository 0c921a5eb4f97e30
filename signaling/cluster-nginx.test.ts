/**
 * Three nodes as separate processes behind nginx running the shipped deploy/nginx/parley.conf, on one
 * redis-server (and, until PostgreSQL, one SQLite file): every client goes through nginx, and the nodes'
 * logs say which node took each device. Contacts, presence, ringing every device, answered elsewhere,
 * decline, relay and hang-up with the parties' devices on different nodes; and the sign-in throttle
 * counting the real client's address, which nginx passes on in X-Forwarded-For.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes } from './protocol/index.js';
import { PASSWORD, befriend, register, type Person, type TestDevice } from './test-support/harness.js';
import { nginxUnavailable } from './test-support/nginx.js';
import { startNginxCluster, type NginxCluster } from './test-support/nginx-cluster.js';
import { redisUnavailable } from './test-support/redis-server.js';

const unavailable = redisUnavailable() ?? nginxUnavailable();
if (unavailable) console.warn(`skipping the tests behind nginx: ${unavailable}`);

let cluster: NginxCluster;
beforeAll(async () => {
  if (!unavailable) cluster = await startNginxCluster(3, ['--login-failures-per-address', '3']);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

let people = 0;
/** A new person (a fresh name per test), with a device on node `at`. */
async function personOn(name: string, at: number): Promise<Person> {
  const username = `${name}${++people}`;
  const { token } = await register({ url: cluster.url }, username);
  return { username, token, device: await cluster.placeOn(cluster.nodes[at]!, token) };
}

/** Another device of `p` on node `at`. */
const deviceOn = (p: Person, at: number): Promise<TestDevice> => cluster.placeOn(cluster.nodes[at]!, p.token);

/** A POST to the API through nginx from a given loopback address, as a client there sends it. */
function postFrom(
  localAddress: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { error?: { code: string } } }> {
  const json = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${cluster.url}${path}`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.once('error', reject);
    req.end(json);
  });
}

describe.skipIf(unavailable)('three nodes behind nginx', () => {
  it('spreads the devices over the nodes, and contacts and presence span them', async () => {
    const alice = await personOn('alice', 0);
    const bob = await personOn('bob', 1);
    const laptop = await deviceOn(bob, 2);
    expect(new Set([alice.device, bob.device, laptop].map((d) => cluster.nodeOf(d).address)).size).toBe(3);

    await befriend(alice, bob);
    expect(bob.device.ready.contacts).toEqual([]);
    expect(
      await bob.device.next(
        'contact.updated',
        (p) => p.contact.username === alice.username && p.contact.state === 'accepted',
      ),
    ).toMatchObject({ contact: { username: alice.username, state: 'accepted', presence: 'online' } });

    // Bob's phone (node two) leaving leaves him online on his laptop (node three); then both are gone.
    bob.device.close();
    await laptop.ok('presence.update', { dnd: true });
    await alice.device.next('presence.changed', (p) => p.username === bob.username && p.presence === 'dnd');
    laptop.close();
    await alice.device.next(
      'presence.changed',
      (p) => p.username === bob.username && p.presence === 'offline',
    );
    const heard = alice.device.all('presence.changed').filter((p) => p.username === bob.username);
    expect(heard.map((p) => p.presence)).toEqual(['dnd', 'offline']);
  });

  it('rings every device on every node; one answers, the other hears answered-elsewhere; relay, hang-up, history', async () => {
    const alice = await personOn('alice', 0);
    const bob = await personOn('bob', 1);
    const laptop = await deviceOn(bob, 2);
    await befriend(alice, bob);

    const { callId } = await alice.device.ok('call.invite', { callee: bob.username, media: 'audio' });
    await Promise.all([
      bob.device.next('call.incoming', (p) => p.callId === callId),
      laptop.next('call.incoming', (p) => p.callId === callId),
      alice.device.next('call.ringing', (p) => p.callId === callId),
    ]);
    await laptop.ok('call.accept', { callId });
    await alice.device.next('call.accepted', (p) => p.callId === callId);
    expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'answered-elsewhere',
    });

    const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0 offer' } } as const;
    const answer = { kind: 'description', description: { type: 'answer', sdp: 'v=0 answer' } } as const;
    await alice.device.ok('call.signal', { callId, signal: offer });
    expect((await laptop.next('call.signal', (p) => p.callId === callId)).signal).toEqual(offer);
    await laptop.ok('call.signal', { callId, signal: answer });
    expect((await alice.device.next('call.signal', (p) => p.callId === callId)).signal).toEqual(answer);
    expect(bob.device.all('call.signal')).toEqual([]);

    await alice.device.ok('call.hangup', { callId });
    expect(await laptop.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'completed',
    });
    for (const device of [alice.device, laptop]) {
      const [entry] = (await device.ok('history.list', {})).entries;
      expect(entry).toMatchObject({ callId, endReason: 'completed' });
    }
  });

  it('tells the caller and the other devices when a device on another node declines', async () => {
    const alice = await personOn('alice', 2);
    const bob = await personOn('bob', 0);
    const laptop = await deviceOn(bob, 1);
    await befriend(alice, bob);

    const { callId } = await alice.device.ok('call.invite', { callee: bob.username, media: 'video' });
    await laptop.next('call.incoming', (p) => p.callId === callId);
    await bob.device.next('call.incoming', (p) => p.callId === callId);
    await bob.device.ok('call.decline', { callId });
    const declined = { callId, reason: 'declined' };
    expect(await alice.device.next('call.ended', (p) => p.callId === callId)).toEqual(declined);
    expect(await laptop.next('call.ended', (p) => p.callId === callId)).toEqual(declined);
    const [entry] = (await alice.device.ok('history.list', {})).entries;
    expect(entry).toMatchObject({ callId, endReason: 'declined' });
  });

  it("throttles sign-in failures by the client's own address, which nginx passes on, not nginx's", async () => {
    const { username } = { username: `carol${++people}` };
    await register({ url: cluster.url }, username);
    const wrong = { username, password: `not ${PASSWORD}` };
    for (let i = 0; i < 3; i++)
      expect((await postFrom('127.0.0.2', httpRoutes.login, wrong)).status).toBe(401);
    // A forged X-Forwarded-For does not get the client out: nginx appends the address it sees.
    const forged = await postFrom('127.0.0.2', httpRoutes.login, wrong, { 'x-forwarded-for': '127.0.0.9' });
    expect(forged).toMatchObject({ status: 429, body: { error: { code: 'E_RATE_LIMITED' } } });
    // Another client, through the same nginx, is not throttled.
    expect((await postFrom('127.0.0.3', httpRoutes.login, wrong)).status).toBe(401);
    expect((await postFrom('127.0.0.3', httpRoutes.login, { username, password: PASSWORD })).status).toBe(
      200,
    );
  });
});
