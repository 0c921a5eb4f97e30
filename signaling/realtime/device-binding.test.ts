/**
 * A device id belongs to the session that first connected with it: another
 * session of the same user (another sign-in, a stolen token) cannot take the
 * device over, in particular not the device a call is bound to, whose id the
 * history shows. Signing out frees the id.
 */
import { afterEach, expect, it } from 'vitest';
import { httpRoutes, type Signal } from '../protocol/index.js';
import {
  befriend,
  connect,
  person,
  type Person,
  postJson,
  signIn,
  startTestServer,
  type TestServer,
} from '../test-support/harness.js';

let server: TestServer;
afterEach(() => server.stop());

/** The code of a refused handshake. */
async function refusal(token: string, deviceId: string): Promise<string | undefined> {
  try {
    const device = await connect(server, token, deviceId);
    device.close();
    return undefined;
  } catch (err) {
    return (err as { data?: { code?: string } }).data?.code;
  }
}

const offer = (sdp: string): Signal => ({ kind: 'description', description: { type: 'offer', sdp } });

/** Alice calls bob, bob answers on his first device: the call is bound to that device id. */
async function activeCall(alice: Person, bob: Person): Promise<string> {
  const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'video' });
  await bob.device.next('call.incoming', (p) => p.callId === callId);
  await bob.device.ok('call.accept', { callId });
  await alice.device.next('call.accepted', (p) => p.callId === callId);
  return callId;
}

it("another session of the same user cannot take over the call's bound device, and hears none of its relay", async () => {
  server = await startTestServer();
  const [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
  await befriend(alice, bob);
  const callId = await activeCall(alice, bob);

  // A second session of bob's (signed in elsewhere) reads the bound device id from the history.
  const other = await signIn(server, 'bob');
  const elsewhere = await connect(server, other.token);
  const [entry] = (await elsewhere.ok('history.list', {})).entries;
  expect(entry).toMatchObject({ callId, answeredDevice: bob.device.deviceId });

  expect(await refusal(other.token, bob.device.deviceId)).toBe('E_DEVICE_TAKEN');

  // The call goes on with the device that answered, and only it hears the relay.
  const sdp = offer('v=0 for the bound device only');
  await alice.device.ok('call.signal', { callId, signal: sdp });
  expect(await bob.device.next('call.signal')).toEqual({ callId, signal: sdp });
  await bob.device.ok('call.signal', { callId, signal: offer('v=0 answer') });
  await alice.device.next('call.signal');
  expect(bob.device.all('session.replaced')).toEqual([]);
  expect(elsewhere.all('call.signal')).toEqual([]);
  // The same session reconnecting with its own id still works (a reload).
  const reload = await connect(server, bob.token, bob.device.deviceId);
  expect(reload.ready.calls).toEqual([expect.objectContaining({ callId, boundHere: true })]);
});

it('signing out frees the device ids of that session', async () => {
  server = await startTestServer();
  const alice = await person(server, 'alice');
  const laptop = alice.device.deviceId;
  const other = await signIn(server, 'alice');
  expect(await refusal(other.token, laptop)).toBe('E_DEVICE_TAKEN');

  const logout = await postJson(server, httpRoutes.logout, undefined, {
    authorization: `Bearer ${alice.token}`,
  });
  expect(logout.status).toBe(204);
  const taken = await connect(server, other.token, laptop);
  expect(taken.ready.user.username).toBe('alice');
  // Now the new session owns it: a third one cannot have it either.
  const third = await signIn(server, 'alice');
  expect(await refusal(third.token, laptop)).toBe('E_DEVICE_TAKEN');
});

it('device ids of different users never collide', async () => {
  server = await startTestServer();
  const alice = await person(server, 'alice');
  const bob = await person(server, 'bob');
  const shared = await connect(server, bob.token, alice.device.deviceId);
  expect(shared.ready.user.username).toBe('bob');
});
