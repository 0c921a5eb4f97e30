/**
 * Presence: recomputes a user's presence from their devices, do-not-disturb
 * flag and calls, and tells their accepted contacts when it changes (cost
 * proportional to the number of contacts).
 *
 * Announcements are coalesced per user: a change goes out at once and opens
 * a short window; further changes within it collapse into one announcement
 * of the state at the window's end (which opens the next window). A burst
 * of changes thus costs at most one push per contact per window, and the
 * last state always goes out.
 *
 * Contacts are told through `PresenceFanout`: a change that a device coming or going caused may wait up
 * to its tick to share a frame with others for the same contact (a reconnect storm); a person's own
 * change goes at once.
 *
 * A recompute or announcement that fails (the database) is logged and tried
 * again, after 1 s and then twice as long each time up to 30 s, until it goes
 * through; that one is sent even if the state looks unchanged, since contacts
 * may not have heard the last change.
 */
import type { Logger } from 'pino';
import type { CallRegistry } from '../calls/registry.js';
import { acceptedPeerIds, type ContactRow, type ContactsTable } from '../db/contacts.js';
import type { UsersTable } from '../db/users.js';
import type { Device, Notifier } from '../domain.js';
import { KeyedQueue } from '../keyed-queue.js';
import type { Presence, SelfPresence } from '../protocol/index.js';
import { derivePresence } from './derive.js';
import type { DeviceRegistry } from './device-registry.js';
import { PresenceFanout } from './fanout.js';

/**
 * How long changes after an announcement are held back. Short enough that a
 * person never notices; longer than one announcement takes to reach 100
 * contacts on a loaded 2-core machine (68 ms median, 186 ms at worst,
 * measured), so that a script toggling as fast as it can reaches each contact
 * at most 5 times a second.
 */
export const ANNOUNCE_WINDOW_MS = 200;

/** The first wait before a failed announcement is tried again, and the longest. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

interface AnnounceWindow {
  timer: NodeJS.Timeout;
  /** Something was recomputed during the window: announce again at its end. */
  dirty: boolean;
  /** A `presence.update` set dnd: the user's devices hear it even if the presence stays. */
  announceSelf: boolean;
  /** Something other than a device coming or going changed it: the announcement at the end may not wait. */
  byPerson: boolean;
}

interface Derived extends SelfPresence {
  username: string | undefined;
}

/** What `refresh` answers: the presence now, and the contact list if it read it (see `refresh`). */
export interface Refreshed extends SelfPresence {
  contactRows?: ContactRow[];
}

interface Retry {
  timer: NodeJS.Timeout;
  delayMs: number;
}

/** For promises whose failure was logged and will be tried again already (`guarded`). */
const alreadyHandled = (): void => undefined;

export class PresenceService {
  private readonly queue = new KeyedQueue<number>();
  private readonly fanout: PresenceFanout;
  /** Users whose announcement window is open. */
  private readonly windows = new Map<number, AnnounceWindow>();
  /** Users whose last recompute or announcement failed: contacts may not know their state. */
  private readonly retries = new Map<number, Retry>();
  /** Set by `settled` (shutdown): nothing is tried again after it. */
  private stopped = false;

  constructor(
    private readonly devices: DeviceRegistry,
    private readonly calls: CallRegistry,
    private readonly users: UsersTable,
    private readonly contacts: ContactsTable,
    private readonly notify: Notifier,
    private readonly log: Logger,
  ) {
    this.fanout = new PresenceFanout(devices, notify, log);
  }

  async setAway(device: Device, away: boolean): Promise<void> {
    await this.devices.setAway(device.userId, device.deviceId, away);
  }

  setDnd(userId: number, dnd: boolean): Promise<void> {
    return this.users.setDnd(userId, dnd);
  }

  /**
   * Sends every held-back announcement now and resolves once all have gone
   * out (shutdown: nothing may touch the database after this).
   */
  async settled(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    await this.queue.drain();
    while (this.windows.size > 0) {
      await Promise.all([...this.windows.keys()].map((userId) => this.closeWindow(userId)));
      await this.queue.drain();
    }
    await this.fanout.flush();
  }

  /** The presence contacts were last told (what `session.ready` and `contact.updated` carry). */
  presenceOf(userId: number): Promise<Presence> {
    return this.devices.presenceOf(userId);
  }

  /** `presenceOf` of each user, in their order. */
  presencesOf(userIds: readonly number[]): Promise<Presence[]> {
    return this.devices.presencesOf(userIds);
  }

