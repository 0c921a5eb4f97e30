import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newCallId } from '../accounts/tokens.js';
import { databasesPerFile } from '../test-support/databases.js';
import { CallsTable, isMissed, type CallRecord, type HistoryRow } from './calls.js';
import { openDatabase, type Database, type DatabaseLocation } from './database.js';
import { migrations } from './migrations.js';
import { UsersTable, type UserRow } from './users.js';

let dir: string;
let where: DatabaseLocation;
let db: Database;
let calls: CallsTable;
let alice: UserRow;
let bob: UserRow;
let carol: UserRow;

const record = (caller: UserRow, callee: UserRow, createdAt: number, id = newCallId()): CallRecord => ({
  id,
  callerId: caller.id,
  calleeId: callee.id,
  media: 'audio',
  callerDevice: `dev-${caller.username}`,
  createdAt,
});

const place = async (
  caller: UserRow,
  callee: UserRow,
  createdAt: number,
  id?: string,
): Promise<CallRecord> => {
  const r = record(caller, callee, createdAt, id);
  await calls.insert(r);
  return r;
};

/** The schema version the database records: SQLite's user_version, PostgreSQL's schema_version row. */
const SCHEMA_VERSION = {
  sqlite: {
    read: 'PRAGMA user_version',
    column: 'user_version',
    write: (v: number) => `PRAGMA user_version = ${v}`,
  },
  postgres: {
    read: 'SELECT version FROM schema_version',
    column: 'version',
    write: (v: number) => `UPDATE schema_version SET version = ${v}`,
  },
};
const schemaVersion = async (): Promise<number> => {
  const { read, column } = SCHEMA_VERSION[db.dialect];
  return (await db.get<Record<string, number>>(read))![column]!;
};

/** A call as `userId` sees it in their history; undefined for someone not in it. */
async function seenBy(table: CallsTable, id: string, userId: number): Promise<HistoryRow | undefined> {
  return (await table.page(userId, undefined, 100)).find((row) => row.id === id);
}

