import { describe, expect, it } from 'vitest';
import { redisPerFile, redisUnavailable } from '../test-support/redis-server.js';
import { MemoryDeviceRegistry, type DeviceRegistry } from './device-registry.js';
import { RedisDeviceRegistry } from './redis-device-registry.js';

const ALICE = 1;
const BOB = 2;

const unavailable = redisUnavailable();
if (unavailable) console.warn(`skipping the Redis device registry tests: ${unavailable}`);
const redis = redisPerFile(unavailable);

// One set of tests for every implementation: each test gets an empty registry from `make`.
const implementations: { name: string; make: () => DeviceRegistry }[] = [
  { name: 'MemoryDeviceRegistry', make: () => new MemoryDeviceRegistry() },
  ...(unavailable
    ? []
    : [
        {
          name: 'RedisDeviceRegistry',
          make: () => new RedisDeviceRegistry(redis.client(), redis.freshKeys(), 'node-1'),
        },
      ]),
];

describe.each(implementations)('$name', ({ make }) => {
  it('tracks connected devices per user', async () => {
    const reg = make();
    expect(await reg.devices(ALICE)).toEqual([]);
    expect(await reg.isConnected(ALICE, 'laptop')).toBe(false);

    await reg.connect(ALICE, 'laptop', 'conn-1');
    await reg.connect(ALICE, 'phone', 'conn-2');
    await reg.connect(BOB, 'desk', 'conn-3');

    expect(await reg.devices(ALICE)).toEqual(
      expect.arrayContaining([
        { deviceId: 'laptop', away: false },
        { deviceId: 'phone', away: false },
      ]),
    );
    expect(await reg.devices(ALICE)).toHaveLength(2);
    expect(await reg.devices(BOB)).toEqual([{ deviceId: 'desk', away: false }]);
    expect(await reg.isConnected(ALICE, 'laptop')).toBe(true);
    expect(await reg.isConnected(ALICE, 'desk')).toBe(false);
    expect(await reg.isConnected(BOB, 'desk')).toBe(true);

    expect(await reg.disconnect(ALICE, 'laptop', 'conn-1')).toBe(true);
    expect(await reg.isConnected(ALICE, 'laptop')).toBe(false);
    expect(await reg.devices(ALICE)).toEqual([{ deviceId: 'phone', away: false }]);

    expect(await reg.disconnect(ALICE, 'phone', 'conn-2')).toBe(true);
    expect(await reg.devices(ALICE)).toEqual([]);
    expect(await reg.disconnect(ALICE, 'phone', 'conn-2')).toBe(false);
  });

  it('lets a newer connection take a device over, so the old connection cannot remove it', async () => {
    const reg = make();
    expect(await reg.connect(ALICE, 'laptop', 'old')).toBeUndefined();
    // The connection taken over is named, so that it can be told to go; connecting again names none.
    expect(await reg.connect(ALICE, 'laptop', 'new')).toBe('old');
    expect(await reg.connect(ALICE, 'laptop', 'new')).toBeUndefined();
    expect(await reg.connect(ALICE, 'phone', 'other')).toBeUndefined();

    expect(await reg.devices(ALICE)).toEqual(
      expect.arrayContaining([
        { deviceId: 'laptop', away: false },
        { deviceId: 'phone', away: false },
      ]),
    );
    expect(await reg.disconnect(ALICE, 'phone', 'other')).toBe(true);
    expect(await reg.devices(ALICE)).toEqual([{ deviceId: 'laptop', away: false }]);
    expect(await reg.disconnect(ALICE, 'laptop', 'old')).toBe(false);
    expect(await reg.isConnected(ALICE, 'laptop')).toBe(true);

    expect(await reg.disconnect(ALICE, 'laptop', 'new')).toBe(true);
    expect(await reg.isConnected(ALICE, 'laptop')).toBe(false);
  });

  it('admits up to the cap; a device already connected does not count twice', async () => {
    const reg = make();
    expect(await reg.admit(ALICE, 'laptop', 'c1', 2)).toBe(true);
    expect(await reg.admit(ALICE, 'phone', 'c2', 2)).toBe(true);
    expect(await reg.admit(ALICE, 'tablet', 'c3', 2)).toBe(false);
    expect(await reg.isConnected(ALICE, 'tablet')).toBe(false);
    // A second connection of a connected device is admitted without taking the device over yet; the
    // admitted one connecting names none to replace.
    expect(await reg.admit(ALICE, 'laptop', 'c4', 2)).toBe(true);
    expect(await reg.disconnect(ALICE, 'laptop', 'c4')).toBe(false);
    expect(await reg.connect(ALICE, 'phone', 'c2')).toBeUndefined();
    expect(await reg.devices(ALICE)).toHaveLength(2);
    // Other users have their own cap; a freed slot can be taken.
    expect(await reg.admit(BOB, 'desk', 'c5', 2)).toBe(true);
    expect(await reg.disconnect(ALICE, 'phone', 'c2')).toBe(true);
    expect(await reg.admit(ALICE, 'tablet', 'c6', 2)).toBe(true);
    expect(await reg.isConnected(ALICE, 'tablet')).toBe(true);
  });

  it('admits exactly the cap when many handshakes come at once', async () => {
    const reg = make();
    const admitted = await Promise.all(
      Array.from({ length: 50 }, (_, i) => reg.admit(ALICE, `device-${i}`, `c${i}`, 10)),
    );
    expect(admitted.filter(Boolean)).toHaveLength(10);
    expect(await reg.devices(ALICE)).toHaveLength(10);
  });

  it('sets and clears the away flag of one device', async () => {
    const reg = make();
    await reg.connect(ALICE, 'laptop', 'c1');
    await reg.connect(ALICE, 'phone', 'c2');

    await reg.setAway(ALICE, 'laptop', true);
    const byId = async () => Object.fromEntries((await reg.devices(ALICE)).map((d) => [d.deviceId, d.away]));
    expect(await byId()).toEqual({ laptop: true, phone: false });

    await reg.setAway(ALICE, 'laptop', false);
    expect(await byId()).toEqual({ laptop: false, phone: false });

    // Unknown devices are ignored rather than created.
    await reg.setAway(ALICE, 'tablet', true);
    await reg.setAway(BOB, 'desk', true);
    expect(await byId()).toEqual({ laptop: false, phone: false });
    expect(await reg.devices(BOB)).toEqual([]);
  });

  it('swapPresence returns the previous presence, starting at offline', async () => {
    const reg = make();
    expect(await reg.presenceOf(ALICE)).toBe('offline');

    expect(await reg.swapPresence(ALICE, 'online')).toBe('offline');
    expect(await reg.presenceOf(ALICE)).toBe('online');
    expect(await reg.swapPresence(ALICE, 'busy')).toBe('online');
    expect(await reg.presenceOf(ALICE)).toBe('busy');
    expect(await reg.presenceOf(BOB)).toBe('offline');

    expect(await reg.swapPresence(ALICE, 'offline')).toBe('busy');
    expect(await reg.presenceOf(ALICE)).toBe('offline');
    expect(await reg.swapPresence(ALICE, 'away')).toBe('offline');
  });

  it('presencesOf answers presenceOf for each user, in their order', async () => {
    const reg = make();
    const CAROL = 3;
    expect(await reg.presencesOf([])).toEqual([]);
    await reg.swapPresence(ALICE, 'busy');
    await reg.swapPresence(CAROL, 'away');
    expect(await reg.presencesOf([CAROL, BOB, ALICE, CAROL])).toEqual(['away', 'offline', 'busy', 'away']);
  });
});