  /**
   * Derives the user's presence now and announces it if it changed: to
   * contacts as `presence.changed`, to the user's own devices as
   * `presence.self`; within an open window, at the window's end. Serialised
   * per user so announcements keep their order. Returns the presence now.
   * A `connecting` device is not sent `presence.self` (its `session.ready`
   * carries the same), saving a socket write per connect; and since its
   * `session.ready` needs the user's contact list, an announcement for it
   * reads the list (rather than the accepted ids alone) and returns it as
   * `contactRows`: one read of the user's contacts per connect.
   * `deviceLeft` (a device disconnected or was lost) and `connecting` say that
   * a device coming or going caused the change: contacts' frames may wait
   * (`PresenceFanout`).
   */
  refresh(
    userId: number,
    {
      announceSelf = false,
      connecting,
      deviceLeft = false,
    }: { announceSelf?: boolean; connecting?: Device; deviceLeft?: boolean } = {},
  ): Promise<Refreshed> {
    const byPerson = !connecting && !deviceLeft;
    return this.queue.run(userId, () =>
      this.guarded(userId, async () => {
        const now = await this.derive(userId);
        const open = this.windows.get(userId);
        const refreshed: Refreshed = { presence: now.presence, dnd: now.dnd };
        if (open) {
          open.dirty = true;
          open.announceSelf ||= announceSelf;
          open.byPerson ||= byPerson;
        } else if (await this.announce(userId, now, { announceSelf, byPerson, connecting, refreshed })) {
          this.openWindow(userId);
        }
        return refreshed;
      }),
    );
  }

  /** `refresh` for callers that do not wait for it (a call started or ended): a failure is logged and tried again. */
  refreshInBackground(userId: number): void {
    this.refresh(userId).catch(alreadyHandled);
  }

  private async derive(userId: number): Promise<Derived> {
    const [devices, calls, user] = await Promise.all([
      this.devices.devices(userId),
      this.calls.callsOf(userId),
      this.users.findById(userId),
    ]);
    const dnd = user?.dnd ?? false;
    const presence = derivePresence({
      devicesAway: devices.map((d) => d.away),
      inCall: calls.some((c) => c.state === 'active'),
      dnd,
    });
    return { presence, dnd, username: user?.username };
  }

  /**
   * Tells contacts and the user's devices (but `connecting`); returns whether anything was sent. For a
   * `connecting` device the contacts are read as the whole list, kept in `refreshed` for its
   * `session.ready`. They are read after the swap, never before: a contact accepted meanwhile either is
   * in them or reads the new presence when told of the acceptance (`ContactsService`).
   */
  private async announce(
    userId: number,
    now: Derived,
    {
      announceSelf,
      byPerson,
      connecting,
      refreshed,
    }: { announceSelf: boolean; byPerson: boolean; connecting?: Device; refreshed?: Refreshed },
  ): Promise<boolean> {
    const { presence, dnd, username } = now;
    const unsure = this.retries.has(userId);
    const changed = (await this.devices.swapPresence(userId, presence)) !== presence || unsure;
    if (changed && username !== undefined) {
      let contacts: readonly number[];
      if (connecting && refreshed) {
        refreshed.contactRows = await this.contacts.list(userId);
        contacts = acceptedPeerIds(refreshed.contactRows);
      } else contacts = await this.contacts.acceptedIds(userId);
      this.fanout.announce(contacts, userId, { username, presence }, !byPerson && !unsure);
    }
    if (changed || announceSelf) {
      const self = { presence, dnd };
      if (connecting) this.notify.toOtherDevices(connecting, 'presence.self', self);
      else this.notify.toUsers([userId], 'presence.self', self);
    }
    if (unsure) {
      clearTimeout(this.retries.get(userId)!.timer);
      this.retries.delete(userId);
    }
    return changed || announceSelf;
  }

  private openWindow(userId: number): void {
    const timer = setTimeout(() => this.closeWindow(userId), ANNOUNCE_WINDOW_MS);
    this.windows.set(userId, { timer, dirty: false, announceSelf: false, byPerson: false });
  }

  /**
   * Ends the window: announces the state now if anything happened during it (which opens the next).
   * Never rejects: a failure is logged and tried again.
   */
  private closeWindow(userId: number): Promise<void> {
    return this.queue
      .run(userId, () =>
        this.guarded(userId, async () => {
          const window = this.windows.get(userId);
          if (!window) return;
          clearTimeout(window.timer);
          this.windows.delete(userId);
          const { announceSelf, byPerson } = window;
          if (
            window.dirty &&
            (await this.announce(userId, await this.derive(userId), { announceSelf, byPerson }))
          )
            this.openWindow(userId);
        }),
      )
      .catch(alreadyHandled);
  }

  /** Runs a recompute; if it fails, logs it and tries the user's presence again later. */
  private async guarded<T>(userId: number, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      this.log.error({ err, userId }, 'presence update failed; trying again');
      this.retryLater(userId);
      throw err;
    }
  }

  private retryLater(userId: number): void {
    if (this.stopped) return;
    const previous = this.retries.get(userId);
    if (previous) clearTimeout(previous.timer);
    const delayMs = previous ? Math.min(previous.delayMs * 2, RETRY_MAX_MS) : RETRY_FIRST_MS;
    const timer = setTimeout(() => this.refreshInBackground(userId), delayMs);
    this.retries.set(userId, { timer, delayMs });
  }
}
