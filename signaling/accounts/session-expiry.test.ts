/**
 * Session expiry on a real server with a clock the test moves: idle and absolute expiry at the
 * handshake and on logout, the periodic sweep (which revokes open connections of expired sessions),
 * and how seldom last_used_at is written.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from './tokens.js';
import { httpRoutes } from '../protocol/index.js';
import {
  connect,
  postJson,
  register,
  startTestServer,
  type TestServer,
  WAIT_MS,
} from '../test-support/harness.js';
import { databasesPerFile, useDatabase } from '../test-support/databases.js';

describe.each(databasesPerFile())('on $name', (database) => {
  useDatabase(database);

  const MINUTE = 60_000;
  const DAY = 24 * 60 * MINUTE;

  let clock: number;
  let server: TestServer;

  beforeEach(async () => {
    clock = Date.UTC(2030, 0, 1);
    // The sweep runs every 50 ms of real time; the clock it reads moves only when the test moves it.
    server = await startTestServer(
      { sessionIdleDays: 30, sessionMaxDays: 180 },
      { now: () => clock, revocationTimings: { pollMs: 20, sweepMs: 50 } },
    );
  });
  afterEach(() => server.stop());

  const session = (token: string) =>
    server.db.get<{ createdAt: number; lastUsedAt: number }>(
      'SELECT created_at AS "createdAt", last_used_at AS "lastUsedAt" FROM sessions WHERE token_hash = ?',
      [hashToken(token)],
    );

  const revocations = () =>
    server.db.all('SELECT user_id AS "userId", reason, created_at AS at FROM revocations ORDER BY id');

  /** Resolves once `condition` holds, checking every few milliseconds. */
  async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const logout = (token: string) =>
    postJson(server, httpRoutes.logout, '', { authorization: `Bearer ${token}` });

  it('refuses a session idle for 30 days at the handshake and on logout, and the sweep deletes it', async () => {
    const { token } = await register(server, 'alice');
    const idle = (await register(server, 'bob')).token;
    clock += 30 * DAY - 1;
    (await connect(server, token)).close(); // alice used hers just in time; bob did not

    clock += 1;
    await expect(connect(server, idle)).rejects.toMatchObject({ data: { code: 'E_UNAUTHORIZED' } });
    const out = await logout(idle);
    expect(out.status).toBe(401);
    expect(out.body).toMatchObject({ error: { code: 'E_UNAUTHORIZED' } });
    await until(async () => (await session(idle)) === undefined, 'the sweep to delete the idle session');
    expect(await revocations()).toEqual([{ userId: 2, reason: 'expired', at: clock }]);
    // alice's session, used a moment before, lives on.
    expect(await session(token)).toBeDefined();
    (await connect(server, token)).close();
  });

  it('writes last_used_at at most once an hour per session', async () => {
    const { token } = await register(server, 'alice');
    const created = clock;
    clock += 10 * MINUTE;
    (await connect(server, token)).close();
    expect(await session(token)).toEqual({ createdAt: created, lastUsedAt: created });
    clock += 50 * MINUTE;
    (await connect(server, token)).close();
    expect(await session(token)).toEqual({ createdAt: created, lastUsedAt: created + 60 * MINUTE });
  });

  it('keeps a connected session alive, and revokes it with reason expired after 180 days', async () => {
    const { token } = await register(server, 'alice');
    const device = await connect(server, token);
    const created = clock;

    // Connected all along: the sweep marks it used, so 40 days without a new connect do not idle it out.
    for (const day of [20, 40]) {
      clock = created + day * DAY;
      await until(async () => (await session(token))?.lastUsedAt === clock, `the sweep on day ${day}`);
    }
    (await connect(server, token)).close();

    const gone = new Promise<string>((resolve) => device.socket.once('disconnect', resolve));
    clock = created + 180 * DAY;
    expect(await device.next('session.revoked')).toEqual({ reason: 'expired' });
    expect(await gone).toBe('io server disconnect');
    expect(await session(token)).toBeUndefined();
    await expect(connect(server, token)).rejects.toMatchObject({ data: { code: 'E_UNAUTHORIZED' } });
  });

  it('prunes revocations an hour old', async () => {
    const { token } = await register(server, 'alice');
    expect((await logout(token)).status).toBe(204);
    expect(await revocations()).toEqual([{ userId: 1, reason: 'signed-out', at: clock }]);
    clock += 60 * MINUTE + 1;
    await until(async () => (await revocations()).length === 0, 'the sweep to prune the log');
  });
});
