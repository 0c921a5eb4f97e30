// SignalingClient against a bare Socket.IO server this test controls (not the Parley server), so the
// server can say things the real one never would: malformed pushes, malformed or missing acks, refused
// handshakes, kicks. Runs in Node: socket.io-client works there and the client has no DOM dependency.
// eslint-disable-next-line no-restricted-imports -- this test runs in Node; the stand-in server needs node:http
import { createServer, type Server as HttpServer } from 'node:http';
import { Server, type Socket as ServerSocket } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus } from './signaling-client.js';
import type { ReconnectContext, ReconnectPolicy } from './reconnect-policy.js';
import { SignalingClient } from './signaling-client.js';

// Every Socket.IO client socket the SignalingClient makes, to look at its reconnection state.
const made = vi.hoisted(() => ({ sockets: [] as unknown[] }));
vi.mock('socket.io-client', async (importOriginal) => {
  const original = await importOriginal<typeof import('socket.io-client')>();
  const io = ((...args: Parameters<typeof original.io>) => {
    const socket = original.io(...args);
    made.sockets.push(socket);
    return socket;
  }) as typeof original.io;
  return { ...original, io, default: io };
});
const lastSocket = () => made.sockets.at(-1) as ClientSocket;

const TOKEN = 'a-session-token';
const DEVICE = 'device-0001';
const RENEWED_DEVICE = 'device-0002';
const REQUEST_TIMEOUT_MS = 10_000; // SignalingClient's constant (not exported, not injectable)

interface StandIn {
  io: Server;
  http: HttpServer;
  url: string;
  /** Handshakes the middleware saw (accepted or not). */
  handshakes: number;
  /** The server side of the latest connection. */
  socket: () => ServerSocket;
  /** Resolves with the next connection's server socket. */
  nextConnection: () => Promise<ServerSocket>;
}

let server: StandIn | undefined;
let client: SignalingClient | undefined;
let escaped: unknown[] = [];
const trap = (err: unknown) => void escaped.push(err);

