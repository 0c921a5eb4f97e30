/**
 * Presence when the database fails under it: an announcement that fails is logged and tried again until
 * contacts hear the state as it is, so nobody stays "online" to their contacts after leaving. Real
 * server, real devices; one contacts table call is made to fail with `faulty`.
 */
import { afterEach, expect, it } from 'vitest';
import type { ContactsTable } from '../db/contacts.js';
import { createLogger } from '../log.js';
import { faulty, recordCrashes, type Faulty } from '../test-support/faults.js';
import { befriend, person, startTestServer, type TestServer } from '../test-support/harness.js';
import { LogCapture } from '../test-support/log-capture.js';

const recorder = recordCrashes();

let server: TestServer;
afterEach(() => server.stop());

it('a failed announcement after a disconnect is tried again: the contact sees offline', async () => {
  const logs = new LogCapture();
  let contactsTable: Faulty<ContactsTable> | undefined;
  server = await startTestServer(
    {},
    {
      log: createLogger('error', logs),
      replaceParts: (parts) => ({ contactsTable: (contactsTable = faulty(parts.contactsTable)) }),
    },
  );
  const alice = await person(server, 'alice');
  const bob = await person(server, 'bob');
  await befriend(alice, bob);
  const bobId = (await server.db.get<{ id: number }>("SELECT id FROM users WHERE username = 'bob'"))!.id;

  contactsTable!.failNext('acceptedIds'); // who to tell about bob's change
  bob.device.close();

  expect(await alice.device.next('presence.changed', (p) => p.presence === 'offline')).toEqual({
    username: 'bob',
    presence: 'offline',
  });
  expect(contactsTable!.failures).toBe(1);
  expect(logs.withMessage('presence update failed; trying again')).toMatchObject([
    { level: 50, userId: bobId, err: { code: 'SQLITE_BUSY' } },
  ]);
  expect(recorder.crashes).toEqual([]);
});