describe.each(databasesPerFile())('on $name', (database) => {
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
    where = { dataDir: dir, ...(await database.fresh()) };
    db = await openDatabase(where);
    calls = new CallsTable(db);
    const users = new UsersTable(db);
    alice = (await users.insert('alice', 'Alice A.', 'hash', 1))!;
    bob = (await users.insert('bob', 'Bob B.', 'hash', 1))!;
    carol = (await users.insert('carol', 'Carol C.', 'hash', 1))!;
  });

  afterEach(async () => {
    await db.close().catch(() => undefined); // a test may have closed it
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('schema', () => {
    it('records the number of migrations as the schema version, and opening again changes nothing', async () => {
      expect(await schemaVersion()).toBe(migrations.length);
      await db.close();
      db = await openDatabase(where);
      expect(await schemaVersion()).toBe(migrations.length);
    });

    it('keeps data when the same database is opened again (restart)', async () => {
      const c = await place(alice, bob, 1_000);
      await calls.markAnswered(c.id, 1_500, 'bob-dev');
      await calls.markEnded(c.id, 2_000, 'completed', true);
      await db.close();

      db = await openDatabase(where);
      expect((await new UsersTable(db).findByUsername('bob'))?.id).toBe(bob.id);
      expect(await seenBy(new CallsTable(db), c.id, alice.id)).toMatchObject({
        id: c.id,
        answeredAt: 1_500,
        endedAt: 2_000,
        endReason: 'completed',
      });
    });

    it('refuses a database newer than the server', async () => {
      await db.run(SCHEMA_VERSION[db.dialect].write(migrations.length + 1));
      await db.close();
      await expect(openDatabase(where)).rejects.toThrow(/newer than this server/);
    });
  });

  describe('CallsTable', async () => {
    it('records a call from start through answer to end, seen from both sides', async () => {
      const c = await place(alice, bob, 1_000);
      expect(await seenBy(calls, c.id, alice.id)).toEqual({
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

      await calls.markAnswered(c.id, 1_200, 'bob-phone');
      await calls.markEnded(c.id, 3_000, 'completed', true);

      const expected = {
        answeredAt: 1_200,
        answeredDevice: 'bob-phone',
        endedAt: 3_000,
        endReason: 'completed',
      };
      expect(await seenBy(calls, c.id, alice.id)).toMatchObject({
        ...expected,
        peerUsername: 'bob',
        missed: false,
      });
      expect(await seenBy(calls, c.id, bob.id)).toMatchObject({
        ...expected,
        peerUsername: 'alice',
        missed: false,
      });
      expect(await seenBy(calls, c.id, carol.id)).toBeUndefined();
    });

    it('marks an unanswered, not declined call as missed', async () => {
      const missed = await place(alice, bob, 1_000);
      const declined = await place(alice, bob, 2_000);
      await calls.markEnded(missed.id, 1_500, 'missed', false);
      await calls.markEnded(declined.id, 2_500, 'declined', false);
      expect(await seenBy(calls, missed.id, bob.id)).toMatchObject({ endReason: 'missed', missed: true });
      expect(await seenBy(calls, declined.id, bob.id)).toMatchObject({
        endReason: 'declined',
        missed: false,
      });
    });

    it('keeps the first end when a call is ended twice', async () => {
      const c = await place(alice, bob, 1_000);
      await calls.markEnded(c.id, 2_000, 'declined', false);
      await calls.markEnded(c.id, 9_000, 'missed', false);
      await calls.markAnswered(c.id, 9_500, 'late-device');
      expect(await seenBy(calls, c.id, bob.id)).toMatchObject({
        endedAt: 2_000,
        endReason: 'declined',
        missed: false,
        answeredAt: null,
        answeredDevice: null,
      });
    });

    it('closes dangling calls as interrupted, missed only when unanswered', async () => {
      const ringing = await place(alice, bob, 1_000);
      const active = await place(carol, alice, 1_100);
      const done = await place(bob, carol, 900);
      await calls.markAnswered(active.id, 1_200, 'alice-dev');
      await calls.markEnded(done.id, 950, 'completed', true);

      expect(await calls.endDangling(5_000)).toBe(2);
      expect(await seenBy(calls, ringing.id, bob.id)).toMatchObject({
        endedAt: 5_000,
        endReason: 'interrupted',
        missed: true,
      });
      expect(await seenBy(calls, active.id, alice.id)).toMatchObject({
        endedAt: 5_000,
        endReason: 'interrupted',
        missed: false,
      });
      expect(await seenBy(calls, done.id, bob.id)).toMatchObject({ endedAt: 950, endReason: 'completed' });
      expect(await calls.endDangling(6_000)).toBe(0);
    });

    it('leaves the calls to keep open (answered calls that go on after a restart)', async () => {
      const live = await place(alice, bob, 1_000);
      const dangling = await place(carol, alice, 1_100);
      await calls.markAnswered(live.id, 1_200, 'bob-dev');

      expect(await calls.endDangling(5_000, [live.id])).toBe(1);
      expect(await seenBy(calls, live.id, alice.id)).toMatchObject({ endedAt: null, endReason: null });
      expect(await seenBy(calls, dangling.id, alice.id)).toMatchObject({
        endedAt: 5_000,
        endReason: 'interrupted',
      });
    });

    it('corrects only an end it guessed (connection-lost, interrupted) of an answered call, and not to before the answer', async () => {
      const lost = await place(alice, bob, 1_000);
      const hungUp = await place(alice, bob, 1_001);
      const unanswered = await place(alice, bob, 1_002);
      await calls.markAnswered(lost.id, 1_200, 'bob-dev');
      await calls.markAnswered(hungUp.id, 1_200, 'bob-dev');
      await calls.markEnded(lost.id, 3_000, 'connection-lost', true);
      await calls.markEnded(hungUp.id, 3_000, 'completed', true);
      await calls.markEnded(unanswered.id, 3_000, 'interrupted', false);

      expect(await calls.correctEnd(lost.id, 1_100, 'completed')).toBeUndefined();
      expect(await calls.correctEnd(lost.id, 4_000, 'completed')).toMatchObject({
        id: lost.id,
        answeredAt: 1_200,
        endedAt: 4_000,
        endReason: 'completed',
        missed: false,
      });
      expect(await calls.correctEnd(lost.id, 4_500, 'failed')).toBeUndefined();
      expect(await calls.correctEnd(hungUp.id, 4_000, 'failed')).toBeUndefined();
      expect(await calls.correctEnd(unanswered.id, 4_000, 'completed')).toBeUndefined();
      expect(await calls.endOf(lost.id)).toEqual({
        callerId: alice.id,
        callerDevice: 'dev-alice',
        calleeId: bob.id,
        answeredDevice: 'bob-dev',
        answeredAt: 1_200,
        endedAt: 4_000,
        endReason: 'completed',
      });
      expect(await calls.endOf(hungUp.id)).toMatchObject({ endedAt: 3_000, endReason: 'completed' });
      expect(await calls.endOf(unanswered.id)).toMatchObject({ endedAt: 3_000, endReason: 'interrupted' });
      expect(await calls.endOf('no-such-call')).toBeUndefined();
    });

    it("pages a user's calls as caller and callee, newest first, with the peer name", async () => {
      const a = await place(alice, bob, 1_000);
      const b = await place(carol, alice, 2_000);
      const c = await place(bob, carol, 3_000); // not alice's
      const d = await place(alice, carol, 4_000);

      const page = await calls.page(alice.id, undefined, 10);
      expect(page.map((r) => r.id)).toEqual([d.id, b.id, a.id]);
      expect(page.map((r) => [r.peerUsername, r.peerDisplayName])).toEqual([
        ['carol', 'Carol C.'],
        ['carol', 'Carol C.'],
        ['bob', 'Bob B.'],
      ]);
      expect(page.map((r) => r.callerId)).toEqual([alice.id, carol.id, alice.id]);
      expect((await calls.page(carol.id, undefined, 10)).map((r) => r.id)).toEqual([d.id, c.id, b.id]);
      expect((await calls.page(carol.id, undefined, 10)).map((r) => r.peerUsername)).toEqual([
        'alice',
        'bob',
        'alice',
      ]);
    });

    it('pages with a cursor without duplicates or gaps, including ties on created_at', async () => {
      const expected: string[] = [];
      // Mixed directions, and groups of calls sharing a created_at.
      const times = [
        1_000, 1_000, 1_000, 2_000, 2_000, 3_000, 3_000, 3_000, 3_000, 4_000, 5_000, 5_000, 5_000,
      ];
      for (const [i, at] of times.entries()) {
        const r = await (i % 2 === 0 ? place(alice, bob, at) : place(i % 3 === 0 ? carol : bob, alice, at));
        expected.push(r.id);
      }
      await place(bob, carol, 3_000); // someone else's call at a tied time

      const all = await calls.page(alice.id, undefined, 100);
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
          const page = await calls.page(alice.id, cursor, size);
          expect(page.length).toBeLessThanOrEqual(size);
          if (page.length === 0) break;
          seen.push(...page.map((r) => r.id));
          const last = page[page.length - 1]!;
          cursor = { at: last.createdAt, id: last.id };
        }
        expect(seen).toEqual(all.map((r) => r.id));
      }
    });

    it("counts and clears only the callee's unseen missed calls", async () => {
      const m1 = await place(alice, bob, 1_000);
      const m2 = await place(carol, bob, 2_000);
      const declined = await place(alice, bob, 3_000);
      const answered = await place(alice, bob, 4_000);
      const outgoing = await place(bob, alice, 5_000);
      // Counted before the ends, so that (with SQLite, whose counts are cached) each end moves a count at hand.
      expect(await calls.unseenMissed(bob.id)).toBe(0);
      expect(await calls.unseenMissed(alice.id)).toBe(0);
      expect(await calls.markEnded(m1.id, 1_500, 'missed', false)).toEqual({
        id: m1.id,
        callerId: alice.id,
        calleeId: bob.id,
        media: m1.media,
        createdAt: 1_000,
        answeredAt: null,
        answeredDevice: null,
        endedAt: 1_500,
        endReason: 'missed',
        missed: true,
        seen: false,
      });
      // Ended already: no second count, nothing returned to announce.
      expect(await calls.markEnded(m1.id, 1_600, 'missed', false)).toBeUndefined();
      await calls.markEnded(m2.id, 2_500, 'cancelled', false);
      await calls.markEnded(declined.id, 3_500, 'declined', false);
      await calls.markAnswered(answered.id, 4_100, 'bob-dev');
      await calls.markEnded(answered.id, 4_500, 'completed', true);
      await calls.markEnded(outgoing.id, 5_500, 'missed', false); // missed by alice, not bob

      expect(await calls.unseenMissed(bob.id)).toBe(2);
      expect(await calls.unseenMissed(alice.id)).toBe(1);
      expect(await calls.unseenMissed(carol.id)).toBe(0);

      expect(await calls.markMissedSeen(bob.id)).toBe(2);
      expect(await calls.unseenMissed(bob.id)).toBe(0);
      expect(await seenBy(calls, m1.id, bob.id)).toMatchObject({ missed: true, seen: true });
      expect(await seenBy(calls, declined.id, bob.id)).toMatchObject({ seen: false });
      expect(await calls.unseenMissed(alice.id)).toBe(1);
      expect(await calls.markMissedSeen(bob.id)).toBe(0);

      const m3 = await place(alice, bob, 6_000);
      await calls.markEnded(m3.id, 6_500, 'missed', false);
      expect(await calls.unseenMissed(bob.id)).toBe(1);
    });

    it('uses 22-character base64url call ids', () => {
      const ids = Array.from({ length: 20 }, () => newCallId());
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(new Set(ids).size).toBe(ids.length);
    });
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
