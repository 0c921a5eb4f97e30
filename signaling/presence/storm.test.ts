/**
 * Presence storms: a user toggling as fast as a script can reaches each
 * contact a bounded number of times (rate limit, then coalescing per user),
 * and every contact still ends up with the user's final state; a crowd of
 * contacts connecting reaches a watcher in a few frames (`PresenceFanout`).
 */
import { afterEach, expect, it } from 'vitest';
import { hashToken, newSessionToken } from '../accounts/tokens.js';
import { ContactsTable } from '../db/contacts.js';
import { SessionsTable } from '../db/sessions.js';
import { UsersTable } from '../db/users.js';
import type { Presence } from '../protocol/index.js';
import { requestLimits } from '../realtime/limits.js';
import {
  connect,
  person,
  startTestServer,
  type TestDevice,
  type TestServer,
} from '../test-support/harness.js';
import { HOLD_MS } from './fanout.js';
import { ANNOUNCE_WINDOW_MS } from './service.js';

let server: TestServer;
afterEach(() => server.stop());

/** What `watcher` heard about `username`, in order. */
const heard = (watcher: TestDevice, username: string): Presence[] =>
  watcher
    .all('presence.changed')
    .filter((p) => p.username === username)
    .map((p) => p.presence);

/**
 * Accounts with a session each, straight in the database: a hundred sign-ups
 * would spend seconds on password hashing that this test is not about.
 */
async function seedPeople(
  s: TestServer,
  usernames: string[],
): Promise<{ username: string; token: string }[]> {
  const users = new UsersTable(s.db);
  const sessions = new SessionsTable(s.db);
  const seeded = [];
  for (const username of usernames) {
    const user = (await users.insert(username, username.toUpperCase(), 'seeded, no password', Date.now()))!;
    const token = newSessionToken();
    await sessions.insert(hashToken(token), user.id, Date.now());
    seeded.push({ username, token });
  }
  return seeded;
}

/** Makes `username` an accepted contact of each of `peers`, straight in the database (no request limits). */
async function befriendAll(s: TestServer, username: string, peers: string[]): Promise<void> {
  const users = new UsersTable(s.db);
  const contacts = new ContactsTable(s.db);
  const me = (await users.findByUsername(username))!;
  for (const peer of peers)
    await contacts.setPair(me.id, (await users.findByUsername(peer))!.id, 'accepted', 'accepted', 0);
}

it('500 toggles by a user with 100 online contacts, then leaving: a few pushes per contact, the last one offline', async () => {
  server = await startTestServer();
  const bob = await person(server, 'bob');
  const names = Array.from({ length: 100 }, (_, i) => `contact${String(i).padStart(3, '0')}`);
  const seeded = await seedPeople(server, names);
  await befriendAll(server, 'bob', names);
  const watchers = await Promise.all(seeded.map((p) => connect(server, p.token)));
  expect(watchers.every((w) => w.ready.contacts[0]?.presence === 'online')).toBe(true);

  // One after the other, as fast as the acknowledgements come back; then bob's only device goes.
  const { points } = requestLimits(server.config)['presence.update'];
  const started = Date.now();
  let changesMs = 0; // how long the changes that were let through took
  const answers: string[] = [];
  for (let i = 0; i < 500; i++) {
    const result = await bob.device.request('presence.update', { away: i % 2 === 0 });
    answers.push(result.ok ? result.presence : result.error.code);
    if (i === points - 1) changesMs = Date.now() - started;
  }
  bob.device.close();
  expect(answers.slice(0, points)).toEqual(
    Array.from({ length: points }, (_, i) => (i % 2 ? 'online' : 'away')),
  );
  expect(new Set(answers.slice(points))).toEqual(new Set(['E_RATE_LIMITED']));

  // The final state is offline: it reaches every contact (a state bob is in only at the end)...
  await Promise.all(
    watchers.map((w) => w.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'offline')),
  );
  // ...after at most one announcement per window from the first change until one window after the last
  // (the first at once, one per window while they come, one at the end), and then the offline one. The
  // bound follows the time the changes took, not the whole storm: without coalescing it would be 61.
  const bound = 3 + Math.ceil(changesMs / ANNOUNCE_WINDOW_MS);
  expect(bound, `${points} changes took ${changesMs} ms`).toBeLessThan(points + 1);
  for (const watcher of watchers) {
    const pushes = heard(watcher, 'bob');
    expect(pushes.length).toBeLessThanOrEqual(bound);
    expect(pushes.indexOf('offline')).toBe(pushes.length - 1);
  }
});

it('changes within a window are not lost, also when the device disconnects right after', async () => {
  server = await startTestServer();
  const [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
  await befriendAll(server, 'alice', ['bob']);
  const bobAgain = await connect(server, bob.token); // sees alice in session.ready
  expect(bobAgain.ready.contacts).toEqual([
    expect.objectContaining({ username: 'alice', presence: 'online' }),
  ]);

  // Each announcement opens a window: changes right after it go out together at its end.
  await alice.device.ok('presence.update', { away: true });
  await bobAgain.next('presence.changed', (p) => p.username === 'alice' && p.presence === 'away');
  await alice.device.ok('presence.update', { away: false });
  await bobAgain.next('presence.changed', (p) => p.username === 'alice' && p.presence === 'online');
  await alice.device.ok('presence.update', { dnd: true });
  alice.device.close();
  await bobAgain.next('presence.changed', (p) => p.username === 'alice' && p.presence === 'offline');
  expect(heard(bobAgain, 'alice').at(-1)).toBe('offline');

  // dnd was stored: it is what alice's contacts see when she comes back.
  const aliceBack = await connect(server, alice.token);
  expect(aliceBack.ready).toMatchObject({ presence: 'dnd', dnd: true });
  await bobAgain.next('presence.changed', (p) => p.username === 'alice' && p.presence === 'dnd');
});

it('40 contacts connecting at once reach a watcher in a few frames, each contact online in the end', async () => {
  server = await startTestServer();
  const watcherAccount = await person(server, 'watcher');
  const names = Array.from({ length: 40 }, (_, i) => `crowd${String(i).padStart(2, '0')}`);
  const seeded = await seedPeople(server, names);
  await befriendAll(server, 'watcher', names);
  const watcher = await connect(server, watcherAccount.token);

  const started = Date.now();
  await Promise.all(seeded.map((p) => connect(server, p.token)));
  await Promise.all(
    names.map((name) =>
      watcher.next('presence.changed', (p) => p.username === name && p.presence === 'online'),
    ),
  );
  const tookMs = Date.now() - started;

  // At most two frames a tick (one at once, one batch at its end), from the first connect to the last
  // announcement heard: one per contact without batching.
  const ticks = Math.ceil(tookMs / HOLD_MS) + 1;
  expect(2 * ticks, `the connects took ${tookMs} ms: too slow to share ticks`).toBeLessThan(names.length);
  expect(watcher.frames('presence.changed', 'presence.batch')).toBeLessThanOrEqual(2 * ticks);
  for (const name of names) expect(heard(watcher, name)).toEqual(['online']);
});
