/**
 * The Redis connection a node shares its live state through (`--redis-url`), and Lua scripts run on it.
 * A script runs atomically on the Redis server: nothing else reads or writes between its commands,
 * which is what makes the registries' checks-then-writes safe across nodes. Keys are spelled by
 * `redisKeys`, all under one prefix, so one Redis server can be told apart from other users of it.
 */
import { hash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';

/** The longest a client waits between two attempts to reconnect (plus up to RECONNECT_JITTER_MS). */
export const RECONNECT_MAX_MS = 1_000;
const RECONNECT_JITTER_MS = 100;

/**
 * After an outage a node's clients (commands, publish, subscribe) must come back together: a node
 * whose command client is back takes calls for its devices, but a push to them published while its
 * subscriber still waits out its back-off reaches nobody (Redis pub/sub keeps nothing), so the callee
 * would not ring. ioredis 6 backs off up to 5 s (+0.2 s) by default, which after an outage of more
 * than about 6 s left a node deaf for up to 5 s after Redis was back. Attempts to one Redis server cost
 * little, so a client tries again at least every second.
 */
const reconnectDelay = (attempt: number): number =>
  Math.min(50 * 2 ** (attempt - 1), RECONNECT_MAX_MS) + Math.floor(Math.random() * RECONNECT_JITTER_MS);

/** A Redis client of this node; `role` names it in log lines (commands, pub/sub). */
export function openRedis(url: string, log: Logger, role: string): Redis {
  const redis = new Redis(url, {
    // A command waits through a short outage, then fails (a request answers E_UNAVAILABLE) rather than
    // hang: it is failed at every fourth attempt to reconnect, so after at most about 4 s.
    maxRetriesPerRequest: 3,
    retryStrategy: reconnectDelay,
    connectionName: `parley-${role}`,
    lazyConnect: false,
  });
  // ioredis reconnects by itself (with back-off); each failed attempt comes here.
  redis.on('error', (err: Error) => log.warn({ err, role }, 'redis connection error'));
  return redis;
}

/** Closes a client: waits for its replies, or cuts it off if the server is gone. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/** The names of every key Parley keeps in Redis. */
export const redisKeys = (prefix = 'parley:') => ({
  /** Hash: device id -> away flag (`0`/`1`) followed by the connection id carrying the device. */
  devices: (userId: number) => `${prefix}devices:${userId}`,
  /** Hash: user id -> the presence last announced to contacts (absent: offline). */
  presence: `${prefix}presence`,
  /** String: one live call as JSON. */
  call: (callId: string) => `${prefix}call:${callId}`,
  /** Set: the ids of a user's live calls. */
  userCalls: (userId: number) => `${prefix}user-calls:${userId}`,
  /** Sorted set: every live call id, by creation time. */
  calls: `${prefix}calls`,
  /** Sorted set: call timer names by due time (ms since the epoch, by the Redis server's clock). */
  timers: `${prefix}timers`,
  /** Hash: call timer name -> what it does, as JSON. */
  timerActions: `${prefix}timer-actions`,
  /** Set: the devices a node carries, each as JSON `[userId, deviceId, connectionId]`. */
  nodeDevices: (nodeId: string) => `${prefix}node-devices:${nodeId}`,
  /** Sorted set: node ids by their last heartbeat (ms, the Redis server's clock). */
  nodes: `${prefix}nodes`,
  /** Prefix of the rate limiters' counters (rate-limiter-flexible names the rest). */
  limits: `${prefix}limit:`,
  /** String: a random id written by the first node, gone when Redis lost its data (state-epoch.ts). */
  epoch: `${prefix}epoch`,
});

export type RedisKeys = ReturnType<typeof redisKeys>;

/** A Lua script, sent once per connection and run by its SHA-1 after that. */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = hash('sha1', lua);
  }

  async run(
    redis: Redis,
    keys: readonly string[],
    args: readonly (string | number)[] = [],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
