/**
 * GET /metrics on the metrics listener: real servers, real socket.io-client devices, scraped over
 * HTTP, with the counters checked against what the devices did and saw; the endpoint off by default
 * and never on the public port; one registry per server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register as globalRegistry } from 'prom-client';
import { io as connectSocket } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './config.js';
import { createLogger } from './log.js';
import { httpRoutes } from './protocol/index.js';
import {
  befriend,
  connect,
  newDeviceId,
  PASSWORD,
  person,
  postJson,
  register,
  startTestServer,
  type Person,
  type TestServer,
  WAIT_MS,
} from './test-support/harness.js';
import { LogCapture } from './test-support/log-capture.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const LOOPBACK_ANY_PORT = { host: '127.0.0.1', port: 0 };

async function serverWithMetrics(overrides: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer({ metricsListen: LOOPBACK_ANY_PORT, ...overrides });
  servers.push(server);
  return server;
}

/** One scrape: the value of a series, by name and labels (undefined if the scrape does not have it). */
type Scrape = (name: string, labels?: Record<string, string>) => number | undefined;

async function scrape(server: TestServer): Promise<Scrape> {
  const res = await fetch(server.metricsUrl!);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const series = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return (name, labels = {}) => {
    const shown = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    return series.get(shown.length ? `${name}{${shown.join(',')}}` : name);
  };
}

async function couple(server: TestServer): Promise<[Person, Person]> {
  const [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
  await befriend(alice, bob);
  return [alice, bob];
}

/** connect_error's code for a Socket.IO handshake with these options. */
function refusedHandshake(
  server: TestServer,
  auth: object,
  extraHeaders: Record<string, string> = {},
): Promise<string | undefined> {
  const socket = connectSocket(server.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth,
    extraHeaders,
  });
  return new Promise<string | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('neither connect nor connect_error')), WAIT_MS);
    socket.once('connect', () => reject(new Error('the handshake was accepted')));
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => {
      clearTimeout(timer);
      resolve(err.data?.code);
    });
  }).finally(() => socket.disconnect());
}

