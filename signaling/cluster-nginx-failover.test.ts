/**
 * A node killed (SIGKILL) behind nginx, with three node processes on one redis-server and nginx running
 * the shipped config: the devices it carried reconnect through nginx, which sends them to a node that is
 * up, with the same device id (as the client does). A call ringing when its caller's node dies still
 * times out, on another node, and is missed in history; a live call whose callee's node dies goes on
 * (media is peer to peer), is not ended when the survivors find the node dead, and ends as completed
 * later. Nobody shows offline meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIVENESS_TIMINGS } from './realtime/liveness.js';
import { befriend, register, type Person, type TestDevice } from './test-support/harness.js';
import { nginxUnavailable } from './test-support/nginx.js';
import { startNginxCluster, type NginxCluster } from './test-support/nginx-cluster.js';
import type { NodeProcess } from './test-support/node-process.js';
import { redisUnavailable } from './test-support/redis-server.js';

const unavailable = redisUnavailable() ?? nginxUnavailable();
if (unavailable) console.warn(`skipping the failover tests behind nginx: ${unavailable}`);

const RING_TIMEOUT_S = 6;
// The survivors find a dead node within deadAfterMs + beatMs of its last beat; a beat more for slack.
const { beatMs, deadAfterMs } = DEFAULT_LIVENESS_TIMINGS;
const FOUND_DEAD_MS = deadAfterMs + 2 * beatMs;

let cluster: NginxCluster;
beforeAll(async () => {
  if (!unavailable) cluster = await startNginxCluster(3, ['--ring-timeout', String(RING_TIMEOUT_S)]);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

let people = 0;
async function personOn(name: string, node: NodeProcess): Promise<Person> {
  const username = `${name}${++people}`;
  const { token } = await register({ url: cluster.url }, username);
  return { username, token, device: await cluster.placeOn(node, token) };
}

/** Kills `node`; once nginx has closed `device`'s connection, connects it again through nginx. */
async function killAndReconnect(node: NodeProcess, p: Person): Promise<[TestDevice, NodeProcess]> {
  const dropped = new Promise((resolve) => p.device.socket.once('disconnect', resolve));
  await node.kill();
  await dropped;
  return cluster.connectVia(p.token, p.device.deviceId);
}

/** Closes devices and waits until their nodes have let them go, so that no later test meets them. */
async function leave(...devices: TestDevice[]): Promise<void> {
  await Promise.all(
    devices.map((device) => {
      const node = cluster.nodeOf(device);
      const from = node.lines.length;
      device.close();
      return node.nextLine((l) => l.msg === 'device disconnected' && l.deviceId === device.deviceId, {
        from,
      });
    }),
  );
}

/** The survivor's log line saying it let a dead node's devices go, written after line `from`. */
const foundDead = (survivor: NodeProcess, from: number) =>
  survivor.nextLine((l) => l.msg === 'a node stopped beating: its devices are let go', {
    from,
    timeoutMs: FOUND_DEAD_MS + 5_000,
  });

describe.skipIf(unavailable)('a node killed behind nginx', () => {
  it('a ringing call whose caller lost its node still times out as missed, from another node', async () => {
    const [doomed, other, third] = cluster.nodes as [NodeProcess, NodeProcess, NodeProcess];
    const alice = await personOn('alice', doomed);
    const bob = await personOn('bob', other);
    await befriend(alice, bob);
    const invitedAt = Date.now();
    const { callId } = await alice.device.ok('call.invite', { callee: bob.username, media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === callId);

    const marks = [other.lines.length, third.lines.length];
    const [back, landed] = await killAndReconnect(doomed, alice);
    expect(landed).not.toBe(doomed);
    expect(back.ready.calls).toMatchObject([{ callId, role: 'caller', state: 'ringing' }]);

    const missed = { callId, reason: 'missed' };
    const waitMs = RING_TIMEOUT_S * 1_000 + 5_000;
    expect(await back.next('call.ended', (p) => p.callId === callId, waitMs)).toEqual(missed);
    expect(await bob.device.next('call.ended', (p) => p.callId === callId, waitMs)).toEqual(missed);
    expect(Date.now() - invitedAt).toBeGreaterThanOrEqual(RING_TIMEOUT_S * 1_000);
    expect((await bob.device.ok('history.list', {})).entries[0]).toMatchObject({
      callId,
      endReason: 'missed',
      missed: true,
    });
    expect((await back.ok('history.list', {})).entries[0]).toMatchObject({ callId, endReason: 'missed' });

    // When a survivor finds the node dead, Alice, back on another node, is left alone.
    const line = await Promise.any([foundDead(other, marks[0]!), foundDead(third, marks[1]!)]);
    expect(line).toMatchObject({ devices: 0 });
    expect(bob.device.all('presence.changed').filter((p) => p.username === alice.username)).toEqual([]);
    await leave(back, bob.device);
  }, 60_000);

  it('a live call whose callee lost its node goes on through another node and ends as completed', async () => {
    const [, survivor, doomed] = cluster.nodes as [NodeProcess, NodeProcess, NodeProcess];
    const alice = await personOn('alice', survivor);
    const bob = await personOn('bob', doomed);
    await befriend(alice, bob);
    const { callId } = await alice.device.ok('call.invite', { callee: bob.username, media: 'audio' });
    await bob.device.next('call.incoming', (p) => p.callId === callId);
    await bob.device.ok('call.accept', { callId });
    await alice.device.next('call.accepted', (p) => p.callId === callId);

    const mark = survivor.lines.length;
    const [back, landed] = await killAndReconnect(doomed, bob);
    expect(landed).toBe(survivor); // the only node left
    expect(back.ready.calls).toMatchObject([{ callId, state: 'active', boundHere: true }]);

    // Renegotiation (an ICE restart, say) reaches the device on its new node.
    const offer = { kind: 'description', description: { type: 'offer', sdp: 'v=0 restart' } } as const;
    await alice.device.ok('call.signal', { callId, signal: offer });
    expect((await back.next('call.signal', (p) => p.callId === callId)).signal).toEqual(offer);

    // The survivor finds the node dead and lets nothing go: Bob's device is back already.
    expect(await foundDead(survivor, mark)).toMatchObject({ devices: 0 });
    await back.ok('call.signal', { callId, signal: offer }); // still in the call, on the server's side too
    expect(alice.device.all('call.ended')).toEqual([]);
    const heard = alice.device.all('presence.changed').filter((p) => p.username === bob.username);
    expect(heard.map((p) => p.presence)).not.toContain('offline');

    await alice.device.ok('call.hangup', { callId });
    expect(await back.next('call.ended', (p) => p.callId === callId)).toEqual({
      callId,
      reason: 'completed',
    });
    for (const device of [alice.device, back]) {
      expect((await device.ok('history.list', {})).entries[0]).toMatchObject({
        callId,
        endReason: 'completed',
      });
    }
  }, 60_000);
});
