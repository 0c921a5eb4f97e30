/**
 * The device registry in Redis (`--redis-url`), shared by every node: one hash of connected devices per
 * user and one hash of announced presences. Each step that reads and then writes is a Lua script, so a
 * handshake on one node and another on a second node cannot both take the last device slot, and a stale
 * disconnect cannot remove a device a newer connection (on any node) has taken over.
 */
import type { Redis } from 'ioredis';
import { RedisScript, type RedisKeys } from '../db/redis.js';
import type { Presence } from '../protocol/index.js';
import type { DeviceRegistry, DeviceState } from './device-registry.js';

// A device's value is its away flag (one character, 0 or 1) followed by the id of its connection.
const ADMIT = new RedisScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], '0' .. ARGV[2])
return 1`);

const DISCONNECT = new RedisScript(`
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

export class RedisDeviceRegistry implements DeviceRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async admit(userId: number, deviceId: string, connectionId: string, maxDevices: number): Promise<boolean> {
    const admitted = await ADMIT.run(
      this.redis,
      [this.keys.devices(userId)],
      [deviceId, connectionId, maxDevices],
    );
    return admitted === 1;
  }

  async connect(userId: number, deviceId: string, connectionId: string): Promise<void> {
    await this.redis.hset(this.keys.devices(userId), deviceId, `0${connectionId}`);
  }

  async disconnect(userId: number, deviceId: string, connectionId: string): Promise<boolean> {
    return (await DISCONNECT.run(this.redis, [this.keys.devices(userId)], [deviceId, connectionId])) === 1;
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
}
