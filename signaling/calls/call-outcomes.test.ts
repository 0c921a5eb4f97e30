/** Every call outcome, end to end: real server, real SQLite, real socket.io-client devices. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  befriend,
  connect,
  person,
  type Person,
  startTestServer,
  type TestServer,
} from '../test-support/harness.js';
import { databasesPerFile, useDatabase } from '../test-support/databases.js';

describe.each(databasesPerFile())('on $name', (database) => {
  useDatabase(database);

  let server: TestServer;
  let alice: Person;
  let bob: Person;

  beforeEach(async () => {
    server = await startTestServer({ ringTimeout: 1 });
    [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
    await befriend(alice, bob);
  });

  afterEach(async () => {
    await server.stop();
  });

  async function ring(media: 'audio' | 'video' = 'video') {
    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media });
    const incoming = await bob.device.next('call.incoming', (p) => p.callId === callId);
    await alice.device.next('call.ringing', (p) => p.callId === callId);
    return { callId, incoming };
  }

  const lastEntry = async (p: Person, callId: string) =>
    (await p.device.ok('history.list', {})).entries.find((e) => e.callId === callId);

  describe('call outcomes', () => {
    it('a normal call: ring, accept, relay, hang up, history on both sides', async () => {
      const { callId, incoming } = await ring('video');
      expect(incoming.caller).toEqual({ username: 'alice', displayName: 'ALICE' });
      expect(incoming.media).toBe('video');

      await bob.device.ok('call.accept', { callId });
      await alice.device.next('call.accepted', (p) => p.callId === callId);
      await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'busy');

      const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0 offer' } } as const;
      await alice.device.ok('call.signal', { callId, signal: offer });
      expect((await bob.device.next('call.signal')).signal).toEqual(offer);
      const answer = { kind: 'description', description: { type: 'answer', sdp: 'v=0 answer' } } as const;
      await bob.device.ok('call.signal', { callId, signal: answer });
      expect((await alice.device.next('call.signal')).signal).toEqual(answer);

      await alice.device.ok('call.hangup', { callId });
      expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual({
        callId,
        reason: 'completed',
      });
      await alice.device.next('call.ended', (p) => p.callId === callId);
      await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'online');

      const mine = await lastEntry(alice, callId);
      expect(mine).toMatchObject({
        direction: 'outgoing',
        endReason: 'completed',
        missed: false,
        media: 'video',
      });
      expect(mine?.peer.username).toBe('bob');
      expect(mine?.answeredAt).not.toBeNull();
      const theirs = await lastEntry(bob, callId);
      expect(theirs).toMatchObject({
        direction: 'incoming',
        endReason: 'completed',
        answeredDevice: bob.device.deviceId,
      });
    });

    it('hang up with reason failed (no media path): ended as failed for both, and so in history', async () => {
      const { callId } = await ring('video');
      await bob.device.ok('call.accept', { callId });
      await alice.device.next('call.accepted', (p) => p.callId === callId);
      // Any other reason is refused, and the call goes on.
      expect(await bob.device.fails('call.hangup', { callId, reason: 'gave-up' } as never)).toBe('E_INVALID');

      await bob.device.ok('call.hangup', { callId, reason: 'failed' });
      for (const p of [alice, bob])
        expect(await p.device.next('call.ended', (e) => e.callId === callId)).toEqual({
          callId,
          reason: 'failed',
        });
      expect(await lastEntry(alice, callId)).toMatchObject({
        direction: 'outgoing',
        endReason: 'failed',
        missed: false,
      });
      expect(await lastEntry(bob, callId)).toMatchObject({
        direction: 'incoming',
        endReason: 'failed',
        missed: false,
      });
      // Both sides giving up at once: the second hangup finds the call over.
      expect(await alice.device.fails('call.hangup', { callId, reason: 'failed' })).toBe('E_CALL_NOT_FOUND');
    });

    it('decline: the caller hears declined, nothing is missed', async () => {
      const { callId } = await ring();
      await bob.device.ok('call.decline', { callId });
      expect((await alice.device.next('call.ended')).reason).toBe('declined');
      expect(await lastEntry(bob, callId)).toMatchObject({ endReason: 'declined', missed: false });
    });

    it('cancel: the callee stops ringing and has a missed call', async () => {
      const { callId } = await ring();
      await alice.device.ok('call.cancel', { callId });
      expect((await bob.device.next('call.ended')).reason).toBe('cancelled');
      expect(await bob.device.next('history.unseen')).toEqual({ unseenMissedCalls: 1 });
      expect(await lastEntry(bob, callId)).toMatchObject({
        endReason: 'cancelled',
        missed: true,
        seen: false,
      });
    });

    it('no answer within the ring timeout: a missed call with a badge that clears when seen', async () => {
      const { callId } = await ring('audio');
      expect((await bob.device.next('call.ended', (p) => p.callId === callId, 4_000)).reason).toBe('missed');
      expect((await alice.device.next('call.ended')).reason).toBe('missed');
      expect(await bob.device.next('history.unseen')).toEqual({ unseenMissedCalls: 1 });
      const entry = (await bob.device.next('history.entry')).entry;
      expect(entry).toMatchObject({ callId, missed: true, seen: false, endReason: 'missed', media: 'audio' });

      const other = await connect(server, bob.token);
      expect(other.ready.unseenMissedCalls).toBe(1);
      expect(await bob.device.ok('history.markSeen', {})).toMatchObject({ unseenMissedCalls: 0 });
      expect(await other.next('history.unseen')).toEqual({ unseenMissedCalls: 0 });
      expect(await lastEntry(bob, callId)).toMatchObject({ missed: true, seen: true });
      other.close();
    });

    it('busy: calling someone who is in a call is refused and recorded', async () => {
      const carol = await person(server, 'carol');
      await befriend(carol, bob);
      const { callId } = await ring();
      await bob.device.ok('call.accept', { callId });
      expect(await carol.device.fails('call.invite', { callee: 'bob', media: 'audio' })).toBe('E_BUSY');
      const entry = (await carol.device.ok('history.list', {})).entries[0];
      expect(entry).toMatchObject({ direction: 'outgoing', endReason: 'busy' });
      expect(bob.device.all('call.incoming')).toHaveLength(1);
    });

    it('a caller already in a call cannot place another one', async () => {
      const carol = await person(server, 'carol');
      await befriend(alice, carol);
      await ring();
      expect(await alice.device.fails('call.invite', { callee: 'carol', media: 'audio' })).toBe('E_IN_CALL');
    });

    it('do not disturb: the callee does not ring, the missed call is recorded', async () => {
      await bob.device.ok('presence.update', { dnd: true });
      await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'dnd');
      expect(await alice.device.fails('call.invite', { callee: 'bob', media: 'video' })).toBe('E_DND');
      expect(await bob.device.next('history.unseen')).toEqual({ unseenMissedCalls: 1 });
      expect(bob.device.all('call.incoming')).toHaveLength(0);
      expect((await bob.device.ok('history.list', {})).entries[0]).toMatchObject({
        endReason: 'dnd',
        missed: true,
      });
    });

    it('callee offline: fails at once and is recorded', async () => {
      bob.device.close();
      await alice.device.next('presence.changed', (p) => p.username === 'bob' && p.presence === 'offline');
      expect(await alice.device.fails('call.invite', { callee: 'bob', media: 'audio' })).toBe('E_OFFLINE');
      const back = await connect(server, bob.token);
      expect(back.ready.unseenMissedCalls).toBe(1);
      expect((await back.ok('history.list', {})).entries[0]).toMatchObject({
        endReason: 'offline',
        missed: true,
      });
      back.close();
    });

    it('only contacts can ring each other', async () => {
      const mallory = await person(server, 'mallory');
      expect(await mallory.device.fails('call.invite', { callee: 'alice', media: 'audio' })).toBe(
        'E_NOT_CONTACT',
      );
      expect(await mallory.device.fails('call.invite', { callee: 'nobody', media: 'audio' })).toBe(
        'E_NOT_CONTACT',
      );
      expect(await alice.device.fails('call.invite', { callee: 'alice', media: 'audio' })).toBe('E_SELF');
    });
  });

  describe('several devices of one user', () => {
    it('rings on every device; the first to answer wins, the others stop ringing', async () => {
      const bobPhone = await connect(server, bob.token);
      const { callId } = await ring();
      await bobPhone.next('call.incoming', (p) => p.callId === callId);

      await bobPhone.ok('call.accept', { callId });
      expect(await bob.device.next('call.ended', (p) => p.callId === callId)).toEqual({
        callId,
        reason: 'answered-elsewhere',
      });
      expect(await bob.device.fails('call.accept', { callId })).toBe('E_CALL_STATE');
      await alice.device.next('call.accepted');

      // Media goes only to the answering device.
      await alice.device.ok('call.signal', { callId, signal: { kind: 'candidate', candidate: null } });
      await bobPhone.next('call.signal');
      expect(
        await bob.device.fails('call.signal', { callId, signal: { kind: 'candidate', candidate: null } }),
      ).toBe('E_CALL_NOT_FOUND');
      expect(bob.device.all('call.signal')).toHaveLength(0);
      expect((await lastEntry(bob, callId))?.answeredDevice).toBe(bobPhone.deviceId);
      bobPhone.close();
    });

    it('declining on one device stops every device', async () => {
      const bobPhone = await connect(server, bob.token);
      const { callId } = await ring();
      await bobPhone.next('call.incoming');
      await bob.device.ok('call.decline', { callId });
      expect((await bobPhone.next('call.ended')).reason).toBe('declined');
      bobPhone.close();
    });
  });

  describe('connection loss', () => {
    it('a bound device that does not return within the grace period ends the call as connection-lost', async () => {
      const { callId } = await ring();
      await bob.device.ok('call.accept', { callId });
      await alice.device.next('call.accepted');
      bob.device.close();
      expect(await alice.device.next('call.peer')).toEqual({ callId, connected: false });
      expect(await alice.device.next('call.ended', (p) => p.callId === callId, 4_000)).toEqual({
        callId,
        reason: 'connection-lost',
      });
      expect(await lastEntry(alice, callId)).toMatchObject({ endReason: 'connection-lost' });
    });

    it('a device that returns within the grace period keeps the call', async () => {
      await server.stop();
      server = await startTestServer({ gracePeriod: 3, ...(await database.fresh()) });
      [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
      await befriend(alice, bob);
      const { callId } = await ring();
      await bob.device.ok('call.accept', { callId });
      await alice.device.next('call.accepted');

      bob.device.close();
      await alice.device.next('call.peer', (p) => !p.connected);
      const back = await connect(server, bob.token, bob.device.deviceId);
      expect(back.ready.calls).toEqual([
        {
          callId,
          role: 'callee',
          peer: { username: 'alice', displayName: 'ALICE' },
          media: 'video',
          state: 'active',
          boundHere: true,
        },
      ]);
      expect(await alice.device.next('call.peer', (p) => p.connected)).toEqual({ callId, connected: true });

      // The call still relays, and ends normally later.
      await back.ok('call.signal', { callId, signal: { kind: 'candidate', candidate: null } });
      await alice.device.next('call.signal');
      await back.ok('call.hangup', { callId });
      expect((await alice.device.next('call.ended')).reason).toBe('completed');
      back.close();
    });
  });
});
