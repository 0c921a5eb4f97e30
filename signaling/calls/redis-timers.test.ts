/** Call timers in Redis (a real redis-server): two nodes polling the same timers, as two servers would. */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { redisPerFile, redisUnavailable } from '../test-support/redis-server.js';
import type { TimerAction } from './call-timers.js';
import { RedisCallTimers, type RedisTimerTimings } from './redis-timers.js';

const unavailable = redisUnavailable();
if (unavailable) console.warn(`skipping the Redis call timer tests: ${unavailable}`);
const redis = redisPerFile(unavailable);

const log = createLogger('silent');
const timeout: TimerAction = { type: 'timeout' };

const running: RedisCallTimers[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
});

/** Two nodes' timers on the same keys; each records what it fired. */
function twoNodes(timings: RedisTimerTimings = { pollMs: 20, leaseMs: 10_000 }) {
  const keys = redis.freshKeys();
  const fired: { node: string; callId: string }[] = [];
  const record =
    (name: string) =>
    async (callId: string): Promise<void> => {
      fired.push({ node: name, callId });
    };
  const node = (name: string, fire: (callId: string) => Promise<void> = record(name)) => {
    const timers = new RedisCallTimers(redis.client(), keys, log, timings);
    timers.start(fire);
    running.push(timers);
    return timers;
  };
  /** True once Redis holds no timer of these nodes any more: nothing is left that could fire. */
  const noneLeft = async () =>
    (await redis.client().zcard(keys.timers)) === 0 && (await redis.client().hlen(keys.timerActions)) === 0;
  return { node, fired, noneLeft };
}

/** Waits until `done()` holds, checking every 20 ms, for at most `ms`. */
async function until(done: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(unavailable)('RedisCallTimers', () => {
  it('fires each due timer once, on one of the nodes, not before it is due', async () => {
    const { node, fired, noneLeft } = twoNodes();
    const [one] = [node('one'), node('two')];
    const armedAt = Date.now();
    for (let i = 0; i < 10; i++) await one.arm(`ring:c${i}`, 300, `c${i}`, timeout);
    await until(() => fired.length === 10);
    expect(Date.now() - armedAt).toBeGreaterThanOrEqual(300);
    expect(fired.map((f) => f.callId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `c${i}`).sort());
    // Nothing fires twice afterwards: no timer is left in Redis.
    await until(noneLeft);
    expect(fired).toHaveLength(10);
  });

  it('clears a timer on any node, saying whether it was pending', async () => {
    const { node, fired } = twoNodes();
    const [one, two] = [node('one'), node('two')];
    await one.arm('ring:a', 200, 'a', timeout);
    await one.arm('ring:b', 200, 'b', timeout);
    expect(await two.clear('ring:a')).toBe(true);
    expect(await two.clear('ring:a')).toBe(false);
    await until(() => fired.length === 1);
    expect(fired[0]!.callId).toBe('b');
  });

  it('tries an action that failed again', async () => {
    const attempts: string[] = [];
    const { node, noneLeft } = twoNodes();
    const one = node('one', async (callId) => {
      attempts.push(callId);
      if (attempts.length === 1) throw new Error('registry unavailable');
    });
    await one.arm('grace:a', 10, 'a', timeout);
    await until(() => attempts.length === 2);
    await until(noneLeft); // done after the retry: nothing is left to try a third time
    expect(attempts).toEqual(['a', 'a']);
  });

  it('fires a timer whose node died while firing it on another node once the lease runs out', async () => {
    const { node, fired } = twoNodes({ pollMs: 20, leaseMs: 500 });
    let taken = false;
    // Node one takes the timer and never finishes (it died); only then does node two start polling.
    const one = node('one', () => {
      taken = true;
      return new Promise<void>(() => {});
    });
    await one.arm('ring:a', 0, 'a', timeout);
    await until(() => taken);
    running.splice(running.indexOf(one), 1);
    void one.stop();
    const tookAt = Date.now();
    node('two');
    await until(() => fired.length === 1);
    expect(fired[0]).toEqual({ node: 'two', callId: 'a' });
    expect(Date.now() - tookAt).toBeGreaterThanOrEqual(400);
  });
});
