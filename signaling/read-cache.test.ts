/**
 * The rows every connect and announcement reads are cached (db/read-cache.ts); these check that a
 * client never sees a stale one: after contact changes, a sign-out, an account disabled or renamed by
 * another process, and missed calls seen. Each step reads through a warm cache first, so a cache that
 * kept the old row would show it.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runAdmin } from './admin.js';
import { DATABASE_FILE } from './db/database.js';
import { httpRoutes } from './protocol/index.js';
import {
  befriend,
  connect,
  person,
  postJson,
  signIn,
  startTestServer,
  type TestServer,
} from './test-support/harness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const quietAdmin = { print: () => undefined, readPassword: async () => '' };

/** Resolves with the connect error's code. */
async function refused(token: string): Promise<unknown> {
  const err = await connect(server!, token).then(
    () => undefined,
    (e: unknown) => e,
  );
  return (err as { data?: { code?: string } } | undefined)?.data?.code;
}

it('presence reaches contacts added after the connect, and stops reaching removed ones', async () => {
  server = await startTestServer();
  const alice = await person(server, 'alice'); // her (empty) contact ids were read to announce her
  const carol = await person(server, 'carol');
  await befriend(alice, carol);

  await alice.device.ok('presence.update', { away: true });
  expect(await carol.device.next('presence.changed', (p) => p.username === 'alice')).toEqual({
    username: 'alice',
    presence: 'away',
  });

  await carol.device.ok('contacts.remove', { username: 'alice' });
  await alice.device.next('contact.removed');
  await alice.device.ok('presence.update', { away: false });
  // A marker from a contact she still has: anything alice's change sent carol would have come first.
  const dave = await person(server, 'dave');
  await befriend(carol, dave);
  await dave.device.ok('presence.update', { away: true });
  await carol.device.next('presence.changed', (p) => p.username === 'dave' && p.presence === 'away');
  expect(carol.device.all('presence.changed').filter((p) => p.username === 'alice')).toEqual([
    { username: 'alice', presence: 'away' },
  ]);
});

it('a signed-out token is refused at once, though it connected a moment before', async () => {
  server = await startTestServer();
  const alice = await person(server, 'alice');
  const out = await postJson(server, httpRoutes.logout, '', { authorization: `Bearer ${alice.token}` });
  expect(out.status).toBe(204);
  expect(await refused(alice.token)).toBe('E_UNAUTHORIZED');
});

it('an account disabled by another process is refused at its next connect, and back once enabled', async () => {
  server = await startTestServer();
  const alice = await person(server, 'alice');
  await connect(server, alice.token); // the session and user rows are cached now

  expect(await runAdmin(['disable', 'alice'], server.config, quietAdmin)).toBe(0);
  // No wait for the revocation watch: the database's change is seen by the very next connect.
  expect(await refused(alice.token)).toBe('E_UNAUTHORIZED');

  expect(await runAdmin(['enable', 'alice'], server.config, quietAdmin)).toBe(0);
  const again = await connect(server, (await signIn(server, 'alice')).token);
  expect(again.ready.user.username).toBe('alice');
});

it('a display name changed in the database by another process shows at the next connect', async () => {
  server = await startTestServer();
  const alice = await person(server, 'alice');
  expect(alice.device.ready.user.displayName).not.toBe('Alice A.');

  const other = new Database(join(server.config.dataDir, DATABASE_FILE));
  other.prepare("UPDATE users SET display_name = 'Alice A.' WHERE username = 'alice'").run();
  other.close();

  expect((await connect(server, alice.token)).ready.user).toEqual({
    username: 'alice',
    displayName: 'Alice A.',
  });
});

it('the missed-call count follows missed calls and their being seen', async () => {
  server = await startTestServer({ ringTimeout: 60 });
  const alice = await person(server, 'alice');
  const bob = await person(server, 'bob');
  await befriend(alice, bob);
  expect(bob.device.ready.unseenMissedCalls).toBe(0);

  const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
  await bob.device.next('call.incoming', (p) => p.callId === callId);
  await alice.device.ok('call.cancel', { callId });
  await bob.device.next('history.unseen', (p) => p.unseenMissedCalls === 1);
  expect((await connect(server, bob.token)).ready.unseenMissedCalls).toBe(1);

  await bob.device.ok('history.markSeen', {});
  expect((await connect(server, bob.token)).ready.unseenMissedCalls).toBe(0);
});

it('a call goes to a contact while the contact stays, through the cached contact ids, and is refused once removed', async () => {
  server = await startTestServer({ ringTimeout: 60 });
  const alice = await person(server, 'alice'); // her contact ids are cached from here on: none
  const bob = await person(server, 'bob');
  const carol = await person(server, 'carol');
  expect(await alice.device.fails('call.invite', { callee: 'bob', media: 'audio' })).toBe('E_NOT_CONTACT');
  await befriend(alice, bob);
  await befriend(alice, carol);
  await connect(server, alice.token); // read again into the cache: bob and carol

  const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
  await bob.device.next('call.incoming', (p) => p.callId === callId);
  await alice.device.ok('call.cancel', { callId });

  await bob.device.ok('contacts.remove', { username: 'alice' });
  await alice.device.next('contact.removed');
  expect(await alice.device.fails('call.invite', { callee: 'bob', media: 'audio' })).toBe('E_NOT_CONTACT');

  // Removed by another process: the cache cannot have heard of it, the database's data version tells.
  const other = new Database(join(server.config.dataDir, DATABASE_FILE));
  other.prepare('DELETE FROM contacts').run();
  other.close();
  expect(await alice.device.fails('call.invite', { callee: 'carol', media: 'audio' })).toBe('E_NOT_CONTACT');
  expect(carol.device.all('call.incoming')).toEqual([]);
});

it('a callee looked up by name before is refused once disabled by another process, and called again once enabled', async () => {
  server = await startTestServer({ ringTimeout: 60 });
  const alice = await person(server, 'alice');
  const bob = await person(server, 'bob');
  await befriend(alice, bob);
  const first = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' }); // bob's id by name: cached
  await alice.device.ok('call.cancel', { callId: first.callId });

  expect(await runAdmin(['disable', 'bob'], server.config, quietAdmin)).toBe(0);
  expect(await alice.device.fails('call.invite', { callee: 'bob', media: 'audio' })).toBe('E_NOT_CONTACT');

  expect(await runAdmin(['enable', 'bob'], server.config, quietAdmin)).toBe(0);
  const bobAgain = await connect(server, (await signIn(server, 'bob')).token);
  const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
  await bobAgain.next('call.incoming', (p) => p.callId === callId);
});
