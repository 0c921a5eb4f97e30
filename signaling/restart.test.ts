/**
 * A server restart on the same data directory keeps accounts, contacts, history and answered calls
 * (a deploy does not end them: their media is peer-to-peer).
 */
import { rmSync } from 'node:fs';
import { newCallId } from './accounts/tokens.js';
import type { ServerConfig } from './config.js';
import { CallsTable } from './db/calls.js';
import { openDatabase } from './db/database.js';
import { LiveCallsTable } from './db/live-calls.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from './protocol/index.js';
import {
  befriend,
  connect,
  person,
  signIn,
  startTestServer,
  type TestDevice,
  type TestServer,
} from './test-support/harness.js';
import { databasesPerFile, useDatabase } from './test-support/databases.js';

describe.each(databasesPerFile())('on $name', (database) => {
  useDatabase(database);

  const running = new Set<TestServer>();
  const dataDirs = new Set<string>();

  async function start(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
    const server = await startTestServer(overrides);
    running.add(server);
    dataDirs.add(server.config.dataDir);
    return server;
  }

  async function stop(server: TestServer): Promise<void> {
    running.delete(server);
    await server.stop({ removeData: false });
  }

  afterEach(async () => {
    await Promise.all([...running].map((s) => s.stop({ removeData: false })));
    running.clear();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    dataDirs.clear();
  });

  const entryOf = async (device: TestDevice, callId: string): Promise<HistoryEntry | undefined> =>
    (await device.ok('history.list', {})).entries.find((e) => e.callId === callId);

  /** Resolves with the events a device received up to its disconnect. */
  const eventsUntilDisconnect = (device: TestDevice): Promise<string[]> =>
    new Promise((resolve) => device.socket.once('disconnect', () => resolve(device.eventNames())));

  describe('restart', () => {
    it('keeps accounts, contacts and call history', async () => {
      const first = await start();
      const alice = await person(first, 'alice');
      const bob = await person(first, 'bob');
      await befriend(alice, bob);

      const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
      await bob.device.next('call.incoming', (p) => p.callId === callId);
      await bob.device.ok('call.decline', { callId });
      expect(await alice.device.next('call.ended', (p) => p.callId === callId)).toEqual({
        callId,
        reason: 'declined',
      });
      await stop(first);

      const second = await start({ dataDir: first.config.dataDir });
      const [aliceGrant, bobGrant] = await Promise.all([signIn(second, 'alice'), signIn(second, 'bob')]);
      expect(aliceGrant.user).toEqual({ username: 'alice', displayName: 'ALICE' });
      const aliceAgain = await connect(second, aliceGrant.token);
      const bobAgain = await connect(second, bobGrant.token);

      expect(aliceAgain.ready.contacts).toEqual([
        expect.objectContaining({ username: 'bob', displayName: 'BOB', state: 'accepted' }),
      ]);
      expect(bobAgain.ready.contacts).toEqual([
        expect.objectContaining({ username: 'alice', state: 'accepted' }),
      ]);
      // Presence is live again: bob is online for alice.
      await aliceAgain.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'online');

      expect(await entryOf(aliceAgain, callId)).toMatchObject({
        direction: 'outgoing',
        peer: { username: 'bob' },
        media: 'audio',
        endReason: 'declined',
        missed: false,
        answeredAt: null,
      });
      expect(await entryOf(bobAgain, callId)).toMatchObject({
        direction: 'incoming',
        peer: { username: 'alice' },
        endReason: 'declined',
        missed: false,
      });
      // Sessions from before the restart still sign in too (tokens are stored, not in memory).
      const oldSession = await connect(second, alice.token);
      expect(oldSession.ready.user.username).toBe('alice');
      for (const d of [aliceAgain, bobAgain, oldSession]) d.close();
    });

    /** Alice calls bob, bob answers: an active call; `leg`: bob's device as `call.accepted` names it. */
    async function activeCall(server: TestServer) {
      const alice = await person(server, 'alice');
      const bob = await person(server, 'bob');
      await befriend(alice, bob);
      const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'video' });
      await bob.device.next('call.incoming', (p) => p.callId === callId);
      await bob.device.ok('call.accept', { callId });
      const { leg } = await alice.device.next('call.accepted', (p) => p.callId === callId);
      return { alice, bob, callId, leg };
    }

    /** The one history entry of a call, as a device's history lists it (every entry of that call). */
    const onlyEntry = async (device: TestDevice, callId: string): Promise<HistoryEntry> => {
      const mine = (await device.ok('history.list', {})).entries.filter((e) => e.callId === callId);
      expect(mine).toHaveLength(1);
      return mine[0]!;
    };

    it('an answered call outlives a restart: both devices get it back, hang-up works, one history row with its true duration', async () => {
      const first = await start({ gracePeriod: 10 });
      const { alice, bob, callId, leg } = await activeCall(first);
      const { answeredAt } = await onlyEntry(alice.device, callId);
      const saw = [eventsUntilDisconnect(alice.device), eventsUntilDisconnect(bob.device)];
      await stop(first);
      for (const events of await Promise.all(saw)) {
        expect(events).toContain('server.shutdown');
        expect(events).not.toContain('call.ended');
      }

      const second = await start({ dataDir: first.config.dataDir, gracePeriod: 10 });
      const aliceAgain = await connect(second, alice.token, alice.device.deviceId);
      const bobAgain = await connect(second, bob.token, bob.device.deviceId);
      const resumed = { callId, media: 'video', state: 'active', boundHere: true };
      // The caller's device is told the answering leg again: legs are derived, so they survive the restart.
      expect(aliceAgain.ready.calls).toEqual([
        { ...resumed, role: 'caller', peer: expect.objectContaining({ username: 'bob' }), leg },
      ]);
      expect(bobAgain.ready.calls).toEqual([
        { ...resumed, role: 'callee', peer: expect.objectContaining({ username: 'alice' }) },
      ]);
      // The relay works again between the two bound devices, and bob's device keeps its leg.
      await bobAgain.ok('call.signal', { callId, signal: { kind: 'candidate', candidate: null } });
      expect(await aliceAgain.next('call.signal')).toEqual({
        callId,
        signal: { kind: 'candidate', candidate: null },
        leg,
      });
      await aliceAgain.ok('call.signal', { callId, signal: { kind: 'candidate', candidate: null }, leg });
      expect(await bobAgain.next('call.signal')).toEqual({
        callId,
        signal: { kind: 'candidate', candidate: null },
      });

      const hungUpFrom = Date.now();
      await aliceAgain.ok('call.hangup', { callId });
      const hungUpBy = Date.now();
      expect(await bobAgain.next('call.ended', (p) => p.callId === callId)).toEqual({
        callId,
        reason: 'completed',
      });
      const entry = await onlyEntry(bobAgain, callId);
      expect(entry).toMatchObject({
        endReason: 'completed',
        missed: false,
        answeredAt,
        answeredDevice: bob.device.deviceId,
      });
      expect(Date.parse(entry.endedAt!)).toBeGreaterThanOrEqual(hungUpFrom);
      expect(Date.parse(entry.endedAt!)).toBeLessThanOrEqual(hungUpBy);
      expect(await onlyEntry(aliceAgain, callId)).toMatchObject({
        endReason: 'completed',
        answeredAt,
        endedAt: entry.endedAt,
      });
    });

    it('a bound device that is not back within the grace period from the start ends the call as connection-lost', async () => {
      const first = await start();
      const { alice, bob, callId } = await activeCall(first);
      await stop(first);

      const second = await start({ dataDir: first.config.dataDir });
      const startedAt = Date.now();
      const aliceAgain = await connect(second, alice.token, alice.device.deviceId);
      expect(aliceAgain.ready.calls).toEqual([
        expect.objectContaining({ callId, state: 'active', boundHere: true }),
      ]);
      expect(await aliceAgain.next('call.ended', (p) => p.callId === callId)).toEqual({
        callId,
        reason: 'connection-lost',
      });
      const entry = await onlyEntry(aliceAgain, callId);
      expect(entry).toMatchObject({ endReason: 'connection-lost', missed: false });
      expect(Date.parse(entry.endedAt!)).toBeGreaterThanOrEqual(
        startedAt + second.config.gracePeriod * 1000 - 50,
      );
      const bobAgain = await connect(second, bob.token, bob.device.deviceId);
      expect(bobAgain.ready.calls).toEqual([]);
    });

    it('a ringing call ends as interrupted at shutdown: devices get server.shutdown and then call.ended', async () => {
      const first = await start();
      const alice = await person(first, 'alice');
      const bob = await person(first, 'bob');
      await befriend(alice, bob);
      const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'audio' });
      await bob.device.next('call.incoming', (p) => p.callId === callId);
      const saw = [eventsUntilDisconnect(alice.device), eventsUntilDisconnect(bob.device)];
      await stop(first);
      for (const [i, device] of [alice.device, bob.device].entries()) {
        const events = await saw[i]!;
        expect(events.indexOf('server.shutdown')).toBeGreaterThanOrEqual(0);
        expect(events.indexOf('server.shutdown')).toBeLessThan(events.indexOf('call.ended'));
        expect(await device.next('call.ended', (p) => p.callId === callId)).toEqual({
          callId,
          reason: 'interrupted',
        });
      }

      const second = await start({ dataDir: first.config.dataDir });
      const bobAgain = await connect(second, bob.token, bob.device.deviceId);
      expect(bobAgain.ready.calls).toEqual([]);
      expect(await onlyEntry(bobAgain, callId)).toMatchObject({ endReason: 'interrupted', missed: true });
    });

    it('a ringing call a crashed server left in the store ends as interrupted at the next start', async () => {
      const first = await start();
      const alice = await person(first, 'alice');
      const bob = await person(first, 'bob');
      await befriend(alice, bob);
      await stop(first);
      // What a crash mid-ring of an older version left (this one writes only answered calls to live_calls):
      // the ringing call's row and its open history row.
      const db = await openDatabase(first.config);
      const ids = (await db.all<{ id: number }>('SELECT id FROM users ORDER BY id')).map((u) => u.id);
      const callId = newCallId();
      await new CallsTable(db).insert({
        id: callId,
        callerId: ids[0]!,
        calleeId: ids[1]!,
        media: 'audio',
        callerDevice: alice.device.deviceId,
        createdAt: Date.now(),
      });
      await new LiveCallsTable(db).put({
        id: callId,
        media: 'audio',
        caller: { userId: ids[0]!, deviceId: alice.device.deviceId },
        callee: { userId: ids[1]!, deviceId: null },
        state: 'ringing',
        createdAt: Date.now(),
        answeredAt: null,
      });
      await db.close();

      const second = await start({ dataDir: first.config.dataDir });
      const bobAgain = await connect(second, bob.token, bob.device.deviceId);
      expect(bobAgain.ready.calls).toEqual([]);
      expect(bobAgain.ready.unseenMissedCalls).toBe(1);
      expect(await onlyEntry(bobAgain, callId)).toMatchObject({ endReason: 'interrupted', missed: true });
      const aliceAgain = await connect(second, alice.token, alice.device.deviceId);
      expect(await aliceAgain.ok('call.invite', { callee: 'bob', media: 'audio' })).toMatchObject({
        callId: expect.any(String),
      });
    });
  });
});