describe('GET /metrics', () => {
  it('counts what devices did: a call missed, a call answered with a relay, presence deliveries, live calls, database time', async () => {
    const server = await serverWithMetrics();
    const [alice, bob] = await couple(server);
    // Alice's second device: a push to alice reaches two connections.
    const alicesPhone = await connect(server, alice.token);

    let m = await scrape(server);
    expect(m('parley_connected_devices')).toBe(3);
    expect(m('parley_call_invites_total')).toBe(0);

    // Rung and missed.
    const missed = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === missed.callId);
    m = await scrape(server);
    expect(m('parley_call_invites_total')).toBe(1);
    expect(m('parley_live_calls', { state: 'ringing' })).toBe(1);
    expect(m('parley_live_calls', { state: 'active' })).toBe(0);
    expect(await alice.device.next('call.ended', (p) => p.callId === missed.callId)).toMatchObject({
      reason: 'missed',
    });
    m = await scrape(server);
    expect(m('parley_calls_ended_total', { reason: 'missed' })).toBe(1);
    expect(m('parley_live_calls', { state: 'ringing' })).toBe(0);

    // Answered, one offer relayed, hung up.
    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === callId);
    await bob.device.ok('call.accept', { callId });
    await alice.device.next('call.accepted', (p) => p.callId === callId);
    const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0 offer' } } as const;
    await alice.device.ok('call.signal', { callId, signal: offer });
    await bob.device.next('call.signal', (p) => p.callId === callId);
    m = await scrape(server);
    expect(m('parley_calls_answered_total')).toBe(1);
    expect(m('parley_relay_messages_total')).toBe(1);
    expect(m('parley_pushes_total', { event: 'call.signal' })).toBe(1);
    expect(m('parley_live_calls', { state: 'active' })).toBe(1);
    await alice.device.ok('call.hangup', { callId });
    await bob.device.next('call.ended', (p) => p.callId === callId);
    // Each saw the other busy, then online again: that last announcement is the last presence push.
    await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'online');
    await bob.device.next('presence.changed', (p) => p.username === 'alice' && p.presence === 'online');

    await alicesPhone.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'online');
    const received = [alice.device, alicesPhone, bob.device]
      .map((device) => device.all('presence.changed').length)
      .reduce((a, b) => a + b);
    expect(received).toBeGreaterThanOrEqual(6);
    m = await scrape(server);
    expect(m('parley_pushes_total', { event: 'presence.changed' })).toBe(received);
    expect(m('parley_calls_ended_total', { reason: 'completed' })).toBe(1);
    expect(m('parley_call_invites_total')).toBe(2);
    expect(m('parley_live_calls', { state: 'active' })).toBe(0);

    // Every handshake looked its session up; befriending was a transaction; the answered call was
    // written to the live calls and removed when it ended (the missed one, ringing only, never was).
    const statements = (statement: string) => m('parley_db_statement_duration_seconds_count', { statement });
    expect(statements('select sessions')).toBeGreaterThanOrEqual(2);
    expect(statements('transaction')).toBeGreaterThanOrEqual(1);
    expect(m('parley_db_statement_duration_seconds_sum', { statement: 'transaction' })).toBeGreaterThan(0);
    expect([statements('insert live_calls'), statements('delete live_calls')]).toEqual([1, 1]);
    // Node's own, among them the event-loop lag.
    expect(m('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(m('process_resident_memory_bytes')).toBeGreaterThan(0);

    bob.device.close();
    await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'offline');
    expect((await scrape(server))('parley_connected_devices')).toBe(2);
  });

  it("reports the SQLite WAL's length from the checkpointer", async () => {
    const server = await serverWithMetrics();
    expect((await scrape(server))('parley_sqlite_wal_pages')).toBe(0);
    await couple(server); // accounts, sessions and a contact pair: pages in the WAL
    // The checkpointer reports once a second (CHECKPOINT_EVERY_MS); a few of its turns at most.
    await vi.waitFor(
      async () => expect((await scrape(server))('parley_sqlite_wal_pages')).toBeGreaterThan(0),
      { timeout: 5 * WAIT_MS, interval: 100 },
    );
    // No catch-up at this pace: the histogram is there, empty.
    expect((await scrape(server))('parley_sqlite_wal_catch_up_hold_seconds_count')).toBe(0);
  });

  it('counts rate-limit refusals by limiter: a request, bad messages, sign-in and registration', async () => {
    const server = await serverWithMetrics({
      invitesPerMinute: 1,
      registrationsPerHour: 3,
      loginFailuresPerAccountAddress: 1,
    });
    const [alice] = await couple(server);

    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
    await alice.device.ok('call.cancel', { callId });
    expect(await alice.device.fails('call.invite', { callee: 'bob', media: 'audio' })).toBe('E_RATE_LIMITED');

    // 20 bad messages are tolerated per 10 s; the 21st closes the connection.
    const spammer = await connect(server, (await register(server, 'carol')).token);
    const closed = new Promise((resolve) => spammer.socket.once('disconnect', resolve));
    const emit = spammer.socket.emit.bind(spammer.socket) as (event: string) => void;
    for (let i = 0; i < 21; i++) emit('no.such.event');
    await closed;

    const wrong = { username: 'alice', password: 'not the password' };
    expect((await postJson(server, httpRoutes.login, wrong)).status).toBe(401);
    expect((await postJson(server, httpRoutes.login, wrong)).status).toBe(429);
    const dave = { username: 'dave', displayName: 'Dave', password: PASSWORD };
    expect((await postJson(server, httpRoutes.register, dave)).status).toBe(429);

    const m = await scrape(server);
    expect(m('parley_rate_limited_total', { limiter: 'call.invite' })).toBe(1);
    expect(m('parley_rate_limited_total', { limiter: 'bad-messages' })).toBe(1);
    expect(m('parley_rate_limited_total', { limiter: 'login' })).toBe(1);
    expect(m('parley_rate_limited_total', { limiter: 'register' })).toBe(1);
    expect(m('parley_rate_limited_total', { limiter: 'call.cancel' })).toBe(0);
  });

  it('counts failed handshakes by the code the client got', async () => {
    const server = await serverWithMetrics({ maxDevicesPerUser: 1 });
    const { token } = await register(server, 'alice');
    await connect(server, token);

    expect(await refusedHandshake(server, { token: 'x'.repeat(43), deviceId: newDeviceId() })).toBe(
      'E_UNAUTHORIZED',
    );
    expect(await refusedHandshake(server, { token, deviceId: newDeviceId() })).toBe('E_TOO_MANY_DEVICES');
    const origin = { origin: 'https://evil.example' };
    expect(await refusedHandshake(server, { token, deviceId: newDeviceId() }, origin)).toBeUndefined();
    const rebound = { host: `evil.example:${server.port}` };
    expect(await refusedHandshake(server, { token, deviceId: newDeviceId() }, rebound)).toBeUndefined();

    const m = await scrape(server);
    expect(m('parley_handshake_failures_total', { reason: 'E_UNAUTHORIZED' })).toBe(1);
    expect(m('parley_handshake_failures_total', { reason: 'E_TOO_MANY_DEVICES' })).toBe(1);
    expect(m('parley_handshake_failures_total', { reason: 'origin-not-allowed' })).toBe(1);
    expect(m('parley_handshake_failures_total', { reason: 'host-not-allowed' })).toBe(1);
    expect(m('parley_handshake_failures_total', { reason: 'E_DEVICE_TAKEN' })).toBe(0);
    expect(m('parley_connected_devices')).toBe(1);
  });
});