/** Starts a stand-in server on 127.0.0.1; `refuse` decides a handshake's fate (undefined = accept). */
async function startServer(
  refuse: (attempt: number) => Error | undefined = () => undefined,
  port = 0,
): Promise<StandIn> {
  const http = createServer();
  const io = new Server(http);
  const waiting: ((s: ServerSocket) => void)[] = [];
  let latest: ServerSocket | undefined;
  const standIn: StandIn = {
    io,
    http,
    url: '',
    handshakes: 0,
    socket: () => latest ?? expect.unreachable('no connection yet'),
    nextConnection: () => new Promise((resolve) => waiting.push(resolve)),
  };
  io.use((_socket, next) => next(refuse(++standIn.handshakes)));
  io.on('connection', (socket) => {
    latest = socket;
    for (const resolve of waiting.splice(0)) resolve(socket);
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const address = http.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  standIn.url = `http://127.0.0.1:${address.port}`;
  return (server = standIn);
}

/** Connects a SignalingClient and records its statuses; resolves once it is connected (or refused). */
function connectClient(
  url: string,
  policy?: ReconnectPolicy,
): { client: SignalingClient; statuses: ConnectionStatus[] } {
  const c = (client = new SignalingClient(policy));
  const statuses: ConnectionStatus[] = [];
  c.on('status', ({ status }) => statuses.push(status));
  c.connect(url, TOKEN, DEVICE, () => RENEWED_DEVICE);
  return { client: c, statuses };
}

/** Resolves with the next status event that matches. */
function statusOf(c: SignalingClient, status: ConnectionStatus) {
  return new Promise<{ status: ConnectionStatus; error?: { code: string; message: string } }>((resolve) => {
    const off = c.on('status', (s) => {
      if (s.status !== status) return;
      off();
      resolve(s);
    });
  });
}

/** A connected client and the server side of its connection. */
async function connected(policy?: ReconnectPolicy): Promise<{
  client: SignalingClient;
  remote: ServerSocket;
  statuses: ConnectionStatus[];
}> {
  const s = server ?? (await startServer());
  const remote = s.nextConnection();
  const { client: c, statuses } = connectClient(s.url, policy);
  const up = statusOf(c, 'connected');
  await Promise.all([remote, up]);
  return { client: c, remote: await remote, statuses };
}

beforeEach(() => {
  escaped = [];
  made.sockets = [];
  process.on('uncaughtException', trap);
  process.on('unhandledRejection', trap);
});

afterEach(async () => {
  vi.useRealTimers();
  client?.disconnect();
  client = undefined;
  for (const s of made.sockets as ClientSocket[]) s.disconnect(); // in case one lingers after a failed test
  if (server) {
    const s = server;
    server = undefined;
    await new Promise<void>((resolve) => s.io.close(() => resolve()));
  }
  process.off('uncaughtException', trap);
  process.off('unhandledRejection', trap);
  expect(escaped, 'errors that escaped to the process').toEqual([]);
});

describe('server pushes', () => {
  it('hands a well-formed presence.changed to on() handlers, parsed', async () => {
    const { client: c, remote } = await connected();
    const received = new Promise((resolve) => c.on('presence.changed', resolve));
    remote.emit('presence.changed', { username: 'alice', presence: 'away', extra: 'dropped by the schema' });
    expect(await received).toEqual({ username: 'alice', presence: 'away' });
  });

  it.each([
    ['wrong types', 'presence.changed', [{ username: 42, presence: 'online' }]],
    ['a presence that does not exist', 'presence.changed', [{ username: 'alice', presence: 'sideways' }]],
    ['a missing field', 'presence.changed', [{ username: 'alice' }]],
    ['no payload at all', 'presence.changed', []],
    ['a string for a payload', 'presence.changed', ['online']],
    ['an unknown event name', 'presence.exploded', [{ username: 'alice', presence: 'online' }]],
  ])('reports %s as malformed-message and never calls the handler', async (_what, event, args) => {
    const { client: c, remote } = await connected();
    const handled: unknown[] = [];
    const malformed: { event: string; problem: string }[] = [];
    c.on('malformed-message', (m) => malformed.push(m));
    // The well-formed push after the bad one is the barrier: Socket.IO keeps the order of one connection.
    const barrier = new Promise<void>((resolve) =>
      c.on('presence.changed', (p) => {
        handled.push(p);
        if (p.username === 'barrier') resolve();
      }),
    );
    remote.emit(event, ...args);
    remote.emit('presence.changed', { username: 'barrier', presence: 'online' });
    await barrier;

    expect(handled).toEqual([{ username: 'barrier', presence: 'online' }]);
    expect(malformed).toEqual([{ event, problem: expect.any(String) }]);
    expect(malformed[0]!.problem.length).toBeGreaterThan(0);
    expect(lastSocket().connected).toBe(true);
  });

  it('keeps delivering to other handlers when one handler throws', async () => {
    const { client: c, remote } = await connected();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    c.on('presence.changed', () => {
      throw new Error('a buggy handler');
    });
    const received = new Promise((resolve) => c.on('presence.changed', resolve));
    remote.emit('presence.changed', { username: 'alice', presence: 'online' });
    expect(await received).toEqual({ username: 'alice', presence: 'online' });
    expect(errors).toHaveBeenCalledOnce();
    errors.mockRestore();
  });
});

describe('requests', () => {
  it('resolves with the parsed result of a well-formed ack', async () => {
    const { client: c, remote } = await connected();
    remote.on('presence.update', (_p: unknown, ack: (r: unknown) => void) =>
      ack({ ok: true, presence: 'away', dnd: false }),
    );
    expect(await c.request('presence.update', { away: true })).toEqual({
      ok: true,
      presence: 'away',
      dnd: false,
    });
  });

  it('refuses an invalid payload with E_INVALID without sending it', async () => {
    const { client: c, remote } = await connected();
    const seen: string[] = [];
    remote.onAny((event: string, ...args: unknown[]) => {
      seen.push(event);
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ ok: true, presence: 'online', dnd: false });
    });

    // Not one of away/dnd; then an unknown key (the payload is strict).
    const bad = await c.request('presence.update', {});
    const unknownKey = await c.request('presence.update', { away: true, sneaky: 1 } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });
    expect(unknownKey).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });

    // A good request afterwards is the barrier: had the bad ones been sent, the server saw them first.
    expect(await c.request('presence.update', { dnd: true })).toMatchObject({ ok: true });
    expect(seen).toEqual(['presence.update']);
  });

  it('resolves E_NETWORK when not connected (before connect, and after disconnect)', async () => {
    const c = (client = new SignalingClient());
    expect(await c.request('presence.update', { away: true })).toEqual({
      ok: false,
      error: { code: 'E_NETWORK', message: 'not connected' },
    });

    const { client: up } = await connected();
    up.disconnect();
    expect(lastSocket().connected).toBe(false);
    expect(await up.request('presence.update', { away: true })).toMatchObject({
      ok: false,
      error: { code: 'E_NETWORK' },
    });
  });

  it('resolves E_NETWORK when the server never acks (after the 10 s request timeout)', async () => {
    // REQUEST_TIMEOUT_MS is a module constant: fake timers stand in for 10 real seconds. Only the timer
    // functions are faked, and before the client exists, since Socket.IO binds setTimeout when it is made.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { client: c, remote } = await connected();
    const asked = new Promise<unknown>((resolve) => remote.on('presence.update', (p: unknown) => resolve(p)));

    let outcome: unknown;
    const pending = c.request('presence.update', { away: true }).then((o) => (outcome = o));
    expect(await asked).toEqual({ away: true }); // it was sent; the server just says nothing
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'E_NETWORK', message: 'no answer to presence.update' },
    });
  });

  it('resolves E_NETWORK after a shorter timeout when asked for one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { client: c, remote } = await connected();
    const asked = new Promise<unknown>((resolve) => remote.on('ice.servers', (p: unknown) => resolve(p)));
    let outcome: unknown;
    const pending = c.request('ice.servers', {}, { timeoutMs: 1_000 }).then((o) => (outcome = o));
    await asked;
    await vi.advanceTimersByTimeAsync(999);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(outcome).toEqual({ ok: false, error: { code: 'E_NETWORK', message: 'no answer to ice.servers' } });
  });

  it.each([
    ['a result that breaks the schema', [{ ok: true, presence: 'sideways', dnd: false }]],
    ['an error with an unknown code', [{ ok: false, error: { code: 'E_WHATEVER', message: 'x' } }]],
    ['no result at all', []],
  ])('turns %s into E_NETWORK plus malformed-message', async (_what, ackArgs) => {
    const { client: c, remote } = await connected();
    remote.on('presence.update', (_p: unknown, ack: (...r: unknown[]) => void) => ack(...ackArgs));
    const malformed: { event: string }[] = [];
    c.on('malformed-message', (m) => malformed.push(m));

    expect(await c.request('presence.update', { away: true })).toEqual({
      ok: false,
      error: { code: 'E_NETWORK', message: 'malformed answer to presence.update' },
    });
    expect(malformed).toEqual([{ event: 'presence.update', problem: expect.any(String) }]);
  });
});

