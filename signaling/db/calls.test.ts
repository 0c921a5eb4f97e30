import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newCallId } from '../accounts/tokens.js';
import { CallsTable, isMissed, type CallRecord, type HistoryRow } from './calls.js';
import { DATABASE_FILE, migrate, openDatabase, type Db } from './database.js';
import { migrations } from './migrations.js';
import { UsersTable, type UserRow } from './users.js';

let dir: string;
let db: Db;
let calls: CallsTable;
let alice: UserRow;
let bob: UserRow;
let carol: UserRow;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
  db = openDatabase(dir);
  calls = new CallsTable(db);
  const users = new UsersTable(db);
  alice = users.insert('alice', 'Alice A.', 'hash', 1)!;
  bob = users.insert('bob', 'Bob B.', 'hash', 1)!;
  carol = users.insert('carol', 'Carol C.', 'hash', 1)!;
});

afterEach(() => {
  if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const record = (caller: UserRow, callee: UserRow, createdAt: number, id = newCallId()): CallRecord => ({
  id,
  callerId: caller.id,
  calleeId: callee.id,
  media: 'audio',
  callerDevice: `dev-${caller.username}`,
  createdAt,
});

const place = (caller: UserRow, callee: UserRow, createdAt: number, id?: string): CallRecord => {
  const r = record(caller, callee, createdAt, id);
  calls.insert(r);
  return r;
};

describe('schema', () => {
  it('sets user_version to the number of migrations', () => {
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    migrate(db); // idempotent
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
  });

  it('keeps data when the same directory is opened again (restart)', () => {
    const c = place(alice, bob, 1_000);
    calls.markAnswered(c.id, 1_500, 'bob-dev');
    calls.markEnded(c.id, 2_000, 'completed', true);
    db.close();

    db = openDatabase(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(new UsersTable(db).findByUsername('bob')?.id).toBe(bob.id);
    expect(new CallsTable(db).get(c.id, alice.id)).toMatchObject({
      id: c.id,
      answeredAt: 1_500,
      endedAt: 2_000,
      endReason: 'completed',
    });
  });

  it('refuses a database newer than the server', () => {
    db.close();
    const raw = new Database(path.join(dir, DATABASE_FILE));
    raw.pragma(`user_version = ${migrations.length + 1}`);
    raw.close();
    expect(() => openDatabase(dir)).toThrow(/newer than this server/);
  });
});

describe('isMissed', () => {
  it('is an unanswered call that was not declined', () => {
    expect(isMissed(false, 'missed')).toBe(true);
    expect(isMissed(false, 'cancelled')).toBe(true);
    expect(isMissed(false, 'busy')).toBe(true);
    expect(isMissed(false, 'declined')).toBe(false);
    expect(isMissed(true, 'completed')).toBe(false);
    expect(isMissed(true, 'connection-lost')).toBe(false);
  });
});

describe('CallsTable', () => {
  it('records a call from start through answer to end, seen from both sides', () => {
    const c = place(alice, bob, 1_000);
    expect(calls.get(c.id, alice.id)).toEqual({
      id: c.id,
      callerId: alice.id,
      calleeId: bob.id,
      peerUsername: 'bob',
      peerDisplayName: 'Bob B.',
      media: 'audio',
      createdAt: 1_000,
      answeredAt: null,
      answeredDevice: null,
      endedAt: null,
      endReason: null,
      missed: false,
      seen: false,
    } satisfies HistoryRow);

    calls.markAnswered(c.id, 1_200, 'bob-phone');
    calls.markEnded(c.id, 3_000, 'completed', true);

    const expected = {
      answeredAt: 1_200,
      answeredDevice: 'bob-phone',
      endedAt: 3_000,
      endReason: 'completed',
    };
    expect(calls.get(c.id, alice.id)).toMatchObject({ ...expected, peerUsername: 'bob', missed: false });
    expect(calls.get(c.id, bob.id)).toMatchObject({ ...expected, peerUsername: 'alice', missed: false });
    expect(calls.get(c.id, carol.id)).toBeUndefined();
  });

  it('marks an unanswered, not declined call as missed', () => {
    const missed = place(alice, bob, 1_000);
    const declined = place(alice, bob, 2_000);
    calls.markEnded(missed.id, 1_500, 'missed', false);
    calls.markEnded(declined.id, 2_500, 'declined', false);
    expect(calls.get(missed.id, bob.id)).toMatchObject({ endReason: 'missed', missed: true });
    expect(calls.get(declined.id, bob.id)).toMatchObject({ endReason: 'declined', missed: false });
  });

  it('keeps the first end when a call is ended twice', () => {
    const c = place(alice, bob, 1_000);
    calls.markEnded(c.id, 2_000, 'declined', false);
    calls.markEnded(c.id, 9_000, 'missed', false);
    calls.markAnswered(c.id, 9_500, 'late-device');
    expect(calls.get(c.id, bob.id)).toMatchObject({
      endedAt: 2_000,
      endReason: 'declined',
      missed: false,
      answeredAt: null,
      answeredDevice: null,
    });
  });

  it('closes dangling calls as interrupted, missed only when unanswered', () => {
    const ringing = place(alice, bob, 1_000);
    const active = place(carol, alice, 1_100);
    const done = place(bob, carol, 900);
    calls.markAnswered(active.id, 1_200, 'alice-dev');
    calls.markEnded(done.id, 950, 'completed', true);

    expect(calls.endDangling(5_000)).toBe(2);
    expect(calls.get(ringing.id, bob.id)).toMatchObject({
      endedAt: 5_000,
      endReason: 'interrupted',
      missed: true,
    });
    expect(calls.get(active.id, alice.id)).toMatchObject({
      endedAt: 5_000,
      endReason: 'interrupted',
      missed: false,
    });
    expect(calls.get(done.id, bob.id)).toMatchObject({ endedAt: 950, endReason: 'completed' });
    expect(calls.endDangling(6_000)).toBe(0);
  });

  it('leaves the calls to keep open (answered calls that go on after a restart)', () => {
    const live = place(alice, bob, 1_000);
    const dangling = place(carol, alice, 1_100);
    calls.markAnswered(live.id, 1_200, 'bob-dev');

    expect(calls.endDangling(5_000, [live.id])).toBe(1);
    expect(calls.get(live.id, alice.id)).toMatchObject({ endedAt: null, endReason: null });
    expect(calls.get(dangling.id, alice.id)).toMatchObject({ endedAt: 5_000, endReason: 'interrupted' });
  });

  it('corrects only an end it guessed (connection-lost, interrupted) of an answered call, and not to before the answer', () => {
    const lost = place(alice, bob, 1_000);
    const hungUp = place(alice, bob, 1_001);
    const unanswered = place(alice, bob, 1_002);
    calls.markAnswered(lost.id, 1_200, 'bob-dev');
    calls.markAnswered(hungUp.id, 1_200, 'bob-dev');
    calls.markEnded(lost.id, 3_000, 'connection-lost', true);
    calls.markEnded(hungUp.id, 3_000, 'completed', true);
    calls.markEnded(unanswered.id, 3_000, 'interrupted', false);

    expect(calls.correctEnd(lost.id, 1_100, 'completed')).toBe(false);
    expect(calls.correctEnd(lost.id, 4_000, 'completed')).toBe(true);
    expect(calls.correctEnd(lost.id, 4_500, 'failed')).toBe(false);
    expect(calls.correctEnd(hungUp.id, 4_000, 'failed')).toBe(false);
    expect(calls.correctEnd(unanswered.id, 4_000, 'completed')).toBe(false);
    expect(calls.endOf(lost.id)).toEqual({
      callerId: alice.id,
      callerDevice: 'dev-alice',
      calleeId: bob.id,
      answeredDevice: 'bob-dev',
      answeredAt: 1_200,
      endedAt: 4_000,
      endReason: 'completed',
    });
    expect(calls.endOf(hungUp.id)).toMatchObject({ endedAt: 3_000, endReason: 'completed' });
    expect(calls.endOf(unanswered.id)).toMatchObject({ endedAt: 3_000, endReason: 'interrupted' });
    expect(calls.endOf('no-such-call')).toBeUndefined();
  });

  it("pages a user's calls as caller and callee, newest first, with the peer name", () => {
    const a = place(alice, bob, 1_000);
    const b = place(carol, alice, 2_000);
    const c = place(bob, carol, 3_000); // not alice's
    const d = place(alice, carol, 4_000);

    const page = calls.page(alice.id, undefined, 10);
    expect(page.map((r) => r.id)).toEqual([d.id, b.id, a.id]);
    expect(page.map((r) => [r.peerUsername, r.peerDisplayName])).toEqual([
      ['carol', 'Carol C.'],
      ['carol', 'Carol C.'],
      ['bob', 'Bob B.'],
    ]);
    expect(page.map((r) => r.callerId)).toEqual([alice.id, carol.id, alice.id]);
    expect(calls.page(carol.id, undefined, 10).map((r) => r.id)).toEqual([d.id, c.id, b.id]);
    expect(calls.page(carol.id, undefined, 10).map((r) => r.peerUsername)).toEqual(['alice', 'bob', 'alice']);
  });

  it('pages with a cursor without duplicates or gaps, including ties on created_at', () => {
    const expected: string[] = [];
    // Mixed directions, and groups of calls sharing a created_at.
    const times = [1_000, 1_000, 1_000, 2_000, 2_000, 3_000, 3_000, 3_000, 3_000, 4_000, 5_000, 5_000, 5_000];
    times.forEach((at, i) => {
      const r = i % 2 === 0 ? place(alice, bob, at) : place(i % 3 === 0 ? carol : bob, alice, at);
      expected.push(r.id);
    });
    place(bob, carol, 3_000); // someone else's call at a tied time

    const all = calls.page(alice.id, undefined, 100);
    expect(all).toHaveLength(times.length);
    expect(new Set(all.map((r) => r.id))).toEqual(new Set(expected));
    for (let i = 1; i < all.length; i++) {
      const [prev, cur] = [all[i - 1]!, all[i]!];
      expect(prev.createdAt > cur.createdAt || (prev.createdAt === cur.createdAt && prev.id > cur.id)).toBe(
        true,
      );
    }

    for (const size of [1, 2, 3, 4, 5]) {
      const seen: string[] = [];
      let cursor: { at: number; id: string } | undefined;
      for (;;) {
        const page = calls.page(alice.id, cursor, size);
        expect(page.length).toBeLessThanOrEqual(size);
        if (page.length === 0) break;
        seen.push(...page.map((r) => r.id));
        const last = page[page.length - 1]!;
        cursor = { at: last.createdAt, id: last.id };
      }
      expect(seen).toEqual(all.map((r) => r.id));
    }
  });

  it("counts and clears only the callee's unseen missed calls", () => {
    const m1 = place(alice, bob, 1_000);
    const m2 = place(carol, bob, 2_000);
    const declined = place(alice, bob, 3_000);
    const answered = place(alice, bob, 4_000);
    const outgoing = place(bob, alice, 5_000);
    calls.markEnded(m1.id, 1_500, 'missed', false);
    calls.markEnded(m2.id, 2_500, 'cancelled', false);
    calls.markEnded(declined.id, 3_500, 'declined', false);
    calls.markAnswered(answered.id, 4_100, 'bob-dev');
    calls.markEnded(answered.id, 4_500, 'completed', true);
    calls.markEnded(outgoing.id, 5_500, 'missed', false); // missed by alice, not bob

    expect(calls.unseenMissed(bob.id)).toBe(2);
    expect(calls.unseenMissed(alice.id)).toBe(1);
    expect(calls.unseenMissed(carol.id)).toBe(0);

    expect(calls.markMissedSeen(bob.id)).toBe(2);
    expect(calls.unseenMissed(bob.id)).toBe(0);
    expect(calls.get(m1.id, bob.id)).toMatchObject({ missed: true, seen: true });
    expect(calls.get(declined.id, bob.id)).toMatchObject({ seen: false });
    expect(calls.unseenMissed(alice.id)).toBe(1);
    expect(calls.markMissedSeen(bob.id)).toBe(0);

    const m3 = place(alice, bob, 6_000);
    calls.markEnded(m3.id, 6_500, 'missed', false);
    expect(calls.unseenMissed(bob.id)).toBe(1);
  });

  it('uses 22-character base64url call ids', () => {
    const ids = Array.from({ length: 20 }, () => newCallId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