describe('the metrics listener', () => {
  it('is off by default, and the public port never serves metrics', async () => {
    const plain = await startTestServer();
    servers.push(plain);
    expect(plain.config.metricsListen).toBeUndefined();
    expect(plain.metricsUrl).toBeUndefined();
    const withMetrics = await serverWithMetrics();

    for (const server of [plain, withMetrics]) {
      const res = await fetch(`${server.url}/metrics`);
      expect(res.headers.get('content-type')).not.toMatch(/version=0\.0\.4/);
      expect(await res.text()).not.toMatch(/parley_|nodejs_/);
    }
    expect(new URL(withMetrics.metricsUrl!).port).not.toBe(String(withMetrics.port));
  });

  it('answers only GET /metrics, and only to the hosts the server answers to', async () => {
    const server = await serverWithMetrics();
    const root = new URL('/', server.metricsUrl).href;
    expect((await fetch(root)).status).toBe(404);
    expect((await fetch(`${server.metricsUrl}/x`)).status).toBe(404);
    expect((await fetch(server.metricsUrl!, { method: 'POST' })).status).toBe(405);
    // DNS rebinding: a page on evil.example pointed at this address sends its own name as the Host.
    const { port } = new URL(server.metricsUrl!);
    const rebound = await new Promise<number>((resolve, reject) => {
      const headers = { host: `evil.example:${port}` };
      get({ host: '127.0.0.1', port, path: '/metrics', headers }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject);
    });
    expect(rebound).toBe(421);
  });

  it('gives each server its own registry: nothing in the global one, no count shared', async () => {
    const busy = await serverWithMetrics();
    const quiet = await serverWithMetrics();
    const [alice] = await couple(busy);
    await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });

    expect((await scrape(busy))('parley_call_invites_total')).toBe(1);
    const m = await scrape(quiet);
    expect(m('parley_call_invites_total')).toBe(0);
    expect(m('parley_connected_devices')).toBe(0);
    expect(globalRegistry.getMetricsAsArray()).toEqual([]);
  });

  it('stops with the server', async () => {
    const server = await serverWithMetrics();
    await scrape(server);
    servers.splice(servers.indexOf(server), 1);
    await server.stop();
    await expect(fetch(server.metricsUrl!)).rejects.toThrow();
  });

  it('refuses to start on an address in use, naming the setting, and leaves nothing listening', async () => {
    const first = await serverWithMetrics();
    const taken = { host: '127.0.0.1', port: Number(new URL(first.metricsUrl!).port) };
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-test-'));
    const logs = new LogCapture();
    try {
      const failed = startTestServer({ metricsListen: taken, dataDir }, { log: createLogger('info', logs) });
      await expect(failed).rejects.toThrow(ConfigError);
      await expect(failed).rejects.toThrow(
        `--metrics-listen / PARLEY_METRICS_LISTEN: cannot listen on 127.0.0.1:${taken.port}: EADDRINUSE`,
      );
      // Its public port had opened first: it is closed again, and the server stopped as on SIGTERM.
      const [listening] = logs.withMessage('signaling server listening');
      await expect(fetch(`${listening!.url as string}${httpRoutes.health}`)).rejects.toThrow();
      expect(logs.withMessage('stopped')).toHaveLength(1);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect((await scrape(first))('parley_connected_devices')).toBe(0);
  });
});
