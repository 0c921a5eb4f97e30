/**
 * A device learns of a ringing call exactly once: from `session.ready.calls`
 * if it connects while the call rings, from `call.incoming` if it was
 * connected when the ringing started; never both, never neither.
 */
import { afterEach, expect, it } from 'vitest';
import {
  befriend,
  connect,
  person,
  startTestServer,
  type TestDevice,
  type TestServer,
} from '../test-support/harness.js';

let server: TestServer;
afterEach(() => server.stop());

it('a device that connects to a ringing call finds it in session.ready and gets no call.incoming for it', async () => {
  server = await startTestServer({ ringTimeout: 30 });
  const [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
  await befriend(alice, bob);
  const { callId } = await alice.device.ok('call.invite', { callee: 'bob', media: 'video' });
  await bob.device.next('call.incoming', (p) => p.callId === callId);

  const late = await connect(server, bob.token);
  expect(late.ready.calls).toEqual([
    {
      callId,
      role: 'callee',
      peer: { username: 'alice', displayName: 'ALICE' },
      media: 'video',
      state: 'ringing',
      boundHere: false,
      preconnect: true,
    },
  ]);
  // Barrier: the call's end reaches the new device after anything sent about it before.
  await alice.device.ok('call.cancel', { callId });
  await late.next('call.ended', (p) => p.callId === callId);
  expect(late.all('call.incoming')).toEqual([]);
});

it('devices connecting around the start of ringing each learn of the call exactly once', async () => {
  server = await startTestServer({ ringTimeout: 30 });
  const [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
  await befriend(alice, bob);
  // Some devices are connected before the invite, more are connecting while it is placed.
  const before = await Promise.all(Array.from({ length: 3 }, () => connect(server, bob.token)));
  const [invite, ...during] = await Promise.all([
    alice.device.ok('call.invite', { callee: 'bob', media: 'audio' }),
    ...Array.from({ length: 6 }, () => connect(server, bob.token)),
  ]);
  const { callId } = invite as { callId: string };
  await alice.device.ok('call.cancel', { callId });

  const learned = await Promise.all(
    [...before, ...(during as TestDevice[])].map(async (d) => {
      await d.next('call.ended', (p) => p.callId === callId); // barrier: nothing more about this call
      const inSnapshot = d.ready.calls.some((c) => c.callId === callId);
      const incoming = d.all('call.incoming').filter((p) => p.callId === callId).length;
      return `${inSnapshot ? 'snapshot' : ''}${inSnapshot && incoming ? '+' : ''}${incoming ? `incoming x${incoming}` : ''}`;
    }),
  );
  expect(learned.slice(0, 3)).toEqual(Array(3).fill('incoming x1'));
  for (const how of learned) expect(['snapshot', 'incoming x1']).toContain(how);
});
