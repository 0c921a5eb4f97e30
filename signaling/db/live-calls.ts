/**
 * The live_calls table: calls in progress, ringing or answered. It is the store behind the call
 * registry (calls/registry.ts), so that an answered call outlives a server restart. Every change runs
 * in one transaction (`atomically`) that holds what it changes, which is what makes the registry's
 * claim and update atomic (with PostgreSQL, across the nodes sharing it).
 * Each user's calls (read by every presence recompute and connect) are cached; `put` and `delete` drop
 * both parties' entries.
 */
import type { Device } from '../domain.js';
import type { Media } from '../protocol/index.js';
import type { CacheMap } from './read-cache.js';
import type { Sql } from './sql.js';

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

/** The first key of the advisory locks on a user's calls (the second is the user id). */
const USERS_LOCK = 0x6c697665; // "live"

const NO_CALLS: readonly LiveCallRow[] = Object.freeze([]);

export class LiveCallsTable {
  private readonly byUser: CacheMap<number, readonly LiveCallRow[]>;

  constructor(private readonly sql: Sql) {
    this.byUser = sql.cache.map('live calls by user');
  }

  /**
   * Runs `work` in one transaction holding `hold`: the calls of these users (no other transaction may
   * add one for them meanwhile), or this call (no other may change it). SQLite's transactions take
   * turns anyway; PostgreSQL's run side by side, so there each takes a lock: an advisory lock per user
   * (in id order, so two transactions never wait for each other), or the call's row.
   */
  atomically<T>(
    hold: { users: readonly number[] } | { call: string },
    work: (table: LiveCallsTable) => Promise<T>,
  ): Promise<T> {
    return this.sql.transaction(async (tx) => {
      if (tx.dialect === 'postgres') {
        if ('call' in hold) await tx.run('SELECT id FROM live_calls WHERE id = ? FOR UPDATE', [hold.call]);
        else
          for (const userId of [...new Set(hold.users)].sort((a, b) => a - b))
            await tx.run('SELECT pg_advisory_xact_lock(?, ?)', [USERS_LOCK, userId]);
      }
      return work(new LiveCallsTable(tx));
    });
  }

  /** Adds the call, or replaces the row with its id. */
  async put(call: LiveCallRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO live_calls
              (id, media, caller_id, caller_device, callee_id, callee_device, state, created_at, answered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET media = excluded.media, caller_id = excluded.caller_id,
         caller_device = excluded.caller_device, callee_id = excluded.callee_id,
         callee_device = excluded.callee_device, state = excluded.state, created_at = excluded.created_at,
         answered_at = excluded.answered_at`,
      [
        call.id,
        call.media,
        call.caller.userId,
        call.caller.deviceId,
        call.callee.userId,
        call.callee.deviceId,
        call.state,
        call.createdAt,
        call.answeredAt,
      ],
    );
    this.forget(call.caller.userId, call.callee.userId);
  }

  async delete(id: string): Promise<void> {
    const parties = await this.sql.get<{ callerId: number; calleeId: number }>(
      'DELETE FROM live_calls WHERE id = ? RETURNING caller_id AS "callerId", callee_id AS "calleeId"',
      [id],
    );
    if (parties) this.forget(parties.callerId, parties.calleeId);
  }

  async get(id: string): Promise<LiveCallRow | undefined> {
    const row = await this.sql.get<RawRow>('SELECT * FROM live_calls WHERE id = ?', [id]);
    return row && fromRaw(row);
  }

  /** The calls a user is a party to, oldest first. */
  async ofUser(userId: number): Promise<LiveCallRow[]> {
    const hit = this.byUser.get(userId);
    if (hit) return [...hit];
    const ticket = this.byUser.ticket();
    const rows = await this.sql.all<RawRow>(
      `SELECT * FROM live_calls WHERE caller_id = ?
       UNION ALL
       SELECT * FROM live_calls WHERE callee_id = ? AND caller_id <> ?
       ORDER BY created_at, id`,
      [userId, userId, userId],
    );
    const calls = rows.map(fromRaw);
    // Most users have no call: they all share one empty list instead of keeping one each.
    this.byUser.set(userId, calls.length === 0 ? NO_CALLS : calls, ticket);
    return [...calls];
  }

  async all(): Promise<LiveCallRow[]> {
    return (await this.sql.all<RawRow>('SELECT * FROM live_calls ORDER BY created_at, id')).map(fromRaw);
  }

  private forget(a: number, b: number): void {
    this.byUser.delete(a);
    this.byUser.delete(b);
  }

  /** How many calls are in each state. */
  async countByState(): Promise<Record<LiveCallRow['state'], number>> {
    const counts = { ringing: 0, active: 0 };
    const rows = await this.sql.all<{ state: LiveCallRow['state']; n: number }>(
      'SELECT state, count(*) AS n FROM live_calls GROUP BY state',
    );
    for (const { state, n } of rows) counts[state] = n;
    return counts;
  }
}
