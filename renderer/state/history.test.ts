// The history domain against a fake server: pages, the missed-call count, missed-call notifications.
import { beforeEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../signaling/protocol/index.js';
import type { MissedCall } from '../../shared/app-shell.js';
import { FakeSignaling, sessionReady } from '../test-support/fake-signaling.js';
import { History, recentCalls } from './history.js';

/** A history entry; `n` orders them in time (higher is newer). */
function entry(n: number, changes: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    callId: `call-${n}`.padEnd(22, '_'),
    direction: 'incoming',
    peer: { username: 'bob', displayName: 'Bob' },
    media: 'audio',
    createdAt: `2026-01-01T10:00:${String(n).padStart(2, '0')}.000Z`,
    answeredAt: null,
    endedAt: null,
    endReason: null,
    answeredDevice: null,
    missed: false,
    seen: true,
    ...changes,
  };
}

/** The server's cursor to the page after entry 2: "<createdAt ms>_<callId>" of entry 1. */
const CURSOR = `${Date.parse(entry(1).createdAt)}_${entry(1).callId}`;

let server: FakeSignaling;
let history: History;
let missedShown: MissedCall[];
const state = () => history.state.getState();

beforeEach(() => {
  server = new FakeSignaling();
  missedShown = [];
  history = new History(server, { showMissedCall: (call) => void missedShown.push(call) });
});

describe('pages', () => {
  it("keeps an entry pushed while the page was on its way instead of the page's older copy", async () => {
    const ended = entry(1, { endReason: 'completed', endedAt: '2026-01-01T10:05:00.000Z' });
    server.answer('history.list', () => {
      server.push('history.entry', { entry: ended }); // the call's end, pushed before the page arrives
      return { ok: true, entries: [entry(2), entry(1)], nextCursor: null };
    });
    await history.load();
    expect(state().entries).toEqual([entry(2), ended]);
  });

  it('loads the newest page on every session.ready, with the missed-call count from it', async () => {
    server.answer('history.list', () => ({ ok: true, entries: [entry(2), entry(1)], nextCursor: CURSOR }));
    server.push('session.ready', sessionReady({ unseenMissedCalls: 3 }));
    expect(state()).toMatchObject({ unseenMissedCalls: 3, loading: true });
    await expect.poll(() => state().loading).toBe(false);
    expect(state()).toMatchObject({ nextCursor: CURSOR, entries: [entry(2), entry(1)] });
    expect(server.sentOf('history.list')).toEqual([{}]);
  });

  it('loads older pages after the cursor, once at a time, and not past the last one', async () => {
    server.answer('history.list', (p) =>
      p.before
        ? { ok: true, entries: [entry(1)], nextCursor: null }
        : { ok: true, entries: [entry(2)], nextCursor: CURSOR },
    );
    await history.load();
    const more = history.load(true);
    await history.load(true); // already loading: ignored
    await more;
    await history.load(true); // no older page: nothing sent
    expect(server.sentOf('history.list')).toEqual([{}, { before: CURSOR }]);
    expect(state().entries).toEqual([entry(2), entry(1)]);
  });

  it('keeps what it has when a page cannot be loaded', async () => {
    server.answer('history.list', () => ({ ok: true, entries: [entry(1)], nextCursor: CURSOR }));
    await history.load();
    server.answer('history.list', () => ({ ok: false, error: { code: 'E_NETWORK', message: 'x' } }));
    await history.load(true);
    expect(state()).toMatchObject({ entries: [entry(1)], nextCursor: CURSOR, loading: false });
  });
});

describe('pushes', () => {
  it('upserts entries newest first without duplicates', () => {
    server.push('history.entry', { entry: entry(1) });
    server.push('history.entry', { entry: entry(2) });
    server.push('history.entry', { entry: entry(1, { endReason: 'completed' }) });
    expect(state().entries.map((e) => [e.callId.slice(0, 6), e.endReason])).toEqual([
      ['call-2', null],
      ['call-1', 'completed'],
    ]);
  });

  it('announces a missed call not yet seen, with how they called, and follows the server count', () => {
    server.push('history.entry', { entry: entry(1, { missed: true, seen: false, media: 'video' }) });
    server.push('history.entry', { entry: entry(2, { missed: true, seen: true }) });
    server.push('history.entry', { entry: entry(3) });
    server.push('history.unseen', { unseenMissedCalls: 1 });
    expect(missedShown).toEqual([{ callId: entry(1).callId, caller: entry(1).peer, media: 'video' }]);
    expect(state().unseenMissedCalls).toBe(1);
  });
});

describe('seen and signed out', () => {
  it('marks missed calls seen only when there are some, and counts zero once the server agrees', async () => {
    server.answer('history.markSeen', () => ({ ok: true, unseenMissedCalls: 0 }));
    await history.markSeen();
    expect(server.sentOf('history.markSeen')).toEqual([]);
    server.push('history.unseen', { unseenMissedCalls: 2 });
    await history.markSeen();
    expect(server.sentOf('history.markSeen')).toEqual([{}]);
    expect(state().unseenMissedCalls).toBe(0);
  });

  it('keeps the count when marking seen fails', async () => {
    server.push('history.unseen', { unseenMissedCalls: 2 });
    await history.markSeen();
    expect(state().unseenMissedCalls).toBe(2);
  });

  it('forgets everything on sign-out', async () => {
    server.answer('history.list', () => ({ ok: true, entries: [entry(1)], nextCursor: CURSOR }));
    server.push('history.unseen', { unseenMissedCalls: 2 });
    await history.load();
    history.clear();
    expect(state()).toEqual({ entries: [], nextCursor: null, loading: false, unseenMissedCalls: 0 });
  });
});

describe('recent calls', () => {
  it('lists each peer once, newest first, at most five', () => {
    const of = (username: string, media: 'audio' | 'video' = 'audio') =>
      ({ peer: { username, displayName: username.toUpperCase() }, media }) as HistoryEntry;
    const entries = ['a', 'b', 'a', 'c', 'd', 'e', 'f', 'g'].map((u, i) =>
      of(u, i === 0 ? 'video' : 'audio'),
    );
    expect(recentCalls(entries)).toEqual([
      { username: 'a', displayName: 'A', media: 'video' },
      { username: 'b', displayName: 'B', media: 'audio' },
      { username: 'c', displayName: 'C', media: 'audio' },
      { username: 'd', displayName: 'D', media: 'audio' },
      { username: 'e', displayName: 'E', media: 'audio' },
    ]);
  });
});
