/** A server restart on the same data directory keeps accounts, contacts and history. */
import { rmSync } from 'node:fs';
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

const running = new Set<TestServer>();
const dataDirs = new Set<string>();

async function start(dataDir?: string): Promise<TestServer> {
  const server = await startTestServer(dataDir ? { dataDir } : {});
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

    const second = await start(first.config.dataDir);
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

  /** Alice calls bob, bob answers: an active call. */
  async function activeCall(server: TestServer) {
    const alice = await person(server, 'alice');
    const bob = await person(server, 'bob');
    await befriend(alice, bob);
    const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'video' });
    await bob.device.next('call.incoming', (p) => p.callId === callId);
    await bob.device.ok('call.accept', { callId });
    await alice.device.next('call.accepted', (p) => p.callId === callId);
    return { alice, bob, callId };
  }

  it('a call that was active at shutdown is recorded as interrupted', async () => {
    const first = await start();
    const { alice, bob, callId } = await activeCall(first);
    const aliceSaw = eventsUntilDisconnect(alice.device);
    const bobSaw = eventsUntilDisconnect(bob.device);
    await stop(first);
    // Both devices were told before the connection went away.
    expect(await aliceSaw).toContain('server.shutdown');
    expect(await bobSaw).toContain('server.shutdown');
    expect(await alice.device.next('server.shutdown')).toEqual({ message: expect.any(String) });

    const second = await start(first.config.dataDir);
    const aliceAgain = await connect(second, (await signIn(second, 'alice')).token);
    const bobAgain = await connect(second, (await signIn(second, 'bob')).token);
    expect(aliceAgain.ready.calls).toEqual([]);
    expect(bobAgain.ready.calls).toEqual([]);
    const mine = await entryOf(aliceAgain, callId);
    expect(mine).toMatchObject({ direction: 'outgoing', endReason: 'interrupted', missed: false });
    expect(mine?.answeredAt).not.toBeNull();
    expect(mine?.endedAt).not.toBeNull();
    expect(await entryOf(bobAgain, callId)).toMatchObject({
      direction: 'incoming',
      endReason: 'interrupted',
      missed: false,
      answeredDevice: bob.device.deviceId,
    });
    expect(bobAgain.ready.unseenMissedCalls).toBe(0);
    aliceAgain.close();
    bobAgain.close();
  });

  it('devices get server.shutdown and then call.ended (interrupted) before the disconnect', async () => {
    const first = await start();
    const { alice, bob, callId } = await activeCall(first);
    const saw = [eventsUntilDisconnect(alice.device), eventsUntilDisconnect(bob.device)];
    await stop(first);
    for (const [i, device] of [alice.device, bob.device].entries()) {
      const events = await saw[i]!;
      expect(events).toContain('server.shutdown');
      expect(events).toContain('call.ended');
      expect(events.indexOf('server.shutdown')).toBeLessThan(events.indexOf('call.ended'));
      expect(await device.next('call.ended', (p) => p.callId === callId)).toEqual({
        callId,
        reason: 'interrupted',
      });
    }
  });
});