describe('connection status', () => {
  it('reports a refused handshake (E_UNAUTHORIZED) as disconnected with the error, and stops', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // to run any retry timer at once
    const s = await startServer(() =>
      Object.assign(new Error('invalid or revoked session'), { data: { code: 'E_UNAUTHORIZED' } }),
    );
    const { client: c, statuses } = connectClient(s.url);
    const down = await statusOf(c, 'disconnected');

    expect(down.error).toEqual({ code: 'E_UNAUTHORIZED', message: 'invalid or revoked session' });
    expect(statuses).toEqual(['connecting', 'disconnected']);
    expect(s.handshakes).toBe(1);
    // No endless reconnect: the socket is inactive, and running every timer (a retry is always a timer)
    // starts no new attempt.
    const attempts: number[] = [];
    lastSocket().io.on('reconnect_attempt', (n) => attempts.push(n));
    expect(lastSocket().active).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toEqual([]);
    expect(lastSocket().active).toBe(false);
    expect(statuses).toEqual(['connecting', 'disconnected']);
  });

  it('keeps trying after a handshake refused for another reason, and connects', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // whatever the retry delay, run it now
    const s = await startServer((attempt) =>
      attempt === 1
        ? Object.assign(new Error('restarting'), { data: { code: 'E_SHUTTING_DOWN' } })
        : undefined,
    );
    const remote = s.nextConnection();
    const { client: c, statuses } = connectClient(s.url);
    await statusOf(c, 'reconnecting');
    const back = statusOf(c, 'connected');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(lastSocket().active, 'a retry is under way').toBe(true);
    await back;
    await remote;
    expect(statuses).toEqual(['connecting', 'reconnecting', 'connected']);
    expect(s.handshakes).toBe(2);
  });

  it('connects again with a new device id when the server says the id belongs to another sign-in', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // whatever the retry delay, run it now
    const s = await startServer((attempt) =>
      attempt === 1
        ? Object.assign(new Error('this deviceId belongs to another session'), {
            data: { code: 'E_DEVICE_TAKEN' },
          })
        : undefined,
    );
    const remote = s.nextConnection();
    const { client: c, statuses } = connectClient(s.url);
    await statusOf(c, 'reconnecting');
    const back = statusOf(c, 'connected');
    await vi.advanceTimersByTimeAsync(30_000);
    await back;
    expect((await remote).handshake.auth).toEqual({ token: TOKEN, deviceId: RENEWED_DEVICE });
    expect(statuses).toEqual(['connecting', 'reconnecting', 'connected']);
    expect(s.handshakes).toBe(2);
  });

  it('stops, saying why, when the server refuses a device over the account’s quota', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = await startServer(() =>
      Object.assign(new Error('too many devices'), { data: { code: 'E_TOO_MANY_DEVICES' } }),
    );
    const { client: c, statuses } = connectClient(s.url);
    const stopped = new Promise((resolve) =>
      c.on('status', (e) => {
        if (e.status === 'disconnected') resolve(e.error);
      }),
    );
    expect(await stopped).toMatchObject({ code: 'E_TOO_MANY_DEVICES' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(s.handshakes).toBe(1); // no retry: nothing changes until the person signs out elsewhere
    expect(statuses).toEqual(['connecting', 'disconnected']);
  });

  it('reconnects by itself after the server closes the connection', async () => {
    const { client: c, remote, statuses } = await connected();
    const again = server!.nextConnection();
    const reconnecting = statusOf(c, 'reconnecting');
    const back = statusOf(c, 'connected');
    remote.disconnect(true);

    await reconnecting;
    expect(lastSocket().connected).toBe(false);
    await back;
    const second = await again;
    expect(second.id).not.toBe(remote.id);
    expect(second.handshake.auth).toEqual({ token: TOKEN, deviceId: DEVICE });
    expect(statuses).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    expect(lastSocket().connected).toBe(true);
  });

  it('stops for good when told the same device connected elsewhere (session.replaced)', async () => {
    const { client: c, remote, statuses } = await connected();
    const stopped = new Promise<string | undefined>((resolve) =>
      c.on('status', ({ status, error }) => status === 'disconnected' && resolve(error?.code)),
    );
    // From here on every retry timer is ours to run: any reconnect would happen within the advance below.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    remote.emit('session.replaced', {});
    remote.disconnect();
    expect(await stopped).toBe('E_REPLACED');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected']);
    expect(server!.handshakes).toBe(1);
    expect(lastSocket().connected).toBe(false);
  });

  it('stays stopped after session.replaced when told to reconnect now (woken up, back online)', async () => {
    const { client: c, remote, statuses } = await connected();
    const stopped = statusOf(c, 'disconnected');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // any later retry would run in the advance below
    remote.emit('session.replaced', {});
    remote.disconnect();
    await stopped;
    // Connecting again would replace the other copy, which would then replace this one, and so on.
    c.reconnectNow();
    expect(lastSocket().active, 'a connection attempt is under way').toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected']);
    expect(server!.handshakes).toBe(1);
  });

  it.each(['signed-out', 'disabled', 'expired'] as const)(
    'stops for good as signed out when its session is revoked (%s)',
    async (reason) => {
      const { client: c, remote, statuses } = await connected();
      const stopped = new Promise<{ code: string; message: string } | undefined>((resolve) =>
        c.on('status', ({ status, error }) => status === 'disconnected' && resolve(error)),
      );
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // any reconnect would run in the advance below
      remote.emit('session.revoked', { reason });
      remote.disconnect(true);
      expect(await stopped).toEqual({ code: 'E_UNAUTHORIZED', message: `session ended: ${reason}` });
      await vi.advanceTimersByTimeAsync(60_000);
      expect(statuses).toEqual(['connecting', 'connected', 'disconnected']);
      expect(server!.handshakes).toBe(1);
      expect(lastSocket().connected).toBe(false);
    },
  );

  it('reconnects by itself after the transport drops', async () => {
    const { client: c, remote, statuses } = await connected();
    const back = statusOf(c, 'connected');
    remote.conn.close(); // the socket closes under it, as when the network goes: no server 'disconnect' packet
    await back;
    expect(statuses).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('reconnect() replaces a connection that looks open (one that no longer answers) at once', async () => {
    const { client: c, remote, statuses } = await connected();
    const replacement = server!.nextConnection();
    const left = new Promise<string>((resolve) => remote.on('disconnect', resolve));
    c.reconnect();
    expect(await left).toBe('client namespace disconnect');
    const fresh = await replacement;
    expect(fresh.id).not.toBe(remote.id);
    await expect.poll(() => lastSocket().connected).toBe(true);
    expect(statuses).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  /**
   * A server slow to answer the handshake (a loaded one): the transport is open and the connect is on its
   * way when the client is told to connect now (back online) or to replace its connection (a request got
   * no answer). `handshaking` resolves when the first connect reaches the server; `answer` lets it through.
   */
  async function slowHandshake() {
    const s = await startServer();
    let reached!: () => void;
    const handshaking = new Promise<void>((resolve) => (reached = resolve));
    const held: (() => void)[] = [];
    s.io.use((_socket, next) => {
      held.push(() => next());
      reached();
    });
    const answer = () => held.splice(0).forEach((pass) => pass());
    return { s, handshaking, answer };
  }

  it('gives up an attempt the server never answers and connects on the next one', async () => {
    const s = await startServer();
    s.io.use((_socket, next) => {
      if (s.handshakes > 1) next(); // the first handshake is left unanswered for good
    });
    const attemptTimeoutMs = 300;
    const c = (client = new SignalingClient({ nextDelayMs: () => 0 }, attemptTimeoutMs));
    const up = statusOf(c, 'connected');
    const startedAt = Date.now();
    c.connect(s.url, TOKEN, DEVICE, () => RENEWED_DEVICE);
    await up;
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(attemptTimeoutMs);
    expect(s.handshakes).toBe(2);
    await expect.poll(() => s.io.of('/').sockets.size).toBe(1);
    expect(c.happenings().map((h) => h.what)).toEqual([
      `connecting to ${s.url}`,
      `attempt unanswered after ${attemptTimeoutMs} ms: given up`,
      'next attempt in 0 ms (transport)',
      'connecting',
      'connected',
    ]);
  });

  it('reconnectNow() while the handshake is on its way sends no second connect (the server would see two)', async () => {
    const { s, handshaking, answer } = await slowHandshake();
    const { client: c, statuses } = connectClient(s.url);
    await handshaking;
    c.reconnectNow();
    c.reconnectNow();
    const up = statusOf(c, 'connected');
    answer();
    await up;
    // Both connects would have reached the server before its answer to the first: one handshake, one socket.
    expect(s.handshakes).toBe(1);
    expect(s.io.of('/').sockets.size).toBe(1);
    expect(statuses).toEqual(['connecting', 'connected']);
  });

  it('reconnect() while the handshake is on its way starts over on a new transport, once', async () => {
    const { s, handshaking, answer } = await slowHandshake();
    const { client: c, statuses } = connectClient(s.url);
    await handshaking;
    const stuck = lastSocket().io.engine;
    c.reconnect();
    await expect.poll(() => s.handshakes).toBe(2);
    const up = statusOf(c, 'connected');
    answer();
    await up;
    expect(lastSocket().io.engine).not.toBe(stuck);
    await expect.poll(() => s.io.of('/').sockets.size).toBe(1);
    expect(s.handshakes).toBe(2);
    expect(statuses).toEqual(['connecting', 'connected']);
  });

  it('keeps trying while the server is away and connects when it is back on the same address', async () => {
    const first = await startServer();
    const { client: c } = await connected({ nextDelayMs: () => 50 });
    const port = new URL(first.url).port;
    await new Promise<void>((resolve) => first.io.close(() => resolve())); // a deploy stops it
    server = undefined;
    const failed = () => c.happenings().filter((h) => h.what.startsWith('attempt failed')).length;
    await expect.poll(failed).toBeGreaterThanOrEqual(3); // refused while it is away
    const back = statusOf(c, 'connected');
    const again = await startServer(undefined, Number(port));
    const remote = again.nextConnection();
    await back;
    expect((await remote).handshake.auth).toEqual({ token: TOKEN, deviceId: DEVICE });
  });

  it('does not reconnect a socket that was let go while a reconnect was pending', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { client: c, remote } = await connected();
    const abandoned = lastSocket();
    const reconnecting = statusOf(c, 'reconnecting');
    remote.disconnect(true);
    await reconnecting;

    c.disconnect(); // the person signs out before the reconnect timer fires
    expect(abandoned.active).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(abandoned.active).toBe(false);
  });
});

describe('reconnect policy', () => {
  it('is asked on every drop, with why and the how-many-th retry; a connection that is up starts over', async () => {
    const asked: ReconnectContext[] = [];
    const { client: c, remote } = await connected({ nextDelayMs: (context) => (asked.push(context), 0) });
    const again = server!.nextConnection();
    const back = statusOf(c, 'connected');
    remote.disconnect(true); // the server closes it on purpose
    await back;
    const second = await again;
    const backAgain = statusOf(c, 'connected');
    second.conn.close(); // the network goes
    await backAgain;
    expect(asked).toEqual([
      { attempt: 0, reason: 'server' },
      { attempt: 0, reason: 'transport' },
    ]);
  });

  it('a policy that gives up leaves the client disconnected with E_NETWORK, and it stays so', async () => {
    const { client: c, remote, statuses } = await connected({ nextDelayMs: () => null });
    const down = statusOf(c, 'disconnected');
    remote.conn.close();
    expect((await down).error).toEqual({ code: 'E_NETWORK', message: 'gave up reconnecting to the server' });
    c.reconnectNow();
    expect(statuses).toEqual(['connecting', 'connected', 'reconnecting', 'disconnected']);
    expect(server!.handshakes).toBe(1);
  });

  it('reconnectNow() (woken up, back online) does not wait out the delay', async () => {
    const { client: c, remote } = await connected({ nextDelayMs: () => 60_000 });
    const reconnecting = statusOf(c, 'reconnecting');
    remote.disconnect(true);
    await reconnecting;
    const back = statusOf(c, 'connected');
    c.reconnectNow();
    await back;
    expect(server!.handshakes).toBe(2);
  });
});
