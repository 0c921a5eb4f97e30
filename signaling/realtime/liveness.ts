/**
 * Node liveness in a cluster (`--redis-url`): each node writes a heartbeat into a sorted set every
 * `beatMs`; a node whose heartbeat is older than `deadAfterMs` is dead (killed, frozen, cut off). Any
 * node may find it: a script takes the dead node for a lease (so one node cleans up, and another takes
 * over if that one dies as well), then its devices are let go as if they had disconnected: a live call
 * they carry gets its grace period (on the shared timers), and presence is recomputed. A device that
 * came back through another node meanwhile is left alone (its connection id changed). So a dead node's
 * devices go offline within `deadAfterMs + beatMs`. A node whose own beats failed (Redis out of reach)
 * judges nobody until it has beaten again for `deadAfterMs`, so that a Redis outage longer than
 * `deadAfterMs` does not make the nodes take each other for dead.
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { RedisScript, type RedisKeys } from '../db/redis.js';
import type { Device } from '../domain.js';
import type { Logger } from '../log.js';
import type { RedisDeviceRegistry } from '../presence/redis-device-registry.js';

export interface LivenessTimings {
  beatMs: number;
  deadAfterMs: number;
}

export const DEFAULT_LIVENESS_TIMINGS: LivenessTimings = { beatMs: 2_000, deadAfterMs: 10_000 };

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const BEAT = new RedisScript(`${NOW_MS}
redis.call('ZADD', KEYS[1], now, ARGV[1])
return 0`);

// ARGV: dead after (ms). Takes one dead node: its heartbeat becomes now, so nobody else takes it for a while.
const TAKE_DEAD = new RedisScript(`${NOW_MS}
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0, 1)[1]
if not dead then return false end
redis.call('ZADD', KEYS[1], now, dead)
return dead`);

export class NodeLiveness {
  private timer: NodeJS.Timeout | undefined;
  /** The beat (and cleanup) in progress; they never overlap. */
  private beating: Promise<void> | undefined;
  /** Since when this node's beats have gone through without one failing (local clock, ms). */
  private beatingSince: number | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly devices: RedisDeviceRegistry,
    /** A dead node's device was let go: its calls and presence follow. */
    private readonly deviceLost: (device: Device) => Promise<void>,
    private readonly log: Logger,
    private readonly timings: LivenessTimings = DEFAULT_LIVENESS_TIMINGS,
  ) {}

  /** Beats once now (the node is alive from its start), then every `beatMs`. */
  async start(): Promise<void> {
    await BEAT.run(this.redis, [this.keys.nodes], [this.nodeId]);
    this.beatingSince = performance.now();
    this.timer = setInterval(() => {
      this.beating ??= this.beat()
        .catch((err: unknown) => this.log.error({ err }, 'node heartbeat or cleanup failed'))
        .finally(() => (this.beating = undefined));
    }, this.timings.beatMs).unref();
  }

  /** Stops beating and leaves the set: a node that stops cleanly lets its own devices go. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.redis.zrem(this.keys.nodes, this.nodeId);
  }

  private async beat(): Promise<void> {
    try {
      await BEAT.run(this.redis, [this.keys.nodes], [this.nodeId]);
    } catch (err) {
      this.beatingSince = undefined;
      throw err;
    }
    const now = performance.now();
    this.beatingSince ??= now;
    // After Redis was out of reach (restarted, cut off), every node's last beat is old: the first node
    // back would take the others for dead before they could beat again. So a node judges others only
    // once it has itself beaten without a gap for as long as a node may stay silent.
    if (now - this.beatingSince < this.timings.deadAfterMs) return;
    const dead = (await TAKE_DEAD.run(this.redis, [this.keys.nodes], [this.timings.deadAfterMs])) as
      string | null;
    if (!dead) return;
    const released = await this.devices.releaseNode(dead);
    for (const device of released) {
      await this.deviceLost(device).catch((err: unknown) =>
        this.log.error({ err, ...device }, 'cleaning up a device of a dead node failed'),
      );
    }
    await this.redis.zrem(this.keys.nodes, dead);
    this.log.warn({ node: dead, devices: released.length }, 'a node stopped beating: its devices are let go');
  }
}
