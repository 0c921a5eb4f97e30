/**
 * Delivers presence announcements to contacts, in fewer frames when devices come and go in a crowd.
 *
 * A change that a device coming or going caused (a restart's reconnect storm, a network back, a lost
 * node) may wait: it reaches a contact at once if nothing reached that contact in the current tick
 * (`HOLD_MS`), and otherwise waits for the tick's end, where everything held for that contact goes as one
 * `presence.batch`. A contact whose 25 contacts reconnect within a few hundred milliseconds thus gets a
 * few frames rather than 25, and hears the first at once.
 *
 * A person's own change (away, do-not-disturb, a call answered or ended) never waits for the tick,
 * unless a change of the same user is held for that contact (or being sent): then it waits too, so that
 * no contact hears a user's states out of order. A batch carries each user's presence as read when it is
 * sent (what contacts were last told, `DeviceRegistry.presencesOf`), not as it was when held: in a
 * cluster another node may have announced a later state meanwhile, and that must stay the last word.
 */
import type { Logger } from 'pino';
import type { Notifier } from '../domain.js';
import type { Presence, PresenceChanged } from '../protocol/index.js';
import type { DeviceRegistry } from './device-registry.js';

/**
 * The tick. Short enough that nobody notices a contact's dot change this much later; long enough that a
 * crowd's announcements to one contact mostly share a frame (with 50 contacts each and 1,000 devices
 * connecting as fast as one server took them, 26 frames per connect became about 2.4).
 */
export const HOLD_MS = 100;

/**
 * Batches sent in one turn of the event loop before the rest wait for the next: a tick's end after 10,000
 * devices reconnected held batches for 7,176 contacts, and sending them in one turn took 0.7 s, which every
 * request arriving meanwhile would have waited out.
 */
export const BATCHES_PER_TURN = 200;

/** Changes held: recipient -> the usernames held for it, in the order first held; and each user's change. */
interface HeldChanges {
  forContact: Map<number, Set<string>>;
  /** username -> whose, and the presence announced (sent if the presence cannot be read again). */
  users: Map<string, { userId: number; presence: Presence }>;
}

const noneHeld = (): HeldChanges => ({ forContact: new Map(), users: new Map() });

export class PresenceFanout {
  private held = noneHeld();
  /** What the batch being sent carries, while it reads the presences. */
  private sending = noneHeld();
  /** Recipients sent something in the current tick: a change that may wait, waits. */
  private reachedThisTick = new Set<number>();
  private tick: NodeJS.Timeout | undefined;
  /** The batch being sent, if one is. */
  private sent: Promise<void> = Promise.resolve();
  /** Set by `flush` (shutdown): from then on every change goes at once. */
  private stopped = false;

  constructor(
    private readonly devices: Pick<DeviceRegistry, 'presencesOf'>,
    private readonly notify: Notifier,
    private readonly log: Logger,
  ) {}

  /** Tells `contacts` that `change` (of `userId`) happened; `mayWait` when a device coming or going caused it. */
  announce(contacts: readonly number[], userId: number, change: PresenceChanged, mayWait: boolean): void {
    if (contacts.length === 0) return;
    const { username } = change;
    const now: number[] = [];
    for (const contact of contacts) {
      const waiting = this.held.forContact.get(contact);
      if (
        waiting?.has(username) ||
        this.sending.forContact.get(contact)?.has(username) ||
        (mayWait && !this.stopped && this.reachedThisTick.has(contact))
      ) {
        (waiting ?? this.hold(contact)).add(username);
      } else {
        now.push(contact);
        this.reachedThisTick.add(contact);
      }
    }
    if (now.length < contacts.length) this.held.users.set(username, { userId, presence: change.presence });
    this.notify.toUsers(now, 'presence.changed', change);
    this.armTick();
  }

  /** Stops the tick and sends everything held; resolves once it went (shutdown). */
  async flush(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.tick);
    this.tick = undefined;
    await this.sent;
    await this.sendHeld();
  }

  private hold(contact: number): Set<string> {
    const waiting = new Set<string>();
    this.held.forContact.set(contact, waiting);
    return waiting;
  }

  private endTick(): void {
    this.tick = undefined;
    this.sent = this.sendHeld()
      .catch((err: unknown) => this.log.error({ err }, 'presence batch not sent'))
      .then(() => {
        if (this.reachedThisTick.size > 0 || this.held.forContact.size > 0) this.armTick();
      });
  }

  /** Starts a tick unless one runs (or the fan-out stopped). */
  private armTick(): void {
    if (!this.stopped) this.tick ??= setTimeout(() => this.endTick(), HOLD_MS);
  }

  /**
   * Ends the tick: sends what was held, one frame per contact, `BATCHES_PER_TURN` at a time. The next tick
   * starts now: the contacts reached while the batch reads the presences or waits for its next turn, and
   * those it reaches, count as reached in it.
   */
  private async sendHeld(): Promise<void> {
    this.reachedThisTick = new Set();
    if (this.held.forContact.size === 0) return;
    this.sending = this.held;
    this.held = noneHeld();
    try {
      const changeOf = await this.changesNow(this.sending.users);
      let sentThisTurn = 0;
      for (const [contact, waiting] of this.sending.forContact) {
        if (sentThisTurn++ === BATCHES_PER_TURN) {
          sentThisTurn = 1;
          await new Promise((resolve) => setImmediate(resolve));
        }
        const newer = this.held.forContact.get(contact); // held while reading: the next batch reads it again
        const changes: PresenceChanged[] = [];
        for (const username of waiting) if (!newer?.has(username)) changes.push(changeOf.get(username)!);
        if (changes.length === 0) continue;
        this.notify.toUsers([contact], 'presence.batch', { changes });
        this.reachedThisTick.add(contact);
      }
    } finally {
      this.sending = noneHeld();
    }
  }

  /** Each held user's change with the presence contacts were last told, or as announced if it cannot be read. */
  private async changesNow(users: HeldChanges['users']): Promise<Map<string, PresenceChanged>> {
    const held = [...users];
    let presences: Presence[] | undefined;
    try {
      presences = await this.devices.presencesOf(held.map(([, { userId }]) => userId));
    } catch (err) {
      this.log.warn({ err }, 'presence could not be read again for a batch; sending it as announced');
    }
    return new Map(
      held.map(([username, { presence }], i) => [
        username,
        { username, presence: presences?.[i] ?? presence },
      ]),
    );
  }
}
