/**
 * Which devices each user has connected, and the presence last announced
 * for each user. Shared between server nodes, hence async; the in-memory
 * implementation serves a single node.
 */
import type { Presence } from '../protocol/index.js';

export interface DeviceState {
  deviceId: string;
  away: boolean;
}

export interface DeviceRegistry {
  /**
   * Admits a handshake, atomically: yes if the device is already connected (a
   * reconnect does not count twice; nothing changes until `connect`), or if
   * the user has fewer than `maxDevices` devices, in which case the device is
   * recorded as carried by `connectionId` at once, so parallel handshakes
   * cannot overshoot the cap. No otherwise.
   */
  admit(userId: number, deviceId: string, connectionId: string, maxDevices: number): Promise<boolean>;
  /**
   * Records that `connectionId` now carries `deviceId`. Returns the older connection it replaces, if
   * another one carried the device (on any node), so that only then is that one told to go.
   */
  connect(userId: number, deviceId: string, connectionId: string): Promise<string | undefined>;
  /**
   * Forgets the device if `connectionId` is still the one carrying it.
   * Returns false when a newer connection has taken the device over.
   */
  disconnect(userId: number, deviceId: string, connectionId: string): Promise<boolean>;
  setAway(userId: number, deviceId: string, away: boolean): Promise<void>;
  devices(userId: number): Promise<DeviceState[]>;
  isConnected(userId: number, deviceId: string): Promise<boolean>;
  /** Stores the presence last sent to contacts; returns the previous one. */
  swapPresence(userId: number, presence: Presence): Promise<Presence>;
  presenceOf(userId: number): Promise<Presence>;
  /** `presenceOf` of each user, in their order, in one go (a contact list: one Redis command, not one each). */
  presencesOf(userIds: readonly number[]): Promise<Presence[]>;
}

interface Connected {
  deviceId: string;
  connectionId: string;
  away: boolean;
}

export class MemoryDeviceRegistry implements DeviceRegistry {
  /**
   * A user's connected devices, in a list rather than a Map: most people have one or two, and an empty
   * Map's table alone is some 200 bytes, for every connected user (memory per idle client, issue 12).
   */
  private readonly byUser = new Map<number, Connected[]>();
  private readonly announced = new Map<number, Presence>();

  async admit(userId: number, deviceId: string, connectionId: string, maxDevices: number): Promise<boolean> {
    const devices = this.byUser.get(userId) ?? [];
    if (devices.some((d) => d.deviceId === deviceId)) return true;
    if (devices.length >= maxDevices) return false;
    this.record(userId, deviceId, connectionId);
    return true;
  }

  async connect(userId: number, deviceId: string, connectionId: string): Promise<string | undefined> {
    const older = this.record(userId, deviceId, connectionId);
    return older === connectionId ? undefined : older;
  }

  async disconnect(userId: number, deviceId: string, connectionId: string): Promise<boolean> {
    const devices = this.byUser.get(userId);
    const at = devices?.findIndex((d) => d.deviceId === deviceId) ?? -1;
    if (!devices || devices[at]?.connectionId !== connectionId) return false;
    if (devices.length === 1) this.byUser.delete(userId);
    else devices.splice(at, 1);
    return true;
  }

  async setAway(userId: number, deviceId: string, away: boolean): Promise<void> {
    const device = this.find(userId, deviceId);
    if (device) device.away = away;
  }

  async devices(userId: number): Promise<DeviceState[]> {
    return (this.byUser.get(userId) ?? []).map(({ deviceId, away }) => ({ deviceId, away }));
  }

  async isConnected(userId: number, deviceId: string): Promise<boolean> {
    return this.find(userId, deviceId) !== undefined;
  }

  async swapPresence(userId: number, presence: Presence): Promise<Presence> {
    const previous = this.announced.get(userId) ?? 'offline';
    if (presence === 'offline') this.announced.delete(userId);
    else this.announced.set(userId, presence);
    return previous;
  }

  async presenceOf(userId: number): Promise<Presence> {
    return this.announced.get(userId) ?? 'offline';
  }

  async presencesOf(userIds: readonly number[]): Promise<Presence[]> {
    return userIds.map((id) => this.announced.get(id) ?? 'offline');
  }

  private find(userId: number, deviceId: string): Connected | undefined {
    return this.byUser.get(userId)?.find((d) => d.deviceId === deviceId);
  }

  /**
   * A device connected (a newer connection of the same device replaces the older, keeping its place).
   * Returns the connection that carried it before, if any.
   */
  private record(userId: number, deviceId: string, connectionId: string): string | undefined {
    const device = this.find(userId, deviceId);
    if (device) {
      const older = device.connectionId;
      Object.assign(device, { connectionId, away: false });
      return older;
    }
    const devices = this.byUser.get(userId);
    const added = { deviceId, connectionId, away: false };
    if (devices) devices.push(added);
    else this.byUser.set(userId, [added]);
    return undefined;
  }
}
