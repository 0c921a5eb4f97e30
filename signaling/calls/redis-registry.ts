/**
 * The call registry in Redis (`--redis-url`), shared by every node: each live call as JSON, the ids of
 * each user's calls, and every call id by creation time. `claim` is one Lua script (check both parties,
 * then add), so two people calling each other at once through two nodes cannot both get through.
 * `update` reads the call, lets `change` decide in JavaScript, and writes the result with a script that
 * first checks the call is still exactly as read (compare-and-set); if another node changed it
 * meanwhile, it reads again and decides again. So of two accepts on two nodes, exactly one wins.
 */
import type { Redis } from 'ioredis';
import { RedisScript, type RedisKeys } from '../db/redis.js';
import type { LiveCall } from '../domain.js';
import type { CallRegistry, ClaimResult } from './registry.js';

// KEYS: the call, the caller's calls, the callee's calls, all calls. ARGV: the call as JSON, its id, created at.
const CLAIM = new RedisScript(`
if redis.call('SCARD', KEYS[2]) > 0 then return 'caller-in-call' end
if redis.call('SCARD', KEYS[3]) > 0 then return 'callee-in-call' end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
return 'ok'`);

// KEYS as CLAIM's. ARGV: the call as read, the next call ('' removes it), its id. 0: it changed meanwhile.
const REPLACE = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[3])
  redis.call('SREM', KEYS[3], ARGV[3])
  redis.call('ZREM', KEYS[4], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1`);

/** An update that keeps losing to other nodes gives up after this many tries (it then fails like an I/O error). */
const MAX_TRIES = 100;

const byCreation = (a: LiveCall, b: LiveCall): number =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class RedisCallRegistry implements CallRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async claim(call: LiveCall): Promise<ClaimResult> {
    const result = await CLAIM.run(this.redis, this.keysOf(call), [
      JSON.stringify(call),
      call.id,
      call.createdAt,
    ]);
    return result as ClaimResult;
  }

  async get(callId: string): Promise<LiveCall | undefined> {
    const json = await this.redis.get(this.keys.call(callId));
    return json === null ? undefined : (JSON.parse(json) as LiveCall);
  }

  async update<R>(
    callId: string,
    change: (call: LiveCall) => { next: LiveCall | null | undefined; result: R },
  ): Promise<R | undefined> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const read = await this.redis.get(this.keys.call(callId));
      if (read === null) return undefined;
      const call = JSON.parse(read) as LiveCall;
      const { next, result } = change(call);
      if (next === undefined) return result;
      const written = next === null ? '' : JSON.stringify(next);
      if ((await REPLACE.run(this.redis, this.keysOf(call), [read, written, callId])) === 1) return result;
    }
    throw new Error(`call ${callId}: gave up after ${MAX_TRIES} concurrent changes`);
  }

  async callsOf(userId: number): Promise<LiveCall[]> {
    return this.load(await this.redis.smembers(this.keys.userCalls(userId)));
  }

  async all(): Promise<LiveCall[]> {
    return this.load(await this.redis.zrange(this.keys.calls, '0', '-1'));
  }

  async countByState(): Promise<Record<LiveCall['state'], number>> {
    const counts = { ringing: 0, active: 0 };
    for (const call of await this.all()) counts[call.state]++;
    return counts;
  }

  private keysOf(call: LiveCall): string[] {
    return [
      this.keys.call(call.id),
      this.keys.userCalls(call.caller.userId),
      this.keys.userCalls(call.callee.userId),
      this.keys.calls,
    ];
  }

  /** The calls with these ids that are still live, oldest first. */
  private async load(ids: string[]): Promise<LiveCall[]> {
    if (ids.length === 0) return [];
    const found = await this.redis.mget(ids.map((id) => this.keys.call(id)));
    return found
      .filter((json): json is string => json !== null)
      .map((json) => JSON.parse(json) as LiveCall)
      .sort(byCreation);
  }
}
