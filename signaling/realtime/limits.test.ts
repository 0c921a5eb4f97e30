/**
 * Every request has a per-user limit: a script that fires requests as fast
 * as it can is refused with E_RATE_LIMITED long before it gets far, and a
 * refused request changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { ClientRequestName, RequestPayload } from '../protocol/index.js';
import {
  connect,
  person,
  register,
  startTestServer,
  type TestDevice,
  type TestServer,
} from '../test-support/harness.js';
import { requestLimits } from './limits.js';

let server: TestServer;
afterEach(() => server.stop());

const callId = 'AAAAAAAAAAAAAAAAAAAAAA';

/** A valid payload per request (typed by the request list: a new request needs one here). */
const probes: { [K in ClientRequestName]: RequestPayload<K> } = {
  'contacts.request': { username: 'nobody' },
  'contacts.accept': { username: 'nobody' },
  'contacts.decline': { username: 'nobody' },
  'contacts.remove': { username: 'nobody' },
  'presence.update': { away: true },
  'call.invite': { callee: 'nobody', media: 'audio' },
  'call.accept': { callId },
  'call.decline': { callId },
  'call.cancel': { callId },
  'call.hangup': { callId },
  'call.reportEnd': { callId, reason: 'completed', endedMsAgo: 0 },
  'call.signal': { callId, signal: { kind: 'candidate', candidate: null } },
  'history.list': {},
  'history.markSeen': {},
  'ice.servers': {},
};
const names = Object.keys(probes) as ClientRequestName[];

/** Fires `count` requests at once and returns the error code of each (`ok` for a success). */
async function burst<K extends ClientRequestName>(
  device: TestDevice,
  name: K,
  payloads: RequestPayload<K>[],
): Promise<string[]> {
  const results = await Promise.all(payloads.map((p) => device.request(name, p)));
  return results.map((r) => (r.ok ? 'ok' : r.error.code));
}

describe('per-user request limits', () => {
  it('every request type is limited: past its points in the window the answer is E_RATE_LIMITED', async () => {
    server = await startTestServer();
    const limits = requestLimits(loadConfig([], {}));
    expect(Object.keys(limits).sort()).toEqual([...names].sort());
    const alice = await person(server, 'alice');
    for (const name of names) {
      const { points } = limits[name];
      const answers = await burst(alice.device, name, Array(points + 5).fill(probes[name]));
      const served = answers.filter((a) => a !== 'E_RATE_LIMITED');
      expect({ name, served: served.length }).toEqual({ name, served: points });
      expect(answers.slice(-5)).toEqual(Array(5).fill('E_RATE_LIMITED'));
    }
    // The refusal says how long to wait.
    const refused = await alice.device.request('history.list', {});
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'E_RATE_LIMITED', retryAfterMs: expect.any(Number) },
    });
  });

  it('a limit is per user: one person at the limit does not slow down another', async () => {
    server = await startTestServer();
    const [alice, bob] = await Promise.all([person(server, 'alice'), person(server, 'bob')]);
    const { points } = requestLimits(server.config)['history.list'];
    await burst(alice.device, 'history.list', Array(points).fill({}));
    expect(await alice.device.fails('history.list', {})).toBe('E_RATE_LIMITED');
    // Another device of alice shares her budget; bob has his own.
    const alicePhone = await connect(server, alice.token);
    expect(await alicePhone.fails('history.list', {})).toBe('E_RATE_LIMITED');
    expect((await bob.device.ok('history.list', {})).entries).toEqual([]);
  });

  it('a refused request has no effect', async () => {
    server = await startTestServer();
    const alice = await person(server, 'alice');
    const { points } = requestLimits(server.config)['presence.update'];
    await burst(alice.device, 'presence.update', Array(points).fill({ away: false }));
    expect(await alice.device.fails('presence.update', { dnd: true })).toBe('E_RATE_LIMITED');
    expect((await connect(server, alice.token)).ready.dnd).toBe(false);
  });

  it('1,000 fast contact probes: refused well before 1,000, known and unknown usernames answered alike', async () => {
    server = await startTestServer();
    const prober = await person(server, 'mallory');
    // Real accounts with no relation to the prober, and names that do not exist.
    const real = ['alice', 'bob', 'carol', 'dave', 'erin'];
    await Promise.all(real.map((name) => register(server, name)));
    const unknown = ['zed', 'yan', 'xia', 'wes', 'vic'];
    for (const name of ['contacts.accept', 'contacts.decline', 'contacts.remove'] as const) {
      const targets = Array.from({ length: 1000 }, (_, i) => [real, unknown][i % 2]![i % 5]!);
      const results = await Promise.all(targets.map((username) => prober.device.request(name, { username })));
      const answers = results.map((r, i) =>
        r.ok ? 'ok' : `${r.error.code} ${r.error.message.replace(targets[i]!, '<name>')}`,
      );
      const served = answers.filter((a) => !a.startsWith('E_RATE_LIMITED'));
      expect(served.length).toBe(requestLimits(server.config)[name].points);
      expect(served.length).toBeLessThan(100);
      // One answer, whoever the name belongs to.
      expect(new Set(served).size).toBe(1);
    }
  });
});
