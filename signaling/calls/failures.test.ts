/**
 * What people see when the database or the call registry fails under a call: the server keeps running
 * (no unhandled rejection), logs the failure at error with the call, and nobody is left in a call that
 * has ended or with a call that can never end. Real server, real devices; one table or registry call is
 * made to fail with `faulty`.
 */
import { afterEach, expect, it } from 'vitest';
import type { CallsTable } from '../db/calls.js';
import type { ContactsTable } from '../db/contacts.js';
import { createLogger } from '../log.js';
import type { CallRegistry } from './registry.js';
import { faulty, recordCrashes, type Faulty } from '../test-support/faults.js';
import {
  befriend,
  connect,
  person,
  signIn,
  startTestServer,
  type Person,
  type TestServer,
} from '../test-support/harness.js';
import { LogCapture } from '../test-support/log-capture.js';

const recorder = recordCrashes();

let server: TestServer;
let logs: LogCapture;
let callsTable: Faulty<CallsTable>;
let contactsTable: Faulty<ContactsTable>;
let registry: Faulty<CallRegistry>;
let alice: Person;
let bob: Person;

afterEach(() => server.stop());

/** A server whose calls table, contacts table and call registry can be made to fail; alice and bob are contacts. */
async function start(): Promise<void> {
  logs = new LogCapture();
  server = await startTestServer(
    { ringTimeout: 1, gracePeriod: 1 },
    {
      log: createLogger('error', logs),
      replaceParts: (parts) => ({
        callsTable: (callsTable = faulty(parts.callsTable)),
        contactsTable: (contactsTable = faulty(parts.contactsTable)),
        registry: (registry = faulty(parts.registry)),
      }),
    },
  );
  alice = await person(server, 'alice');
  bob = await person(server, 'bob');
  await befriend(alice, bob);
}

const userId = async (username: string): Promise<number> =>
  (await server.db.get<{ id: number }>('SELECT id FROM users WHERE username = ?', [username]))!.id;

async function ringing(): Promise<string> {
  const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
  await bob.device.next('call.incoming', (p) => p.callId === callId);
  return callId;
}

async function active(): Promise<string> {
  const callId = await ringing();
  await bob.device.ok('call.accept', { callId });
  await alice.device.next('call.accepted', (p) => p.callId === callId);
  return callId;
}

const lastCall = async (p: Person) => (await p.device.ok('history.list', {})).entries[0];

/** The error lines with this message, as { msg, code of the error, and the given fields }. */
const errorLines = (msg: string) =>
  logs
    .withMessage(msg)
    .filter((l) => l.level === 50)
    .map((l) => ({ ...l, code: (l.err as { code?: string } | undefined)?.code }));

it('a ring timeout whose history write fails still ends the call for both; the next start records it', async () => {
  await start();
  callsTable.failNext('markEnded'); // armed before the ring timer starts: ringing itself writes no end
  const callId = await ringing();

  const ended = { callId, reason: 'missed' };
  expect(await alice.device.next('call.ended', (p) => p.callId === callId)).toEqual(ended);
  expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual(ended);
  expect(errorLines('recording a call failed')).toMatchObject([
    { callId, step: 'end', reason: 'missed', code: 'SQLITE_BUSY' },
  ]);
  expect(callsTable.failures).toBe(1);
  // Nobody is left in the call: they can call again at once.
  const { callId: next } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
  await bob.device.next('call.incoming', (p) => p.callId === next);
  expect(recorder.crashes).toEqual([]);

  // The row the write missed is closed at the next start, like any call a stopped server left open.
  const { dataDir } = server.config;
  await server.stop({ removeData: false });
  server = await startTestServer({ dataDir });
  const device = await connect(server, (await signIn(server, 'alice')).token);
  const { entries } = await device.ok('history.list', {});
  expect(entries.find((e) => e.callId === callId)).toMatchObject({ endReason: 'interrupted' });
});

it('a ring timeout whose registry update fails is tried again: the call ends as missed', async () => {
  await start();
  registry.failNext('update'); // placing a call claims; only the timeout updates
  const callId = await ringing();

  expect(await alice.device.next('call.ended', (p) => p.callId === callId)).toEqual({
    callId,
    reason: 'missed',
  });
  expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual({
    callId,
    reason: 'missed',
  });
  expect(errorLines('call timer failed; trying again')).toMatchObject([
    { callId, action: 'timeout', code: 'SQLITE_BUSY' },
  ]);
  expect(await lastCall(bob)).toMatchObject({ callId, endReason: 'missed', missed: true });
  expect(recorder.crashes).toEqual([]);
});

