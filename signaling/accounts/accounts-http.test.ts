/** Accounts over real HTTP (register, sign in, sign out) and the Socket.IO handshake. */
import { performance } from 'node:perf_hooks';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRoutes, type SessionReady } from '../protocol/index.js';
import {
  connect,
  newDeviceId,
  PASSWORD,
  postJson,
  register,
  signIn,
  startTestServer,
  type TestServer,
  WAIT_MS,
} from '../test-support/harness.js';
import { databasesPerFile, useDatabase } from '../test-support/databases.js';

describe.each(databasesPerFile())('on $name', (database) => {
  useDatabase(database);

  const servers: TestServer[] = [];
  const sockets: Socket[] = [];

  async function start(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
    const server = await startTestServer(overrides);
    servers.push(server);
    return server;
  }

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  type HandshakeError = Error & { data?: { code?: string } };
  type Handshake =
    | { connected: true; socket: Socket; ready: Promise<SessionReady> }
    | { connected: false; error: HandshakeError };

  /** Opens a raw Socket.IO connection and resolves once it connects or is refused. */
  function handshake(
    server: { url: string },
    auth: Record<string, unknown> | undefined,
    extraHeaders?: Record<string, string>,
  ): Promise<Handshake> {
    const socket = connectSocket(server.url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(auth ? { auth } : {}),
      ...(extraHeaders ? { extraHeaders } : {}),
    });
    sockets.push(socket);
    const ready = new Promise<SessionReady>((resolve) => socket.once('session.ready', resolve));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('handshake: neither connect nor connect_error')),
        WAIT_MS,
      );
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve({ connected: true, socket, ready });
      });
      socket.once('connect_error', (error: HandshakeError) => {
        clearTimeout(timer);
        resolve({ connected: false, error });
      });
    });
  }

  async function refusedCode(server: { url: string }, auth: Record<string, unknown> | undefined) {
    const result = await handshake(server, auth);
    if (result.connected) throw new Error('handshake unexpectedly accepted');
    return result.error.data?.code;
  }

  const body = (res: { body?: Record<string, unknown> }) =>
    res.body as { error: { code: string; message: string } };

  const login = (server: { url: string }, username: string, password: string, headers = {}) =>
    postJson(server, httpRoutes.login, { username, password }, headers);

  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };

  describe('register', () => {
    it('creates an account and returns a token and the user', async () => {
      const server = await start();
      const res = await postJson(server, httpRoutes.register, {
        username: 'alice',
        displayName: 'Alice A.',
        password: PASSWORD,
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        token: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/),
        user: { username: 'alice', displayName: 'Alice A.' },
      });
      const device = await connect(server, (res.body as { token: string }).token);
      expect(device.ready.user).toEqual({ username: 'alice', displayName: 'Alice A.' });
      device.close();
    });

    it('refuses bad usernames, duplicates and malformed bodies with 400/409', async () => {
      const server = await start();
      const ok = { username: 'alice', displayName: 'Alice', password: PASSWORD };
      for (const username of ['ab', 'Alice', 'a'.repeat(33), 'al ice', 'al@ce', 'ali/ce']) {
        const res = await postJson(server, httpRoutes.register, { ...ok, username });
        expect(res.status, username).toBe(400);
        expect(body(res).error.code, username).toBe('E_INVALID');
      }
      // 32 characters is the longest allowed.
      expect((await postJson(server, httpRoutes.register, { ...ok, username: 'a'.repeat(32) })).status).toBe(
        201,
      );

      const malformed: [string, unknown, Record<string, string>?][] = [
        ['missing password', { username: 'bob', displayName: 'Bob' }],
        ['missing username', { displayName: 'Bob', password: PASSWORD }],
        ['extra field', { ...ok, username: 'bob', admin: true }],
        ['short password', { ...ok, username: 'bob', password: 'short' }],
        ['not JSON', '{"username": "bob",'],
        ['JSON array', '[]'],
        ['wrong content-type', JSON.stringify({ ...ok, username: 'bob' }), { 'content-type': 'text/plain' }],
      ];
      for (const [what, payload, headers] of malformed) {
        const res = await postJson(server, httpRoutes.register, payload, headers);
        expect(res.status, what).toBe(400);
        expect(body(res).error.code, what).toBe('E_INVALID');
      }

      expect((await postJson(server, httpRoutes.register, ok)).status).toBe(201);
      const dup = await postJson(server, httpRoutes.register, { ...ok, displayName: 'Other Alice' });
      expect(dup.status).toBe(409);
      expect(body(dup).error.code).toBe('E_USERNAME_TAKEN');
      // Nobody named bob was created by any of the malformed requests.
      const bob = await login(server, 'bob', PASSWORD);
      expect(bob.status).toBe(401);
    });

    it('refuses a body larger than 16 KiB with 400', async () => {
      const server = await start();
      const res = await postJson(server, httpRoutes.register, {
        username: 'alice',
        displayName: 'x'.repeat(17 * 1024),
        password: PASSWORD,
      });
      expect(res.status).toBe(400);
      expect(body(res).error.code).toBe('E_INVALID');
      expect((await login(server, 'alice', PASSWORD)).status).toBe(401);
    });

    it('a much larger body is also a clean 400 and the connection pool keeps working', async () => {
      const server = await start();
      for (let i = 0; i < 5; i++) {
        const signal = AbortSignal.timeout(WAIT_MS);
        const res = await fetch(server.url + httpRoutes.register, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            username: 'alice',
            displayName: 'x'.repeat(1024 * 1024),
            password: PASSWORD,
          }),
          signal,
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('E_INVALID');
        expect((await fetch(server.url + httpRoutes.health, { signal })).status).toBe(200);
      }
    });

    it('is refused with 403 when open registration is off', async () => {
      const server = await start({ openRegistration: false });
      const res = await postJson(server, httpRoutes.register, {
        username: 'alice',
        displayName: 'Alice',
        password: PASSWORD,
      });
      expect(res.status).toBe(403);
      expect(body(res).error.code).toBe('E_REGISTRATION_CLOSED');
      expect((await login(server, 'alice', PASSWORD)).status).toBe(401);
    });
  });

  describe('login', () => {
    it('signs in; wrong password and unknown user fail identically', async () => {
      const server = await start();
      await register(server, 'alice');
      const grant = await signIn(server, 'alice');
      expect(grant.user).toEqual({ username: 'alice', displayName: 'ALICE' });
      expect(grant.token).toMatch(/^[A-Za-z0-9_-]{43,}$/);

      const wrong = await login(server, 'alice', 'not the password');
      const unknown = await login(server, 'nobody', PASSWORD);
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(body(wrong).error.code).toBe('E_AUTH_FAILED');
      expect(body(unknown)).toEqual(body(wrong));
    });

    it('throttles an account from an address after repeated failures there, even with the right password', async () => {
      const server = await start({ loginFailuresPerAccountAddress: 3 });
      await register(server, 'alice');
      for (let i = 0; i < 3; i++) {
        const res = await login(server, 'alice', `wrong password ${i}`);
        expect(res.status).toBe(401);
        expect(body(res).error.code).toBe('E_AUTH_FAILED');
      }
      const limited = await login(server, 'alice', PASSWORD);
      expect(limited.status).toBe(429);
      expect(body(limited).error.code).toBe('E_RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('throttles an address after failures across different usernames', async () => {
      const server = await start({ loginFailuresPerAddress: 3 });
      await register(server, 'alice');
      for (const name of ['carol', 'dave', 'erin']) {
        expect((await login(server, name, 'whatever pass')).status).toBe(401);
      }
      const limited = await login(server, 'alice', PASSWORD);
      expect(limited.status).toBe(429);
      expect(body(limited).error.code).toBe('E_RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('an unknown user costs about as much time as a wrong password (decoy hash)', async () => {
      const server = await start({ loginFailuresPerAccountAddress: 1000, loginFailuresPerAddress: 1000 });
      await register(server, 'alice');
      // Warm up: the decoy hash is made on first use.
      await login(server, 'nobody', PASSWORD);
      await login(server, 'alice', 'not the password');
      const timed = async (username: string, password: string) => {
        const t0 = performance.now();
        const res = await login(server, username, password);
        expect(res.status).toBe(401);
        return performance.now() - t0;
      };
      const wrong: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        wrong.push(await timed('alice', `not the password ${i}`));
        unknown.push(await timed(`nobody${i}`, PASSWORD));
      }
      expect(median(unknown)).toBeGreaterThanOrEqual(0.5 * median(wrong));
      expect(median(wrong)).toBeGreaterThanOrEqual(0.5 * median(unknown));
    });
  });

  describe('handshake', () => {
    it('refuses missing auth, garbage tokens, bad device ids and revoked tokens with E_UNAUTHORIZED', async () => {
      const server = await start();
      const { token } = await register(server, 'alice');
      expect(await refusedCode(server, undefined)).toBe('E_UNAUTHORIZED');
      expect(await refusedCode(server, { token: 'garbage', deviceId: newDeviceId() })).toBe('E_UNAUTHORIZED');
      expect(await refusedCode(server, { token, deviceId: 'bad id!' })).toBe('E_UNAUTHORIZED');
      expect(await refusedCode(server, { token })).toBe('E_UNAUTHORIZED');

      const ok = await handshake(server, { token, deviceId: newDeviceId() });
      expect(ok.connected).toBe(true);

      const revoked = await signIn(server, 'alice');
      const out = await postJson(server, httpRoutes.logout, '', { authorization: `Bearer ${revoked.token}` });
      expect(out.status).toBe(204);
      expect(await refusedCode(server, { token: revoked.token, deviceId: newDeviceId() })).toBe(
        'E_UNAUTHORIZED',
      );
    });

    it('a valid token connects and gets session.ready with the user', async () => {
      const server = await start();
      const { token } = await register(server, 'alice', 'Alice A.');
      const deviceId = newDeviceId();
      const device = await connect(server, token, deviceId);
      expect(device.ready).toMatchObject({
        user: { username: 'alice', displayName: 'Alice A.' },
        deviceId,
        dnd: false,
        contacts: [],
        unseenMissedCalls: 0,
        calls: [],
      });
      device.close();
    });
  });

  describe('logout', () => {
    it('ends that session only: its device is disconnected, another session stays', async () => {
      const server = await start();
      const first = await register(server, 'alice');
      const second = await signIn(server, 'alice');
      const phone = await connect(server, first.token);
      const laptop = await connect(server, second.token);
      const phoneGone = new Promise<string>((resolve) => phone.socket.once('disconnect', resolve));

      const res = await postJson(server, httpRoutes.logout, '', { authorization: `Bearer ${first.token}` });
      expect(res.status).toBe(204);
      expect(res.body).toBeUndefined();
      expect(await phoneGone).toBe('io server disconnect');

      // The other session still works: a full request round-trip.
      expect(await laptop.ok('history.list', {})).toMatchObject({ entries: [] });
      expect(laptop.socket.connected).toBe(true);

      expect(await refusedCode(server, { token: first.token, deviceId: newDeviceId() })).toBe(
        'E_UNAUTHORIZED',
      );

      const again = await postJson(server, httpRoutes.logout, '', { authorization: `Bearer ${first.token}` });
      expect(again.status).toBe(401);
      expect(body(again).error.code).toBe('E_UNAUTHORIZED');
      laptop.close();
    });

    it('an unknown or missing token gets 401', async () => {
      const server = await start();
      const unknown = await postJson(server, httpRoutes.logout, '', {
        authorization: 'Bearer not-a-session',
      });
      expect(unknown.status).toBe(401);
      expect(body(unknown).error.code).toBe('E_UNAUTHORIZED');
      const missing = await postJson(server, httpRoutes.logout, '');
      expect(missing.status).toBe(401);
      expect(body(missing).error.code).toBe('E_UNAUTHORIZED');
    });
  });

  describe('other endpoints', () => {
    it('GET /healthz is ok; an unknown path is a 404 JSON error', async () => {
      const server = await start();
      const health = await fetch(server.url + httpRoutes.health);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      const missing = await fetch(server.url + '/api/nothing-here');
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('E_NOT_FOUND');
    });
  });

  describe('origin check', () => {
    const allowed = 'https://app.parley.example';

    it('refuses HTTP requests from a foreign origin and allows listed ones with CORS headers', async () => {
      const server = await start({ allowedOrigins: [allowed] });
      await register(server, 'alice');

      const evil = await login(server, 'alice', PASSWORD, { origin: 'https://evil.example' });
      expect(evil.status).toBe(401);
      expect(body(evil).error.code).toBe('E_UNAUTHORIZED');
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();

      const good = await login(server, 'alice', PASSWORD, { origin: allowed });
      expect(good.status).toBe(200);
      expect(good.headers.get('access-control-allow-origin')).toBe(allowed);
    });

    it('refuses Socket.IO connections from a foreign origin and accepts listed ones', async () => {
      const server = await start({ allowedOrigins: [allowed] });
      const { token } = await register(server, 'alice');

      const evil = await handshake(
        server,
        { token, deviceId: newDeviceId() },
        { origin: 'https://evil.example' },
      );
      expect(evil.connected).toBe(false);

      const good = await handshake(server, { token, deviceId: newDeviceId() }, { origin: allowed });
      expect(good.connected).toBe(true);
      if (good.connected) expect((await good.ready).user.username).toBe('alice');
    });
  });
});
