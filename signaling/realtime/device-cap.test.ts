/**
 * At most `maxDevicesPerUser` connected devices per user: one more is refused
 * at the handshake (E_TOO_MANY_DEVICES) and never rings; a reconnect of a
 * connected device does not count twice; parallel handshakes cannot
 * overshoot.
 */
import { afterEach, expect, it } from 'vitest';
import type { ServerConfig } from '../config.js';
import {
  befriend,
  connect,
  newDeviceId,
  person,
  type Person,
  startTestServer,
  TestDevice,
  type TestServer,
} from '../test-support/harness.js';
import { userRoom } from './rooms.js';

let server: TestServer;
afterEach(() => server.stop());

/** Connects, or resolves with the refusal (`err.message`, `err.data.code`) of the handshake. */
async function attempt(p: Person, deviceId = newDeviceId()): Promise<TestDevice | { refused: string }> {
  try {
    return await connect(server, p.token, deviceId);
  } catch (err) {
    const { message, data } = err as Error & { data?: { code?: string } };
    return { refused: `${data?.code ?? 'no code'}: ${message}` };
  }
}

async function setup(overrides: Partial<ServerConfig> = {}) {
  server = await startTestServer(overrides);
  const [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
  await befriend(alice, bob);
  return { alice, bob };
}

/** The connections the server has in alice's room: the ones an invite rings. */
const roomSize = async (username: string): Promise<number> => {
  const sockets = await server.io.fetchSockets();
  const id = sockets.find((s) => s.data.username === username)!.data.userId;
  return (await server.io.in(userRoom(id)).fetchSockets()).length;
};

it('refuses a device over the cap with E_TOO_MANY_DEVICES; a reconnect of a connected device is not one more', async () => {
  const { alice, bob } = await setup({ maxDevicesPerUser: 3 });
  const second = await connect(server, alice.token);
  const third = await connect(server, alice.token);
  const refusal = { refused: 'E_TOO_MANY_DEVICES: at most 3 devices of a user may be connected at once' };
  expect(await attempt(alice)).toEqual(refusal);

  // The same device id again takes its own slot over.
  const again = await connect(server, alice.token, alice.device.deviceId);
  expect(await alice.device.next('session.replaced')).toEqual({});
  expect(await attempt(alice)).toEqual(refusal);
  expect(await roomSize('alice')).toBe(3);

  // A slot comes free when a device leaves (alice turns away once her only active device is gone).
  await second.ok('presence.update', { away: true });
  await third.ok('presence.update', { away: true });
  again.close();
  await bob.device.next('presence.changed', (p) => p.username === 'alice' && p.presence === 'away');
  expect(await attempt(alice)).toBeInstanceOf(TestDevice);
  expect(await attempt(alice)).toEqual(refusal);
});

it('1,000 handshakes of one user, 100 at a time: exactly the cap get in, and an invite rings only them', async () => {
  const { alice, bob } = await setup(); // default cap: 10
  const admitted: TestDevice[] = [alice.device];
  const refused: string[] = [];
  for (let batch = 0; batch < 10; batch++) {
    const results = await Promise.all(Array.from({ length: 100 }, () => attempt(alice)));
    for (const r of results) {
      if (r instanceof TestDevice) admitted.push(r);
      else refused.push(r.refused);
    }
    // The first batch of 100 raced for the 9 free slots: exactly 9 won.
    if (batch === 0) expect(admitted).toHaveLength(10);
  }
  expect(admitted).toHaveLength(10);
  expect(refused).toHaveLength(1000 - 9);
  expect(new Set(refused.map((r) => r.split(':')[0]))).toEqual(new Set(['E_TOO_MANY_DEVICES']));
  expect(await roomSize('alice')).toBe(10);

  const { callId } = await bob.device.ok('call.invite', { callee: 'alice', media: 'audio' });
  await Promise.all(admitted.map((d) => d.next('call.incoming', (p) => p.callId === callId)));
  await bob.device.ok('call.cancel', { callId });
  await Promise.all(admitted.map((d) => d.next('call.ended', (p) => p.callId === callId)));
  // Only the admitted connections were in alice's room to be rung.
  expect(await roomSize('alice')).toBe(10);
  // 1,000 handshakes (each a session lookup and a Socket.IO connection): 2.9 s alone on 2 cores, and more
  // than the default 20 s twice with the whole suite and other work beside it (load 14 to 31).
}, 120_000);
