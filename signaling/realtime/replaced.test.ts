/** One connection per device: a newer one replaces the older, which is told so and not reconnected. */
import { afterEach, expect, it } from 'vitest';
import { connect, register, startTestServer, type TestServer } from '../test-support/harness.js';

let server: TestServer;
afterEach(() => server.stop());

it('tells the replaced connection (session.replaced) and disconnects it; the newer one works', async () => {
  server = await startTestServer();
  const { token } = await register(server, 'alice');
  const first = await connect(server, token, 'same-device-id');
  const disconnected = new Promise<string>((resolve) => first.socket.once('disconnect', resolve));
  const second = await connect(server, token, 'same-device-id');

  expect(await first.next('session.replaced')).toEqual({});
  expect(await disconnected).toBe('io server disconnect');
  expect(await second.ok('history.list', {})).toMatchObject({ entries: [] });
  expect(second.all('session.replaced')).toEqual([]);
  second.close();
});
