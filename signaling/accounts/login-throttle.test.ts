/**
 * Sign-in throttling over real HTTP against a real server, with parallel guesses. Password checks are
 * counted by wrapping the real argon2 verification: "evaluated" means argon2 ran.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../log.js';
import { httpRoutes } from '../protocol/index.js';
import { LogCapture } from '../test-support/log-capture.js';
import { PASSWORD, postJson, register, startTestServer, type TestServer } from '../test-support/harness.js';
import { usernameTag } from './accounts.js';
import { ACCOUNT_FREE_FAILURES, ACCOUNT_MAX_PAUSE_SECONDS } from './login-throttle.js';

const checks = vi.hoisted(() => ({ count: 0 }));
vi.mock('./passwords.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./passwords.js')>();
  return {
    ...real,
    verifyPassword: (hash: string, password: string) => {
      checks.count++;
      return real.verifyPassword(hash, password);
    },
  };
});

const TEST_TIMEOUT_MS = 20_000;

let server: TestServer;
let capture: LogCapture;

beforeEach(async () => {
  capture = new LogCapture();
  // Behind a "proxy", so that each request can come from the address its X-Forwarded-For names.
  server = await startTestServer({ trustProxy: true }, { log: createLogger('info', capture) });
});
afterEach(() => server.stop());

const login = (username: string, password: string, address: string) =>
  postJson(server, httpRoutes.login, { username, password }, { 'x-forwarded-for': address });

const code = (res: { body?: Record<string, unknown> }) =>
  (res.body as { error?: { code: string } } | undefined)?.error?.code;

/** Sends all the sign-ins at once and counts the password checks they caused. */
async function burst(attempts: [username: string, password: string, address: string][]) {
  const before = checks.count;
  const results = await Promise.all(attempts.map(([u, p, a]) => login(u, p, a)));
  return { results, checked: checks.count - before };
}

describe('parallel wrong passwords', () => {
  it('400 at once against one account from one address check at most the limit of 10', async () => {
    await register(server, 'alice');
    const address = '198.51.100.1';
    const { results, checked } = await burst(
      Array.from({ length: 400 }, (_, i) => ['alice', `wrong password ${i}`, address]),
    );

    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(10);
    const failed = results.filter((r) => r.status === 401);
    const throttled = results.filter((r) => r.status === 429);
    expect(failed.length).toBe(checked);
    expect(failed.length + throttled.length).toBe(400);
    for (const r of throttled) {
      expect(code(r)).toBe('E_RATE_LIMITED');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Even the right password from there waits now, unchecked ...
    expect((await burst([['alice', PASSWORD, address]])).checked).toBe(0);
    // ... while the owner from another address gets in.
    expect((await login('alice', PASSWORD, '203.0.113.50')).status).toBe(200);
  });

  it('200 at once from one address against 200 accounts check at most the limit of 50', async () => {
    const { results, checked } = await burst(
      Array.from({ length: 200 }, (_, i) => [`user${i}`, 'some password', '198.51.100.2']),
    );
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(50);
    expect(results.filter((r) => r.status === 401).length).toBe(checked);
    expect(results.filter((r) => r.status === 429).length).toBe(200 - checked);
  });

  it(
    '400 at once against one account from 400 addresses are slowed by the account pause; its owner still gets in',
    async () => {
      await register(server, 'alice');
      const home = '203.0.113.7';
      expect((await login('alice', PASSWORD, home)).status).toBe(200); // a place she signed in from before

      const { results, checked } = await burst(
        Array.from({ length: 400 }, (_, i) => ['alice', `guess ${i}`, `10.1.${i >> 8}.${i & 255}`]),
      );
      // Past the free failures, one attempt gets through per pause, and the pauses double: 1, 2, 4, 8, 16 s.
      // A sixth would need 31 s, longer than this test may run: so however slow the machine, at most 5 more.
      expect(checked).toBeGreaterThanOrEqual(ACCOUNT_FREE_FAILURES);
      expect(checked).toBeLessThanOrEqual(ACCOUNT_FREE_FAILURES + 5);
      const throttled = results.filter((r) => r.status === 429);
      expect(throttled.length).toBe(400 - checked);
      for (const r of throttled) {
        const retryAfterMs = (r.body as { error: { retryAfterMs: number } }).error.retryAfterMs;
        expect(retryAfterMs).toBeGreaterThan(0);
        expect(retryAfterMs).toBeLessThanOrEqual(ACCOUNT_MAX_PAUSE_SECONDS * 1000);
      }

      // Her own address skips the pause: in at once, with nothing else changed by the attack.
      expect((await login('alice', PASSWORD, home)).status).toBe(200);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('logs', () => {
  it('logs failed and throttled sign-ins at info with a hashed username and the address', async () => {
    await server.stop();
    server = await startTestServer(
      { trustProxy: true, loginFailuresPerAccountAddress: 2 },
      { log: createLogger('info', capture) },
    );
    await register(server, 'alice');
    for (let i = 0; i < 3; i++) await login('alice', 'not her password', '198.51.100.9');

    const tag = usernameTag('alice');
    expect(tag).toMatch(/^[0-9a-f]{12}$/);
    expect(capture.withMessage('sign-in failed')).toEqual([
      expect.objectContaining({ level: 30, user: tag, address: '198.51.100.9' }),
      expect.objectContaining({ level: 30, user: tag, address: '198.51.100.9' }),
    ]);
    expect(capture.withMessage('sign-in throttled')).toEqual([
      expect.objectContaining({
        level: 30,
        user: tag,
        address: '198.51.100.9',
        scope: 'account-address',
        retryAfterMs: expect.any(Number),
      }),
    ]);
    const written = JSON.stringify(capture.lines());
    expect(written).not.toContain('not her password');
    expect(written).not.toContain('"alice"');
  });
});
