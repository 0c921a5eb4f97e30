/**
 * Shutdown is bounded: a client that stops reading its socket (so the
 * server's writes pile up and the websocket close handshake never completes)
 * is cut off at the shutdown's deadline, and well-behaved clients still get
 * their last messages. While it waits, new requests and handshakes get the
 * answers the protocol documents for a stopping server.
 */
import { connect as tcpConnect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { httpRoutes, MAX_SDP_LENGTH, type Signal } from './protocol/index.js';
import {
  befriend,
  connect,
  newDeviceId,
  PASSWORD,
  person,
  postJson,
  startTestServer,
  type TestDevice,
  type TestServer,
  WAIT_MS,
} from './test-support/harness.js';
import { RawClient } from './test-support/raw-client.js';

let server: TestServer;
afterEach(() => server.stop());

/** The deadline of `close()` for the clients (SHUTDOWN_DEADLINE_MS in server.ts). */
const DEADLINE_MS = 1_000;
/**
 * What `close()` takes besides the deadline: 40-120 ms measured with five
 * well-behaved clients in a call on this 2-core machine under a load average
 * of 8-12; the margin is about eight times the worst of it.
 */
const CLOSE_MARGIN_MS = 1_000;

/** Relays sent at once while filling the stalled client's buffers. */
const RELAY_BATCH = 20;

/** Resolves with the events a device received up to its disconnect. */
const eventsUntilDisconnect = (device: TestDevice): Promise<string[]> =>
  new Promise((resolve) => device.socket.once('disconnect', () => resolve(device.eventNames())));

/** Polls a condition of the server's own state (there is no event for "the kernel buffers are full"). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${WAIT_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('a client that stops reading does not hold shutdown past the deadline; the others get their last messages', async () => {
  server = await startTestServer();
  const [alice, bob, carol] = await Promise.all([
    person(server, 'alice'),
    person(server, 'bob'),
    person(server, 'carol'),
  ]);
  await befriend(alice, bob);

  // Alice calls bob from a hand-made client; bob answers: the call is bound to that client.
  const deviceId = newDeviceId();
  const stalled = await RawClient.connect(server.url, { token: alice.token, deviceId });
  const { callId } = (await stalled.request('call.invite', { callee: 'bob', media: 'video' })) as {
    callId: string;
  };
  await bob.device.next('call.incoming', (p) => p.callId === callId);
  await bob.device.ok('call.accept', { callId });
  await stalled.next((m) => m.includes('"call.accepted"'));

  // It stops reading; bob relays to it as much as he may, until the kernel takes no more of it.
  stalled.stopReading();
  const offer: Signal = {
    kind: 'description',
    description: { type: 'offer', sdp: 'v=0\r\n'.padEnd(MAX_SDP_LENGTH, 'a') },
  };
  // In batches: each answer then waits for its batch's relays, not for all of them (200 relays of 48 kB
  // took 330-390 ms here when quiet, and an answer waits at most WAIT_MS).
  for (let sent = 0; sent < server.config.relayPer10s; sent += RELAY_BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(RELAY_BATCH, server.config.relayPer10s - sent) }, () =>
        bob.device.ok('call.signal', { callId, signal: offer }),
      ),
    );
  }
  const tcp = [...server.io.sockets.sockets.values()].find((s) => s.data.deviceId === deviceId)!.request
    .socket;
  await until(() => tcp.writableLength > 0, 'writes to the stalled client queue up in the server');

  const saw = [alice.device, bob.device, carol.device].map(eventsUntilDisconnect);
  const started = Date.now();
  await server.close();
  expect(Date.now() - started).toBeLessThan(DEADLINE_MS + CLOSE_MARGIN_MS);
  expect(tcp.destroyed).toBe(true);

  for (const events of await Promise.all(saw)) expect(events).toContain('server.shutdown');
  // The answered call stays for the next start (its media is peer-to-peer): nobody is told it ended.
  expect(bob.device.all('call.ended')).toEqual([]);
  stalled.destroy();
});

it('while it shuts down, the server answers new requests and handshakes as docs/protocol.md says; then its port is closed', async () => {
  server = await startTestServer();
  const alice = await person(server, 'alice');
  // A client that stops reading holds the shutdown open for the deadline: the window in which a new
  // request reaches a server that is stopping.
  const stalled = await RawClient.connect(server.url, { token: alice.token, deviceId: newDeviceId() });
  stalled.stopReading();
  let closed = false;
  const closing = server.close().then(() => (closed = true));

  const health = await fetch(`${server.url}/healthz`);
  expect(health.status).toBe(503);
  expect(await health.json()).toEqual({ status: 'shutting-down' });
  const login = await postJson(server, httpRoutes.login, { username: 'alice', password: PASSWORD });
  expect(login).toMatchObject({
    status: 503,
    body: { error: { code: 'E_SHUTTING_DOWN', message: 'server is shutting down' } },
  });
  expect((await fetch(`${server.url}/api/nothing`)).status).toBe(404);
  const handshake = await connect(server, alice.token).then(
    () => 'connected',
    (err: Error & { data?: { code?: string } }) => `${err.data?.code}: ${err.message}`,
  );
  expect(handshake).toBe('E_SHUTTING_DOWN: server is shutting down');
  // All of that inside the window, not after it.
  expect(closed).toBe(false);

  await closing;
  // After that the port is closed: what most clients of a restarting server see.
  const refused = await new Promise((resolve) =>
    tcpConnect(server.port, '127.0.0.1', () => resolve('accepted')).once('error', (err) =>
      resolve((err as NodeJS.ErrnoException).code),
    ),
  );
  expect(refused).toBe('ECONNREFUSED');
  stalled.destroy();
});

it('the deadline counts from the start of shutdown: slow work before it does not add to it', async () => {
  /** What ending the ringing calls is made to take (with many clients, telling them all took seconds). */
  const SLOW_MS = 700;
  let closing = false;
  server = await startTestServer(
    {},
    {
      replaceParts: ({ registry }) => ({
        registry: Object.assign(Object.create(registry) as typeof registry, {
          all: async () => {
            if (closing) await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
            return registry.all();
          },
        }),
      }),
    },
  );
  const alice = await person(server, 'alice');
  // A client that never answers the close: without a deadline the wait would run its full length.
  const stalled = await RawClient.connect(server.url, { token: alice.token, deviceId: newDeviceId() });
  stalled.stopReading();

  closing = true;
  const started = Date.now();
  await server.close();
  expect(Date.now() - started).toBeLessThan(DEADLINE_MS + CLOSE_MARGIN_MS);
  stalled.destroy();
});
