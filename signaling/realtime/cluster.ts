/**
 * A node's link to the other nodes through Redis (`--redis-url`): the shared registries, call timers and
 * rate limiters, the node's heartbeat (liveness.ts), and Socket.IO's Redis adapter in sharded mode (Redis 7 sharded pub/sub, `SPUBLISH`/`SSUBSCRIBE`),
 * with ioredis, as Socket.IO's documentation advises. Through the adapter a push to `user:*` or
 * `device:*` reaches the connections in that room on every node, and `disconnectSockets`
 * on a room closes them wherever they are. Each public room has a channel of its own (the adapter's
 * "dynamic" mode), so a push goes only to the nodes that have someone in the room.
 */
import { randomUUID } from 'node:crypto';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { limitersInRedis, type MakeLimiter } from '../accounts/rate-limits.js';
import type { CallTimers } from '../calls/call-timers.js';
import { RedisCallRegistry } from '../calls/redis-registry.js';
import { RedisCallTimers } from '../calls/redis-timers.js';
import type { CallRegistry } from '../calls/registry.js';
import { closeRedis, openRedis, redisKeys } from '../db/redis.js';
import type { Device } from '../domain.js';
import type { Logger } from '../log.js';
import type { DeviceRegistry } from '../presence/device-registry.js';
import { RedisDeviceRegistry } from '../presence/redis-device-registry.js';
import { NodeLiveness } from './liveness.js';
import { watchEpoch } from './state-epoch.js';
import type { ParleyServer } from './types.js';

export interface Cluster {
  devices: DeviceRegistry;
  registry: CallRegistry;
  timers: CallTimers;
  /** Rate limiters counting for every node. */
  makeLimiter: MakeLimiter;
  /** Puts `io` on the Redis adapter (before it takes any connection). */
  shareRooms(io: ParleyServer): void;
  /** Starts the heartbeat, and letting go of dead nodes' devices through `deviceLost` (liveness.ts). */
  watchNodes(deviceLost: (device: Device) => Promise<void>): Promise<void>;
  /**
   * Calls `lost` when Redis has come back without the cluster's state (state-epoch.ts); from now on.
   */
  watchState(lost: () => Promise<void>): Promise<void>;
  /** Closes the Redis connections; after `io.close()` and once nothing uses the registries any more. */
  close(): Promise<void>;
}

/** Connects to Redis, failing if it cannot be reached. */
export async function joinCluster(url: string, log: Logger): Promise<Cluster> {
  const state = openRedis(url, log, 'state');
  const publisher = openRedis(url, log, 'publish');
  // A client in subscriber mode takes no other commands: the adapter needs one of its own.
  const subscriber = openRedis(url, log, 'subscribe');
  const clients: Redis[] = [state, publisher, subscriber];
  let liveness: NodeLiveness | undefined;
  const close = async () => {
    await liveness?.stop();
    await Promise.all(clients.map(closeRedis));
  };
  try {
    await Promise.all(clients.map((client) => client.ping()));
  } catch (err) {
    await close();
    throw err;
  }
  const keys = redisKeys();
  const nodeId = randomUUID();
  const devices = new RedisDeviceRegistry(state, keys, nodeId);
  return {
    devices,
    registry: new RedisCallRegistry(state, keys),
    timers: new RedisCallTimers(state, keys, log),
    makeLimiter: limitersInRedis(state, keys.limits),
    watchNodes: async (deviceLost) => {
      liveness = new NodeLiveness(state, keys, nodeId, devices, deviceLost, log);
      await liveness.start();
    },
    watchState: (lost) => watchEpoch(state, keys, subscriber, log, lost),
    shareRooms: (io) => io.adapter(createShardedAdapter(publisher, subscriber, { channelPrefix: 'parley' })),
    close,
  };
}
