/**
 * Where rate-limit counters live: in this process (one node), or in Redis (`--redis-url`), where every
 * node counts against the same limits, so they do not multiply by the number of nodes. Both are
 * rate-limiter-flexible limiters with the same calls; each limiter names its counters by `keyPrefix`.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  /** Window length in seconds. */
  duration: number;
}

/** Makes one limiter. */
export type MakeLimiter = (options: LimiterOptions) => RateLimiterAbstract;

export const limitersInMemory: MakeLimiter = (options) => new RateLimiterMemory(options);

export const limitersInRedis =
  (redis: Redis, prefix: string): MakeLimiter =>
  (options) =>
    new RateLimiterRedis({ storeClient: redis, ...options, keyPrefix: `${prefix}${options.keyPrefix}` });
