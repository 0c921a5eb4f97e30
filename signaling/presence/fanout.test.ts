/**
 * PresenceFanout's rules, frame by frame, on a fake clock: which change goes at once, which waits for the
 * tick, and that no contact hears a user's states out of order or misses the last one. End to end (real
 * clients, a crowd reconnecting) in storm.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Notifier } from '../domain.js';
import { createLogger } from '../log.js';
import type { Presence, PresenceChanged } from '../protocol/index.js';
import { BATCHES_PER_TURN, HOLD_MS, PresenceFanout } from './fanout.js';

/** Every frame sent, as `recipient: event changes`. */
let frames: string[];
/** The presence contacts were last told, by user id (what the registry answers). */
let told: Map<number, Presence>;
let fanout: PresenceFanout;

const notifier: Pick<Notifier, 'toUsers'> = {
  toUsers(userIds, event, payload) {
    const changes = (
      event === 'presence.batch' ? (payload as { changes: PresenceChanged[] }).changes : [payload]
    ) as PresenceChanged[];
    const text = changes.map((c) => `${c.username}=${c.presence}`).join(' ');
    for (const id of userIds) frames.push(`${id}: ${event} ${text}`);
  },
};

/** User `userId` (named `u<userId>`) is now `presence`, for `contacts`. */
function change(userId: number, presence: Presence, contacts: number[], mayWait: boolean): void {
  told.set(userId, presence);
  fanout.announce(contacts, userId, { username: `u${userId}`, presence }, mayWait);
}

beforeEach(() => {
  vi.useFakeTimers();
  frames = [];
  told = new Map();
  const registry = {
    presencesOf: async (ids: readonly number[]) => ids.map((id) => told.get(id) ?? 'offline'),
  };
  fanout = new PresenceFanout(registry, notifier as Notifier, createLogger('silent'));
});
afterEach(() => vi.useRealTimers());

describe('a device coming or going', () => {
  it('reaches a contact at once when nothing else did in the tick; the rest waits and goes as one batch', async () => {
    change(1, 'online', [10, 11], true);
    change(2, 'online', [10], true);
    change(3, 'online', [10, 11], true);
    expect(frames).toEqual(['10: presence.changed u1=online', '11: presence.changed u1=online']);

    await vi.advanceTimersByTimeAsync(HOLD_MS);
    expect(frames.slice(2)).toEqual([
      '10: presence.batch u2=online u3=online',
      '11: presence.batch u3=online',
    ]);
    // Contacts a batch reached start the next tick as reached; one that got nothing, as free.
    change(4, 'offline', [10, 12], true);
    expect(frames.slice(4)).toEqual(['12: presence.changed u4=offline']);
    await vi.advanceTimersByTimeAsync(HOLD_MS);
    expect(frames.slice(5)).toEqual(['10: presence.batch u4=offline']);
  });

  it('holds one change per user: the state the contact was last told of wins', async () => {
    change(1, 'online', [10], true);
    change(2, 'online', [10], true);
    change(2, 'offline', [10], true);
    change(2, 'online', [10], true);
    await vi.advanceTimersByTimeAsync(HOLD_MS);
    expect(frames).toEqual(['10: presence.changed u1=online', '10: presence.batch u2=online']);
  });

  it('a batch carries the presence as read when it goes (another node may have announced a later one)', async () => {
    change(1, 'online', [10], true);
    change(2, 'online', [10], true);
    told.set(2, 'dnd'); // announced elsewhere meanwhile
    await vi.advanceTimersByTimeAsync(HOLD_MS);
    expect(frames.at(-1)).toBe('10: presence.batch u2=dnd');
  });
});

describe("a person's own change", () => {
  it('goes at once, even to a contact reached in this tick', () => {
    change(1, 'online', [10], true);
    change(2, 'away', [10], false);
    expect(frames).toEqual(['10: presence.changed u1=online', '10: presence.changed u2=away']);
  });

  it('waits behind a held change of the same user, so that the contact never hears them out of order', async () => {
    change(1, 'online', [10], true);
    change(2, 'online', [10, 11], true); // held for 10, at once for 11
    change(2, 'busy', [10, 11], false); // waits for 10 (its online is held), at once for 11
    expect(frames).toEqual([
      '10: presence.changed u1=online',
      '11: presence.changed u2=online',
      '11: presence.changed u2=busy',
    ]);
    await vi.advanceTimersByTimeAsync(HOLD_MS);
    expect(frames.slice(3)).toEqual(['10: presence.batch u2=busy']);
  });
});

it('flush sends what is held at once and stops the tick; later changes all go at once', async () => {
  change(1, 'online', [10], true);
  change(2, 'online', [10], true);
  await fanout.flush();
  expect(frames).toEqual(['10: presence.changed u1=online', '10: presence.batch u2=online']);
  change(3, 'online', [10], true);
  expect(frames.at(-1)).toBe('10: presence.changed u3=online');
  expect(vi.getTimerCount()).toBe(0);
});

it('a change held while a batch reads the presences goes in the next batch, read again', async () => {
  let release: () => void = () => undefined;
  const slowRegistry = {
    presencesOf: (ids: readonly number[]) =>
      new Promise<Presence[]>((resolve) => {
        const answer = ids.map((id) => told.get(id) ?? 'offline');
        release = () => resolve(answer); // read now, answered later
      }),
  };
  fanout = new PresenceFanout(slowRegistry, notifier as Notifier, createLogger('silent'));
  change(1, 'online', [10], true);
  change(2, 'online', [10], true);
  await vi.advanceTimersByTimeAsync(HOLD_MS); // the batch is reading
  change(2, 'busy', [10], false); // must not overtake the batch's online
  expect(frames).toEqual(['10: presence.changed u1=online']);
  release();
  await vi.advanceTimersByTimeAsync(0);
  expect(frames).toEqual(['10: presence.changed u1=online']); // its u2 was superseded: nothing to send
  await vi.advanceTimersByTimeAsync(HOLD_MS);
  release();
  await vi.advanceTimersByTimeAsync(0);
  expect(frames.slice(1)).toEqual(['10: presence.batch u2=busy']);
});

it('a batch whose presences cannot be read again goes as announced', async () => {
  const failing = { presencesOf: () => Promise.reject(new Error('registry unreachable')) };
  fanout = new PresenceFanout(failing, notifier as Notifier, createLogger('silent'));
  change(1, 'online', [10], true);
  change(2, 'away', [10], true);
  await vi.advanceTimersByTimeAsync(HOLD_MS);
  expect(frames).toEqual(['10: presence.changed u1=online', '10: presence.batch u2=away']);
});

it('a tick with many contacts held sends their batches a share per turn of the event loop', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // setImmediate real: a turn of the loop
  const contacts = Array.from({ length: 2 * BATCHES_PER_TURN + 50 }, (_, i) => 100 + i);
  change(1, 'online', contacts, true);
  change(2, 'online', contacts, true); // held for every one of them
  const batches = () => frames.filter((f) => f.includes('presence.batch')).length;
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  await vi.advanceTimersByTimeAsync(HOLD_MS); // the tick's end
  expect(batches()).toBe(BATCHES_PER_TURN);
  await nextTurn();
  expect(batches()).toBe(2 * BATCHES_PER_TURN);
  await nextTurn();
  expect(batches()).toBe(contacts.length);
});
