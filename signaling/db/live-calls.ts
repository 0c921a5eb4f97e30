/**
 * The live_calls table: calls in progress, ringing or answered. It is the store behind the call
 * registry (calls/registry.ts), so that an answered call outlives a server restart. Every change runs
 * in one transaction (`atomically`), which is what makes the registry's claim and update atomic.
 * Each user's calls (read by every presence recompute and connect) are cached; `put` and `delete` drop
 * both parties' entries.
 */
import type { Device } from '../domain.js';
import type { Media } from '../protocol/index.js';
import type { Db } from './database.js';
import { readCacheOf, type CacheMap } from './read-cache.js';

/** A call in progress, as stored (the same shape as the call machine's `LiveCall`). */
export interface LiveCallRow {
  id: string;
  media: Media;
  caller: Device;
  callee: Device | { userId: number; deviceId: null };
  state: 'ringing' | 'active';
  createdAt: number;
  answeredAt: number | null;
}

interface RawRow {
  id: string;
  media: Media;
  caller_id: number;
  caller_device: string;
  callee_id: number;
  callee_device: string | null;
  state: 'ringing' | 'active';
  created_at: number;
  answered_at: number | null;
}

const fromRaw = (r: RawRow): LiveCallRow => ({
  id: r.id,
  media: r.media,
  caller: { userId: r.caller_id, deviceId: r.caller_device },
  callee: { userId: r.callee_id, deviceId: r.callee_device },
  state: r.state,
  createdAt: r.created_at,
  answeredAt: r.answered_at,
});

export class LiveCallsTable {
  private readonly putStmt;
  private readonly deleteStmt;
  private readonly oneStmt;
  private readonly ofUserStmt;
  private readonly allStmt;
  private readonly countStmt;
  private readonly byUser: CacheMap<number, readonly LiveCallRow[]>;

  constructor(private readonly db: Db) {
    this.byUser = readCacheOf(db).map('live calls by user');
    this.putStmt = db.prepare<RawRow>(
      `INSERT OR REPLACE INTO live_calls
              (id, media, caller_id, caller_device, callee_id, callee_device, state, created_at, answered_at)
       VALUES (@id, @media, @caller_id, @caller_device, @callee_id, @callee_device, @state, @created_at,
               @answered_at)`,
    );
    this.deleteStmt = db.prepare<[string], { callerId: number; calleeId: number }>(
      'DELETE FROM live_calls WHERE id = ? RETURNING caller_id AS callerId, callee_id AS calleeId',
    );
    this.oneStmt = db.prepare<[string], RawRow>('SELECT * FROM live_calls WHERE id = ?');
    this.ofUserStmt = db.prepare<{ userId: number }, RawRow>(
      `SELECT * FROM live_calls WHERE caller_id = @userId
       UNION ALL
       SELECT * FROM live_calls WHERE callee_id = @userId AND caller_id <> @userId
       ORDER BY created_at, id`,
    );
    this.allStmt = db.prepare<[], RawRow>('SELECT * FROM live_calls ORDER BY created_at, id');
    this.countStmt = db.prepare<[], { state: LiveCallRow['state']; n: number }>(
      'SELECT state, count(*) AS n FROM live_calls GROUP BY state',
    );
  }

  /** Runs `work` in one transaction: nothing else reads or writes the table in between. */
  atomically<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Adds the call, or replaces the row with its id. */
  put(call: LiveCallRow): void {
    this.putStmt.run({
      id: call.id,
      media: call.media,
      caller_id: call.caller.userId,
      caller_device: call.caller.deviceId,
      callee_id: call.callee.userId,
      callee_device: call.callee.deviceId,
      state: call.state,
      created_at: call.createdAt,
      answered_at: call.answeredAt,
    });
    this.forget(call.caller.userId, call.callee.userId);
  }

  delete(id: string): void {
    const parties = this.deleteStmt.get(id);
    if (parties) this.forget(parties.callerId, parties.calleeId);
  }

  get(id: string): LiveCallRow | undefined {
    const row = this.oneStmt.get(id);
    return row && fromRaw(row);
  }

  /** The calls a user is a party to, oldest first. */
  ofUser(userId: number): LiveCallRow[] {
    let calls = this.byUser.get(userId);
    if (!calls) this.byUser.set(userId, (calls = this.ofUserStmt.all({ userId }).map(fromRaw)));
    return [...calls];
  }

  all(): LiveCallRow[] {
    return this.allStmt.all().map(fromRaw);
  }

  private forget(a: number, b: number): void {
    this.byUser.delete(a);
    this.byUser.delete(b);
  }

  /** How many calls are in each state. */
  countByState(): Record<LiveCallRow['state'], number> {
    const counts = { ringing: 0, active: 0 };
    for (const { state, n } of this.countStmt.all()) counts[state] = n;
    return counts;
  }
}
