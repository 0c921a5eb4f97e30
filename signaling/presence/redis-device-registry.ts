/**
 * The device registry in Redis (`--redis-url`), shared by every node: one hash of connected devices per
 * user and one hash of announced presences. Each step that reads and then writes is a Lua script, so a
 * handshake on one node and another on a second node cannot both take the last device slot, and a stale
 * disconnect cannot remove a device a newer connection (on any node) has taken over. Each node also
 * lists the devices it carries, so that when it dies another node can let them go (`releaseNode`).
 */
import type { Redis } from 'ioredis';
import { RedisScript, type RedisKeys } from '../db/redis.js';
import type { Device } from '../domain.js';
import type { Presence } from '../protocol/index.js';
import type { DeviceRegistry, DeviceState } from './device-registry.js';

// A device's value is its away flag (one character, 0 or 1) followed by the id of its connection.
// KEYS: the user's devices, the node's devices. ARGV: device id, connection id, [cap,] the node's entry.
const ADMIT = new RedisScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], '0' .. ARGV[2])
redis.call('SADD', KEYS[2], ARGV[4])
return 1`);

// Returns the connection that carried the device before, or '' (the same one, or none).
const CONNECT = new RedisScript(`
local entry = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], '0' .. ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
local older = entry and string.sub(entry, 2)
if not older or older == ARGV[2] then return '' end
return older`);

// The node's entry goes in any case: the connection is gone from the node, taken over or not.
const DISCONNECT = new RedisScript(`
redis.call('SREM', KEYS[2], ARGV[3])
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value or string.sub(value, 2) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1`);

const SET_AWAY = new RedisScript(`
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. string.sub(value, 2)) end
return 0`);

const SWAP_PRESENCE = new RedisScript(`
local previous = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == 'offline' then redis.call('HDEL', KEYS[1], ARGV[1])
else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return previous or 'offline'`);

/** A node's entry for a connection it carries. */
const entry = (userId: number, deviceId: string, connectionId: string): string =>
  JSON.stringify([userId, deviceId, connectionId]);

export class RedisDeviceRegistry implements DeviceRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** The node this registry serves: the connections it records are this node's. */
    private readonly nodeId: string,
  ) {}

  async admit(userId: number, deviceId: string, connectionId: string, maxDevices: number): Promise<boolean> {
    const admitted = await ADMIT.run(
      this.redis,
      [this.keys.devices(userId), this.keys.nodeDevices(this.nodeId)],
      [deviceId, connectionId, maxDevices, entry(userId, deviceId, connectionId)],
    );
    return admitted === 1;
  }

  async connect(userId: number, deviceId: string, connectionId: string): Promise<string | undefined> {
    const older = await CONNECT.run(
      this.redis,
      [this.keys.devices(userId), this.keys.nodeDevices(this.nodeId)],
      [deviceId, connectionId, entry(userId, deviceId, connectionId)],
    );
    return typeof older === 'string' && older !== '' ? older : undefined;
  }

  async disconnect(userId: number, deviceId: string, connectionId: string): Promise<boolean> {
    return this.release(this.nodeId, userId, deviceId, connectionId);
  }

  /**
   * Lets go of every device a dead node carried, except those a newer connection (on another node) has
   * taken over; returns the devices let go.
   */
  async releaseNode(nodeId: string): Promise<Device[]> {
    const released: Device[] = [];
    for (const member of await this.redis.smembers(this.keys.nodeDevices(nodeId))) {
      const [userId, deviceId, connectionId] = JSON.parse(member) as [number, string, string];
      if (await this.release(nodeId, userId, deviceId, connectionId)) released.push({ userId, deviceId });
    }
    await this.redis.del(this.keys.nodeDevices(nodeId));
    return released;
  }

  private async release(
    nodeId: string,
    userId: number,
    deviceId: string,
    connectionId: string,
  ): Promise<boolean> {
    const released = await DISCONNECT.run(
      this.redis,
      [this.keys.devices(userId), this.keys.nodeDevices(nodeId)],
      [deviceId, connectionId, entry(userId, deviceId, connectionId)],
    );
    return released === 1;
  }

  async setAway(userId: number, deviceId: string, away: boolean): Promise<void> {
    await SET_AWAY.run(this.redis, [this.keys.devices(userId)], [deviceId, away ? '1' : '0']);
  }

  async devices(userId: number): Promise<DeviceState[]> {
    const all = await this.redis.hgetall(this.keys.devices(userId));
    return Object.entries(all).map(([deviceId, value]) => ({ deviceId, away: value.startsWith('1') }));
  }

  async isConnected(userId: number, deviceId: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.devices(userId), deviceId)) === 1;
  }

  async swapPresence(userId: number, presence: Presence): Promise<Presence> {
    return (await SWAP_PRESENCE.run(this.redis, [this.keys.presence], [userId, presence])) as Presence;
  }

  async presenceOf(userId: number): Promise<Presence> {
    return ((await this.redis.hget(this.keys.presence, String(userId))) as Presence | null) ?? 'offline';
  }

  async presencesOf(userIds: readonly number[]): Promise<Presence[]> {
    if (userIds.length === 0) return [];
    const values = await this.redis.hmget(this.keys.presence, ...userIds.map(String));
    return values.map((value) => (value as Presence | null) ?? 'offline');
  }
}
