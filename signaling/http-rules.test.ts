/** HTTP rules every request meets, over real HTTP: the Host check, the JSON media type, what answers which path. */
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRoutes } from './protocol/index.js';
import {
  newDeviceId,
  PASSWORD,
  postJson,
  register,
  startTestServer,
  type TestServer,
  WAIT_MS,
} from './test-support/harness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const errorCode = (res: { body?: Record<string, unknown> }) =>
  (res.body as { error?: { code: string } } | undefined)?.error?.code;

describe('content type', () => {
  it('accepts application/json with parameters, and refuses look-alike media types changing nothing', async () => {
    server = await startTestServer();
    const account = (username: string) => ({ username, displayName: 'Someone', password: PASSWORD });

    const refused = [
      'application/jsonx',
      'application/json-patch+json',
      'application/json5',
      'application/jsonp; charset=utf-8',
      'text/json',
      'text/plain',
      'application/json; charset=iso-8859-1',
    ];
    for (const [i, contentType] of refused.entries()) {
      const res = await postJson(server, httpRoutes.register, account(`refused${i}`), {
        'content-type': contentType,
      });
      expect(res.status, contentType).toBe(400);
      expect(res.body, contentType).toEqual({
        error: { code: 'E_INVALID', message: 'content-type must be application/json' },
      });
      // Nothing was created: the same username registers afterwards.
      expect((await postJson(server, httpRoutes.register, account(`refused${i}`))).status).toBe(201);
    }

    const accepted = [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON;charset="UTF-8"',
      'application/json ; foo=bar',
    ];
    for (const [i, contentType] of accepted.entries()) {
      const res = await postJson(server, httpRoutes.register, account(`accepted${i}`), {
        'content-type': contentType,
      });
      expect(res.status, contentType).toBe(201);
      expect(errorCode(res), contentType).toBeUndefined();
    }
  });
});

/** A request to the test server with any Host header (fetch will not send one of our choosing). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server!.port,
        method,
        path,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Whether a Socket.IO connection with these headers opens. */
function websocketOpens(token: string, headers: Record<string, string>): Promise<boolean> {
  const socket = connectSocket(server!.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token, deviceId: newDeviceId() },
    extraHeaders: headers,
  });
  return new Promise<boolean>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('neither connect nor connect_error')), WAIT_MS);
    socket.once('connect', () => resolve(true));
    socket.once('connect_error', () => resolve(false));
    void timer;
  }).finally(() => socket.disconnect());
}

describe('Host check (DNS rebinding)', () => {
  const account = (username: string) => ({ username, displayName: 'Someone', password: PASSWORD });
  /** Host and Origin of a page served under `host`, as a browser sends them. */
  const from = (host: string, scheme = 'http') => ({ host, origin: `${scheme}://${host}` });

  it('refuses a name it was not given, on every path and on the websocket, and creates nothing', async () => {
    server = await startTestServer();
    const { token } = await register(server, 'alice');
    const evil = from(`evil.example:${server.port}`);

    const refused = await send('POST', httpRoutes.register, evil, account('mallory'));
    expect(refused.status).toBe(421);
    expect(JSON.parse(refused.body)).toEqual({
      error: { code: 'E_HOST_NOT_ALLOWED', message: 'this server does not answer to that host name' },
    });
    expect(
      (await send('POST', httpRoutes.login, evil, { username: 'alice', password: PASSWORD })).status,
    ).toBe(421);
    expect((await send('GET', '/', evil)).status).toBe(421);
    expect((await send('GET', httpRoutes.health, evil)).status).toBe(421);
    expect(await websocketOpens(token, evil)).toBe(false);
    expect(server.io.sockets.sockets.size).toBe(0);
    // mallory was not created.
    expect((await postJson(server, httpRoutes.register, account('mallory'))).status).toBe(201);
  });

  it('serves IP literals and localhost, with any port', async () => {
    server = await startTestServer();
    const { token } = await register(server, 'alice');
    const port = server.port;
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'localhost',
      '127.0.0.1',
    ]) {
      const res = await send('POST', httpRoutes.login, from(host), { username: 'alice', password: PASSWORD });
      expect(res.status, host).toBe(200);
    }
    expect(await websocketOpens(token, from(`localhost:${port}`))).toBe(true);
    expect(await websocketOpens(token, from(`127.0.0.1:${port}`))).toBe(true);
  });

  it('serves the names in publicHosts (any case; with a port, that port only)', async () => {
    server = await startTestServer({ publicHosts: ['parley.example', 'other.example:8443'] });
    const { token } = await register(server, 'alice');
    const login = (host: string) =>
      send('POST', httpRoutes.login, from(host, 'https'), { username: 'alice', password: PASSWORD });

    expect((await login('parley.example')).status).toBe(200);
    const upperCase = { host: 'Parley.Example:443' }; // a non-browser client: no Origin
    expect(
      (await send('POST', httpRoutes.login, upperCase, { username: 'alice', password: PASSWORD })).status,
    ).toBe(200);
    expect((await login('other.example:8443')).status).toBe(200);
    expect((await login('other.example')).status).toBe(421);
    expect((await login('sub.parley.example')).status).toBe(421);
    expect(await websocketOpens(token, from('parley.example', 'https'))).toBe(true);
    expect(await websocketOpens(token, from('evil.example', 'https'))).toBe(false);
  });
});

describe('paths', () => {
  const jsonError = async (res: Response) => {
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return ((await res.json()) as { error: { code: string } }).error.code;
  };

  it('answers /api and unknown /api/ paths with a 404 JSON error, and other paths with the web client', async () => {
    server = await startTestServer({ webDir: join(tmpdir(), 'parley-no-such-web-dir') });
    for (const path of ['/api', '/api?x=1', '/api/', '/api/nothing', '/api/login/extra']) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(404);
      expect(await jsonError(res), path).toBe('E_NOT_FOUND');
    }
    // The web client is not built here: its paths say so with 503, and only its paths.
    for (const path of ['/', '/history', '/apix', '/api.js']) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(503);
      expect(await res.text(), path).toMatch(/web client is not built/);
    }
  });
});
