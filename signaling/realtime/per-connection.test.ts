/**
 * What the server keeps per connected device (memory per idle client, issue 12): the rooms it is in, and
 * no listeners of its own: every connection shares the server's request and disconnect listeners.
 */
import { afterEach, expect, it } from 'vitest';
import { connect, register, startTestServer, type TestServer } from '../test-support/harness.js';

let server: TestServer;
afterEach(() => server.stop());

it("puts a connection in its own, its user's and its device's rooms only, with listeners shared by all", async () => {
  server = await startTestServer();
  const alice = await register(server, 'alice');
  const bob = await register(server, 'bob');
  const devices = [
    await connect(server, alice.token, 'alice-device-1'),
    await connect(server, bob.token, 'bob-device-1'),
  ];
  const sockets = [...server.io.sockets.sockets.values()];
  expect(sockets).toHaveLength(2);

  const roomsOf = (id: string) =>
    [...server.io.sockets.adapter.rooms].filter(([, ids]) => ids.has(id)).map(([room]) => room);
  for (const socket of sockets) {
    const { userId, deviceId } = socket.data;
    expect(roomsOf(socket.id).sort()).toEqual(
      [socket.id, `device:${userId}:${deviceId}`, `user:${userId}`].sort(),
    );
  }
  const [a, b] = sockets as [(typeof sockets)[0], (typeof sockets)[0]];
  expect(a.listenersAny()).toHaveLength(1);
  expect(a.listenersAny()).toEqual(b.listenersAny());
  expect(a.listeners('disconnect')).toHaveLength(1);
  expect(a.listeners('disconnect')).toEqual(b.listeners('disconnect'));
  // And the shared listeners still tell the connections apart.
  expect(await devices[0]!.ok('history.list', {})).toMatchObject({ entries: [] });
  for (const device of devices) device.close();
});
