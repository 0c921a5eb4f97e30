/**
 * PostgreSQL goes away under a running server (`--database-url`) and comes back: while it is down,
 * requests that need it fail with E_UNAVAILABLE, not E_INTERNAL: an outage, not a bug (sign-in, a new
 * connection, history, a contact request)
 * within a bounded time, none hang, and the server logs why; once it is back, the same requests succeed
 * without a restart of the server (the pool connects again). A server that cannot reach it at start
 * refuses to start and says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { httpRoutes } from './protocol/index.js';
import { LogCapture } from './test-support/log-capture.js';
import {
  befriend,
  connect,
  PASSWORD,
  person,
  postJson,
  signIn,
  startTestServer,
  WAIT_MS,
} from './test-support/harness.js';
import { createLogger } from './log.js';
import { freePort } from './test-support/free-port.js';
import { postgresUnavailable, startPostgres } from './test-support/postgres-server.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the PostgreSQL outage test: ${unavailable}`);

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Resolves with how long `work` took to settle (it must settle: the harness's own waits are WAIT_MS). */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await work();
  return Date.now() - started;
}

it.skipIf(unavailable)(
  'fails requests with E_UNAVAILABLE while PostgreSQL is down, none hanging, and serves them again once it is back',
  async () => {
    const postgres = await startPostgres();
    cleanup.push(() => postgres.stop());
    const logs = new LogCapture();
    const server = await startTestServer(
      { databaseUrl: await postgres.freshDatabase() },
      { log: createLogger('info', logs) },
    );
    cleanup.push(() => server.stop());
    const alice = await person(server, 'alice');
    const bob = await person(server, 'bob');
    await befriend(alice, bob);
    const carol = await person(server, 'carol');

    await postgres.shutDown();

    const outage: number[] = [];
    outage.push(
      await timed(async () => {
        const res = await postJson(server, httpRoutes.login, { username: 'alice', password: PASSWORD });
        expect({ status: res.status, body: res.body }).toMatchObject({
          status: 503,
          body: { error: { code: 'E_UNAVAILABLE' } },
        });
      }),
      await timed(async () => {
        const refused = await connect(server, alice.token).then(
          () => undefined,
          (err: { data?: { code?: string } }) => err.data?.code,
        );
        expect(refused).toBe('E_UNAVAILABLE');
      }),
      await timed(async () => expect(await alice.device.fails('history.list', {})).toBe('E_UNAVAILABLE')),
      await timed(async () =>
        expect(await carol.device.fails('contacts.request', { username: 'alice' })).toBe('E_UNAVAILABLE'),
      ),
    );
    // Refused at once by a stopped server; the bound that matters is that each came back at all.
    for (const ms of outage) expect(ms).toBeLessThan(WAIT_MS);
    expect(logs.withMessage('request failed').length).toBeGreaterThan(0);
    expect(logs.withMessage('handshake failed').length).toBeGreaterThan(0);

    await postgres.startAgain();

    expect((await signIn(server, 'alice')).user.username).toBe('alice');
    const again = await connect(server, alice.token);
    expect(again.ready.contacts).toMatchObject([{ username: 'bob', state: 'accepted' }]);
    expect(await alice.device.ok('history.list', {})).toMatchObject({ entries: [] });
    await carol.device.ok('contacts.request', { username: 'alice' });
    await again.next('contact.updated', (p) => p.contact.username === 'carol');
  },
  60_000,
);

it('refuses to start, saying why, when PostgreSQL cannot be reached', async () => {
  const closedPort = await freePort(); // nothing listens there
  const url = `postgres://parley@127.0.0.1:${closedPort}/parley`;
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-test-'));
  cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  await expect(startTestServer({ databaseUrl: url, dataDir })).rejects.toThrow(
    /^--database-url \/ PARLEY_DATABASE_URL: cannot use PostgreSQL: .*ECONNREFUSED/,
  );
});
