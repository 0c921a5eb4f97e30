/**
 * Presence: recomputes a user's presence from their devices, do-not-disturb
 * flag and calls, and tells their accepted contacts when it changes (cost
 * proportional to the number of contacts).
 */
import type { CallRegistry } from '../calls/registry.js';
import type { ContactsTable } from '../db/contacts.js';
import type { UsersTable } from '../db/users.js';
import { KeyedQueue } from '../keyed-queue.js';
import type { Presence, SelfPresence } from '../protocol/index.js';
import type { Device, Notifier } from '../realtime/notifier.js';
import { derivePresence } from './derive.js';
import type { DeviceRegistry } from './device-registry.js';

export class PresenceService {
  private readonly queue = new KeyedQueue<number>();

  constructor(
    private readonly devices: DeviceRegistry,
    private readonly calls: CallRegistry,
    private readonly users: UsersTable,
    private readonly contacts: ContactsTable,
    private readonly notify: Notifier,
  ) {}

  async setAway(device: Device, away: boolean): Promise<void> {
    await this.devices.setAway(device.userId, device.deviceId, away);
  }

  setDnd(userId: number, dnd: boolean): void {
    this.users.setDnd(userId, dnd);
  }

  /** Resolves once every announcement queued so far has gone out. */
  settled(): Promise<void> {
    return this.queue.drain();
  }

  presenceOf(userId: number): Promise<Presence> {
    return this.devices.presenceOf(userId);
  }

  /**
   * Derives the user's presence now and announces it if it changed: to
   * contacts as `presence.changed`, to the user's own devices as
   * `presence.self`. Serialised per user so announcements keep their order.
   */
  refresh(userId: number, { announceSelf = false } = {}): Promise<SelfPresence> {
    return this.queue.run(userId, async () => {
      const [devices, calls] = await Promise.all([this.devices.devices(userId), this.calls.callsOf(userId)]);
      const user = this.users.findById(userId);
      const dnd = user?.dnd ?? false;
      const presence = derivePresence({
        devicesAway: devices.map((d) => d.away),
        inCall: calls.some((c) => c.state === 'active'),
        dnd,
      });
      const previous = await this.devices.swapPresence(userId, presence);
      if (previous !== presence && user) {
        this.notify.toUsers(this.contacts.acceptedIds(userId), 'presence.changed', {
          username: user.username,
          presence,
        });
      }
      if (previous !== presence || announceSelf)
        this.notify.toUsers([userId], 'presence.self', { presence, dnd });
      return { presence, dnd };
    });
  }
}
