/**
 * Integration-test harness: a real signaling server on an ephemeral port
 * with SQLite in a temporary directory (or the PostgreSQL database of the
 * block, databases.ts), and real socket.io-client devices.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { loadConfig, type ServerConfig } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import {
  httpRoutes,
  type ClientRequestName,
  type ClientToServerEvents,
  type PresenceBatch,
  type RequestPayload,
  type RequestResult,
  type Result,
  type ServerEventName,
  type ServerEventPayload,
  type ServerToClientEvents,
  type SessionGrant,
  type SessionReady,
} from '../protocol/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../server.js';
import { testDatabase } from './databases.js';

export const WAIT_MS = 5_000;
export const PASSWORD = 'correct horse battery';

/** Devices connected to each test server (by URL), closed when that server stops. */
const devicesOf = new Map<string, Set<TestDevice>>();

export interface TestServer extends RunningServer {
  config: ServerConfig;
  /** Stops the server, then closes the devices connected to it; keeps the data directory unless `removeData`. */
  stop(opts?: { removeData?: boolean }): Promise<void>;
}

/**
 * Starts a server quietly on 127.0.0.1:0 with short timers, in a fresh (or given) data directory; `log`
 * replaces the silent logger (e.g. one writing to a LogCapture), `options` go to startServer.
 */
export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  { log, ...options }: ServerOptions & { log?: Logger } = {},
): Promise<TestServer> {
  const config: ServerConfig = {
    ...loadConfig([], {}),
    host: '127.0.0.1',
    port: 0,
    // Made only when not given: a test that passes its own folder would leave an empty one behind.
    dataDir: overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'parley-test-')),
    logLevel: 'silent',
    ringTimeout: 3,
    gracePeriod: 1,
    registrationsPerHour: 1000,
    ...testDatabase(),
    ...overrides,
  };
  const server = await startServer(config, log ?? createLogger(config.logLevel), options);
  return {
    ...server,
    config,
    async stop({ removeData = true } = {}) {
      await server.close(); // devices still connected hear the shutdown first
      for (const device of devicesOf.get(server.url) ?? []) device.close();
      devicesOf.delete(server.url);
      if (removeData) rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

export async function postJson(
  server: { url: string },
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

export async function register(
  server: { url: string },
  username: string,
  displayName = username.toUpperCase(),
): Promise<SessionGrant> {
  const res = await postJson(server, httpRoutes.register, { username, displayName, password: PASSWORD });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as unknown as SessionGrant;
}

export async function signIn(server: { url: string }, username: string): Promise<SessionGrant> {
  const res = await postJson(server, httpRoutes.login, { username, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as unknown as SessionGrant;
}

export const newDeviceId = (): string => randomBytes(12).toString('base64url');

/** An event received; `unfolded`: one change of a `presence.batch`, recorded after the batch's own frame. */
type Received = { event: string; payload: unknown; taken: boolean; unfolded?: true };

/** One connected device, recording every server event it receives. */
export class TestDevice {
  readonly received: Received[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>,
    readonly deviceId: string,
    readonly ready: SessionReady,
  ) {}

  /**
   * Keeps what came. A `presence.batch` is kept as it came and, after it, as the `presence.changed` of each
   * change it carries: a test that follows a contact's presence hears it however the server framed it.
   */
  record(event: string, payload: unknown): void {
    this.received.push({ event, payload, taken: false });
    if (event === 'presence.batch')
      for (const change of (payload as PresenceBatch).changes)
        this.received.push({ event: 'presence.changed', payload: change, taken: false, unfolded: true });
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves with the first not-yet-taken event of this name that matches, waiting if needed. */
  next<K extends ServerEventName>(
    event: K,
    match: (p: ServerEventPayload<K>) => boolean = () => true,
    timeoutMs = WAIT_MS,
  ): Promise<ServerEventPayload<K>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(
          new Error(
            `${this.deviceId}: no ${event} within ${timeoutMs} ms; got ${this.eventNames().join(', ')}`,
          ),
        );
      }, timeoutMs);
      const check = (): void => {
        const hit = this.received.find(
          (r) => !r.taken && r.event === event && match(r.payload as ServerEventPayload<K>),
        );
        if (!hit) {
          this.waiters.push(check);
          return;
        }
        hit.taken = true;
        clearTimeout(timer);
        resolve(hit.payload as ServerEventPayload<K>);
      };
      check();
    });
  }

  /** Every payload of an event received so far (taken or not). */
  all<K extends ServerEventName>(event: K): ServerEventPayload<K>[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as ServerEventPayload<K>);
  }

  /** How many frames of these events came (a batch counts once, not once per change). */
  frames(...events: ServerEventName[]): number {
    return this.received.filter((r) => !r.unfolded && events.includes(r.event as ServerEventName)).length;
  }

  eventNames(): string[] {
    return this.received.map((r) => r.event);
  }

  /** Sends a request and resolves with its acknowledged result. */
  request<K extends ClientRequestName>(
    event: K,
    payload: RequestPayload<K>,
  ): Promise<Result<RequestResult<K>>> {
    const emit = this.socket.timeout(WAIT_MS).emitWithAck as (
      e: string,
      p: unknown,
    ) => Promise<Result<RequestResult<K>>>;
    return emit.call(this.socket.timeout(WAIT_MS), event, payload);
  }

  /** Sends a request that must succeed. */
  async ok<K extends ClientRequestName>(event: K, payload: RequestPayload<K>): Promise<RequestResult<K>> {
    const result = await this.request(event, payload);
    if (!result.ok) throw new Error(`${event} failed: ${result.error.code} ${result.error.message}`);
    return result;
  }

  /** Sends a request that must fail, and returns its error code. */
  async fails<K extends ClientRequestName>(event: K, payload: RequestPayload<K>): Promise<string> {
    const result = await this.request(event, payload);
    if (result.ok) throw new Error(`${event} unexpectedly succeeded`);
    return result.error.code;
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** Connects a device and waits for `session.ready`. */
export function connect(
  server: { url: string },
  token: string,
  deviceId = newDeviceId(),
): Promise<TestDevice> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connectSocket(server.url, {
    transports: ['websocket'],
    auth: { token, deviceId },
    reconnection: false,
    forceNew: true,
  });
  const early: [string, unknown][] = [];
  socket.onAny((event: string, payload: unknown) => early.push([event, payload]));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no session.ready')), WAIT_MS);
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('session.ready', (ready) => {
      clearTimeout(timer);
      const device = new TestDevice(socket, deviceId, ready);
      let devices = devicesOf.get(server.url);
      if (!devices) devicesOf.set(server.url, (devices = new Set()));
      devices.add(device);
      socket.offAny();
      for (const [event, payload] of early) device.record(event, payload);
      socket.onAny((event: string, payload: unknown) => device.record(event, payload));
      resolve(device);
    });
  });
}

export interface Person {
  username: string;
  token: string;
  device: TestDevice;
}

/** Registers a person and connects one device. */
export async function person(server: { url: string }, username: string): Promise<Person> {
  const { token } = await register(server, username);
  return { username, token, device: await connect(server, token) };
}

/** Makes two people mutual contacts. */
export async function befriend(a: Person, b: Person): Promise<void> {
  await a.device.ok('contacts.request', { username: b.username });
  await b.device.ok('contacts.accept', { username: a.username });
  await a.device.next(
    'contact.updated',
    (p) => p.contact.username === b.username && p.contact.state === 'accepted',
  );
}
