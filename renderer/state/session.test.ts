// The session domain against a fake server and accounts endpoint: signing in and out, the connection's
// status, a refused or replaced session, and the person's own presence.
import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionGrant } from '../../signaling/protocol/index.js';
import { RequestError } from '../net/api.js';
import { FakeSignaling, sessionReady } from '../test-support/fake-signaling.js';
import { errorWords } from '../ui/error-words.js';
import { Notices } from './notices.js';
import { Session } from './session.js';

const GRANT = { token: 't'.repeat(43) } as SessionGrant;

let server: FakeSignaling;
let session: Session;
let notices: Notices;
let happened: string[];
let stored: Map<string, string>;
let token: string | null;
let signInAnswer: () => Promise<SessionGrant>;
const state = () => session.state.getState();

beforeEach(() => {
  server = new FakeSignaling();
  notices = new Notices();
  happened = [];
  stored = new Map();
  token = null;
  signInAnswer = async () => GRANT;
  session = new Session({
    signaling: {
      on: server.on.bind(server),
      request: server.request.bind(server),
      connect: (url, t, deviceId) => void happened.push(`connect ${url} ${t} ${deviceId}`),
      disconnect: () => void happened.push('disconnect'),
    },
    accounts: {
      register: async () => GRANT,
      signIn: () => signInAnswer(),
      signOut: async (_url, t) => void happened.push(`signOut ${t}`),
    },
    platform: {
      storage: {
        get: (k) => stored.get(k) ?? null,
        set: (k, v) => void stored.set(k, v),
        remove: (k) => void stored.delete(k),
      },
      session: {
        load: async () => token,
        save: async (t) => void (token = t),
        clear: async () => void (token = null),
      },
      deviceId: () => 'dev-1',
      newDeviceId: () => 'dev-2',
    },
    notices,
    idle: { start: () => void happened.push('idle on'), stop: () => void happened.push('idle off') },
    endCall: async () => void happened.push('end call'),
    forget: () => void happened.push('forget'),
  });
});

describe('signing in', () => {
  it('remembers the server and the token, connects, and is signed in on session.ready', async () => {
    await session.signIn(' example.org:4700 ', 'ann', 'pw');
    expect(state()).toMatchObject({ phase: 'signing-in', serverUrl: 'http://example.org:4700', error: null });
    expect(stored.get('parley.serverUrl')).toBe('http://example.org:4700');
    expect(token).toBe(GRANT.token);
    expect(happened).toEqual([`connect http://example.org:4700 ${GRANT.token} dev-1`]);
    server.push('session.ready', sessionReady({ presence: 'online', dnd: true }));
    expect(state()).toMatchObject({ phase: 'signed-in', user: { username: 'ann' }, dnd: true });
    expect(happened.at(-1)).toBe('idle on');
  });

  it('a refusal or a bad address is words for the form, and nothing connects', async () => {
    signInAnswer = async () => {
      throw new RequestError({ code: 'E_AUTH_FAILED', message: 'no' });
    };
    await session.signIn('example.org', 'ann', 'wrong');
    expect(state()).toMatchObject({ phase: 'signed-out', error: errorWords('E_AUTH_FAILED') });
    await session.signIn('http://exa mple', 'ann', 'pw');
    expect(state().error).toBe('That server address does not look right.');
    expect(happened).toEqual([]);
  });

  it('start() resumes a remembered session on the remembered server', async () => {
    stored.set('parley.serverUrl', 'http://saved.example');
    token = GRANT.token;
    session.start('http://default.example');
    await expect.poll(() => happened).toEqual([`connect http://saved.example ${GRANT.token} dev-1`]);
  });
});

describe('the connection', () => {
  it('mirrors the client status', () => {
    server.push('status', { status: 'reconnecting' });
    expect(state().connection).toBe('reconnecting');
  });

  it('a refused token signs out, ends the call, and tells the sign-in form why', async () => {
    token = GRANT.token;
    server.push('session.ready', sessionReady());
    server.push('status', { status: 'disconnected', error: { code: 'E_UNAUTHORIZED', message: 'gone' } });
    await expect.poll(() => state().error).toBe(errorWords('E_UNAUTHORIZED'));
    expect(state()).toMatchObject({ phase: 'signed-out', user: null, presence: 'offline' });
    expect(happened).toEqual([
      'idle on',
      'end call',
      'disconnect',
      'idle off',
      `signOut ${GRANT.token}`,
      'forget',
    ]);
    expect(token).toBeNull();
  });

  it('replaced by this device elsewhere: says so and ends the call, still signed in here', () => {
    server.push('session.ready', sessionReady());
    server.push('status', { status: 'disconnected', error: { code: 'E_REPLACED', message: 'elsewhere' } });
    expect(notices.state.getState().notices.map((n) => n.text)).toEqual([errorWords('E_REPLACED')]);
    expect(happened).toEqual(['idle on', 'end call']);
    expect(state().phase).toBe('signed-in');
  });
});

describe('presence', () => {
  it('follows the server, and sets do not disturb through it', async () => {
    server.push('presence.self', { presence: 'busy', dnd: false });
    expect(state()).toMatchObject({ presence: 'busy', dnd: false });
    server.answer('presence.update', () => ({ ok: true, presence: 'dnd', dnd: true }));
    expect(await session.setDnd(true)).toBeNull();
    expect(state()).toMatchObject({ presence: 'dnd', dnd: true });
    expect(server.sentOf('presence.update')).toEqual([{ dnd: true }]);
  });

  it('a refused change keeps the state and returns the words', async () => {
    server.answer('presence.update', () => ({
      ok: false,
      error: { code: 'E_RATE_LIMITED', message: 'slow' },
    }));
    expect(await session.setDnd(true)).toBe(errorWords('E_RATE_LIMITED'));
    expect(state().dnd).toBe(false);
  });
});
