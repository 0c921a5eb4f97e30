/**
 * Call timers in Redis (`--redis-url`): a sorted set of timer names by due time, and what each one does.
 * Every node polls it; a node takes the due timers with one script that also pushes each one's due time
 * a lease ahead, so no other node takes them meanwhile, and removes each one once its action applied.
 * If the node dies before that, the lease runs out and another node fires the timer (late by at most
 * the lease): a call still stops ringing, or ends when a device stays away, with its arming node gone.
 * An action that fails is tried again after TIMER_RETRY_MS. Due times are by the Redis server's clock,
 * so the nodes' clocks do not matter.
 */
import type { Redis } from 'ioredis';
import { RedisScript, type RedisKeys } from '../db/redis.js';
import type { Logger } from '../log.js';
import {
  logTimerFailure,
  TIMER_RETRY_MS,
  type CallTimers,
  type FireTimer,
  type TimerAction,
} from './call-timers.js';

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: timers, timer actions. ARGV: name, due in ms, what it does.
const ARM = new RedisScript(`${NOW_MS}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 0`);

// ARGV: how many at most, the lease in ms. Returns name, what it does, lease (until) for each timer taken.
const TAKE_DUE = new RedisScript(`${NOW_MS}
local lease = now + tonumber(ARGV[2])
local taken = {}
for _, name in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))) do
  redis.call('ZADD', KEYS[1], lease, name)
  taken[#taken + 1] = name
  taken[#taken + 1] = redis.call('HGET', KEYS[2], name) or ''
  taken[#taken + 1] = tostring(lease)
end
return taken`);

// ARGV: name, lease. Removes the timer if nobody re-armed or took it since.
const DONE = new RedisScript(`
if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1])) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`);

// ARGV: name, lease, retry in ms. Makes the timer due again soon, if nobody re-armed or took it since.
const RETRY = new RedisScript(`${NOW_MS}
if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1])) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
return 1`);

const CLEAR = new RedisScript(`
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('ZREM', KEYS[1], ARGV[1])`);

export interface RedisTimerTimings {
  /** How often a node looks for due timers. */
  pollMs: number;
  /** How long a taken timer is left to the node that took it before another may take it. */
  leaseMs: number;
}

export const DEFAULT_REDIS_TIMER_TIMINGS: RedisTimerTimings = { pollMs: 100, leaseMs: 10_000 };

/** Timers taken per poll. */
const BATCH = 100;

interface Stored {
  callId: string;
  action: TimerAction;
}

export class RedisCallTimers implements CallTimers {
  private poller: NodeJS.Timeout | undefined;
  /** The poll in progress; polls never overlap. */
  private polling: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly log: Logger,
    private readonly timings = DEFAULT_REDIS_TIMER_TIMINGS,
  ) {}

  start(fire: FireTimer): void {
    this.poller = setInterval(() => {
      if (this.polling || this.stopped) return;
      this.polling = this.poll(fire)
        .catch((err: unknown) => this.log.error({ err }, 'reading due call timers failed'))
        .finally(() => (this.polling = undefined));
    }, this.timings.pollMs).unref();
  }

  async arm(name: string, ms: number, callId: string, action: TimerAction): Promise<void> {
    if (this.stopped) return;
    const stored: Stored = { callId, action };
    await ARM.run(this.redis, this.timerKeys(), [name, Math.round(ms), JSON.stringify(stored)]);
  }

  async clear(name: string): Promise<boolean> {
    return (await CLEAR.run(this.redis, this.timerKeys(), [name])) === 1;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poller);
    await this.polling;
  }

  private async poll(fire: FireTimer): Promise<void> {
    const taken = (await TAKE_DUE.run(this.redis, this.timerKeys(), [
      BATCH,
      this.timings.leaseMs,
    ])) as string[];
    const work: Promise<void>[] = [];
    for (let i = 0; i < taken.length; i += 3) {
      const [name, json, lease] = [taken[i]!, taken[i + 1]!, taken[i + 2]!];
      if (json === '') {
        await DONE.run(this.redis, this.timerKeys(), [name, lease]); // cleared while being taken
        continue;
      }
      const { callId, action } = JSON.parse(json) as Stored;
      work.push(
        fire(callId, action).then(
          () => DONE.run(this.redis, this.timerKeys(), [name, lease]).then(() => undefined),
          async (err: unknown) => {
            logTimerFailure(this.log, err, callId, action);
            await RETRY.run(this.redis, this.timerKeys(), [name, lease, TIMER_RETRY_MS]);
          },
        ),
      );
    }
    await Promise.all(work);
  }

  private timerKeys(): string[] {
    return [this.keys.timers, this.keys.timerActions];
  }
}
