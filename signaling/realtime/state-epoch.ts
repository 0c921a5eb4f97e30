/**
 * Noticing that Redis came back without the cluster's state (restarted without persistence, or
 * replaced by a replica that had not caught up). The first node to start writes a random epoch into
 * Redis; every node reads it back after each reconnection of its Redis client. A different or missing
 * epoch means every key may be gone: who is connected, announced presence, live calls, their timers.
 * The node then writes a new epoch (if no other node has yet) and calls `lost`, which makes its devices
 * connect again so that they are registered again.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../db/redis.js';
import type { Logger } from '../log.js';

/** The epoch in Redis, written first if there is none. */
async function currentEpoch(redis: Redis, keys: RedisKeys): Promise<string | null> {
  await redis.set(keys.epoch, randomUUID(), 'NX');
  return redis.get(keys.epoch);
}

/**
 * Resolves once `subscriber` is connected again and Redis has taken its subscriptions back (ioredis sends
 * them on reconnecting; a PING behind them on the same connection answers after them).
 */
async function subscribed(subscriber: Redis): Promise<void> {
  if (subscriber.status !== 'ready') await new Promise((resolve) => subscriber.once('ready', resolve));
  await subscriber.ping();
}

/**
 * Reads the epoch now, then after every reconnection of `redis`; when it changed, calls `lost` once the
 * node's pub/sub connection (`subscriber`) is back too, so that the pushes its devices cause on coming
 * back reach the other nodes, and theirs this one.
 */
export async function watchEpoch(
  redis: Redis,
  keys: RedisKeys,
  subscriber: Redis,
  log: Logger,
  lost: () => Promise<void>,
): Promise<void> {
  let known = await currentEpoch(redis, keys);
  redis.on('ready', () => {
    currentEpoch(redis, keys)
      .then(async (epoch) => {
        if (epoch === known) return;
        known = epoch;
        await subscribed(subscriber);
        log.warn('redis came back without the cluster state: this node lets its devices connect again');
        await lost();
      })
      .catch((err: unknown) => log.error({ err }, 'reading the cluster state epoch failed'));
  });
}