it('a grace period whose history write fails still ends the call for the one who stayed', async () => {
  await start();
  const callId = await active();
  callsTable.failNext('markEnded');
  bob.device.close();
  await alice.device.next('call.peer', (p) => p.callId === callId && !p.connected);

  expect(await alice.device.next('call.ended', (p) => p.callId === callId)).toEqual({
    callId,
    reason: 'connection-lost',
  });
  expect(errorLines('recording a call failed')).toMatchObject([
    { callId, step: 'end', reason: 'connection-lost', code: 'SQLITE_BUSY' },
  ]);
  await alice.device.ok('presence.update', { away: false }); // the server still answers
  expect(recorder.crashes).toEqual([]);
});

it('an answer whose history write fails still connects the call', async () => {
  await start();
  const callId = await ringing();
  callsTable.failNext('markAnswered');

  await bob.device.ok('call.accept', { callId });
  await alice.device.next('call.accepted', (p) => p.callId === callId);
  expect(errorLines('recording a call failed')).toMatchObject([
    { callId, step: 'answer', code: 'SQLITE_BUSY' },
  ]);
  await alice.device.ok('call.hangup', { callId });
  expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual({
    callId,
    reason: 'completed',
  });
  expect(await lastCall(bob)).toMatchObject({ callId, endReason: 'completed', missed: false });
  expect(recorder.crashes).toEqual([]);
});

it('a presence update after an answer that fails is tried again until contacts see busy', async () => {
  await start();
  const callId = await ringing();
  contactsTable.failNext('acceptedIds'); // the first of the two refreshes (caller, callee) to announce

  await bob.device.ok('call.accept', { callId });
  expect(await bob.device.next('presence.changed', (p) => p.presence === 'busy')).toEqual({
    username: 'alice',
    presence: 'busy',
  });
  expect(await alice.device.next('presence.changed', (p) => p.presence === 'busy')).toEqual({
    username: 'bob',
    presence: 'busy',
  });
  expect(errorLines('presence update failed; trying again')).toMatchObject([
    { userId: expect.toBeOneOf([await userId('alice'), await userId('bob')]), code: 'SQLITE_BUSY' },
  ]);
  expect(recorder.crashes).toEqual([]);
});

it('an invite whose history row cannot be written is refused and leaves nobody in a call', async () => {
  await start();
  callsTable.failNext('insert');

  expect(await alice.device.fails('call.invite', { callee: 'bob', media: 'audio' })).toBe('E_INTERNAL');
  const callId = await ringing(); // not E_IN_CALL / E_BUSY: the failed call did not stay claimed
  expect(bob.device.all('call.incoming').map((p) => p.callId)).toEqual([callId]);
  expect(recorder.crashes).toEqual([]);
});

it('a shutdown whose history write fails still tells both and stops', async () => {
  await start();
  const callId = await ringing(); // shutdown ends ringing calls; answered ones stay for the next start
  callsTable.failNext('markEnded');

  await server.stop({ removeData: false });
  const ended = { callId, reason: 'interrupted' };
  expect(alice.device.all('call.ended')).toEqual([ended]);
  expect(bob.device.all('call.ended')).toEqual([ended]);
  expect(errorLines('recording a call failed')).toMatchObject([
    { callId, step: 'end', reason: 'interrupted', code: 'SQLITE_BUSY' },
  ]);
  await expect(server.db.get('SELECT 1')).rejects.toThrow(); // closed
  expect(recorder.crashes).toEqual([]);
});

it('a shutdown that cannot end one call in the registry still ends the others and stops', async () => {
  await start();
  const first = await ringing();
  const carol = await person(server, 'carol');
  const dave = await person(server, 'dave');
  await befriend(carol, dave);
  const { callId: second } = await carol.device.ok('call.invite', { callee: 'dave', media: 'audio' });
  await dave.device.next('call.incoming', (p) => p.callId === second);
  registry.failNext('update'); // the first call's

  await server.stop({ removeData: false });
  expect(logs.withMessage('interrupting a call failed')).toMatchObject([
    { level: 50, callId: first, err: { code: 'SQLITE_BUSY' } },
  ]);
  expect(carol.device.all('call.ended')).toEqual([{ callId: second, reason: 'interrupted' }]);
  expect(dave.device.all('call.ended')).toEqual([{ callId: second, reason: 'interrupted' }]);
  await expect(server.db.get('SELECT 1')).rejects.toThrow(); // closed
  expect(recorder.crashes).toEqual([]);
});
