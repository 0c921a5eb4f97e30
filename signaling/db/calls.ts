/**
 * The calls table: the history of every call attempt. Each user's count of unseen missed calls (read
 * on every connect) is cached; this table's writes drop the counts they change.
 */
import type { CallEndReason, Media } from '../protocol/index.js';
import type { CacheMap } from './read-cache.js';
import { placeholders, type Sql } from './sql.js';

export interface CallRecord {
  id: string;
  callerId: number;
  calleeId: number;
  media: Media;
  callerDevice: string;
  createdAt: number;
}

export interface HistoryRow {
  id: string;
  callerId: number;
  calleeId: number;
  peerUsername: string;
  peerDisplayName: string;
  media: Media;
  createdAt: number;
  answeredAt: number | null;
  answeredDevice: string | null;
  endedAt: number | null;
  endReason: CallEndReason | null;
  missed: boolean;
  seen: boolean;
}

/** Who was in a call and how it ended, for checking a report of its end. */
export interface CallEnd {
  callerId: number;
  callerDevice: string;
  calleeId: number;
  answeredDevice: string | null;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: CallEndReason | null;
}

/** Ends the server recorded without seeing them: a party's report of the real end may replace these. */
export const GUESSED_ENDS: readonly CallEndReason[] = ['connection-lost', 'interrupted'];

/** An unanswered incoming call that the callee did not decline. */
export const isMissed = (answered: boolean, reason: CallEndReason): boolean =>
  !answered && reason !== 'declined';

/** A call's own columns, as a HistoryRow names them (the peer's name comes from a join). */
const CALL_COLUMNS = `c.id, c.caller_id AS "callerId", c.callee_id AS "calleeId", c.media,
  c.created_at AS "createdAt", c.answered_at AS "answeredAt", c.answered_device AS "answeredDevice",
  c.ended_at AS "endedAt", c.end_reason AS "endReason", c.missed, c.seen`;

const HISTORY_COLUMNS = `${CALL_COLUMNS}, u.username AS "peerUsername", u.display_name AS "peerDisplayName"`;

type RawHistoryRow = Omit<HistoryRow, 'missed' | 'seen'> & { missed: number; seen: number };
const toHistoryRow = (r: RawHistoryRow): HistoryRow => ({ ...r, missed: r.missed === 1, seen: r.seen === 1 });

// Each side of the UNION uses its own index; the outer query merges the two pages.
const PAGE = `SELECT * FROM (
    SELECT * FROM (SELECT ${HISTORY_COLUMNS} FROM calls c JOIN users u ON u.id = c.callee_id
                    WHERE c.caller_id = ? AND (c.created_at, c.id) < (?, ?)
                    ORDER BY c.created_at DESC, c.id DESC LIMIT ?) AS made
    UNION ALL
    SELECT * FROM (SELECT ${HISTORY_COLUMNS} FROM calls c JOIN users u ON u.id = c.caller_id
                    WHERE c.callee_id = ? AND (c.created_at, c.id) < (?, ?)
                    ORDER BY c.created_at DESC, c.id DESC LIMIT ?) AS received
  ) AS page ORDER BY "createdAt" DESC, id DESC LIMIT ?`;

/** A call with both parties' names: `sides`. */
const SIDES = `SELECT ${CALL_COLUMNS},
    caller.username AS "callerUsername", caller.display_name AS "callerDisplayName",
    callee.username AS "calleeUsername", callee.display_name AS "calleeDisplayName"
  FROM calls c JOIN users caller ON caller.id = c.caller_id JOIN users callee ON callee.id = c.callee_id
  WHERE c.id = ?`;

type RawSidesRow = Omit<RawHistoryRow, 'peerUsername' | 'peerDisplayName'> & {
  callerUsername: string;
  callerDisplayName: string;
  calleeUsername: string;
  calleeDisplayName: string;
};

export class CallsTable {
  /** Unseen missed calls by callee id. */
  private readonly unseen: CacheMap<number, number>;

  constructor(private readonly sql: Sql) {
    this.unseen = sql.cache.map('unseen missed calls');
  }

  async insert(call: CallRecord): Promise<void> {
    await this.sql.run(
      `INSERT INTO calls (id, caller_id, callee_id, media, caller_device, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [call.id, call.callerId, call.calleeId, call.media, call.callerDevice, call.createdAt],
    );
  }

  async markAnswered(id: string, answeredAt: number, deviceId: string): Promise<void> {
    await this.sql.run(
      'UPDATE calls SET answered_at = ?, answered_device = ? WHERE id = ? AND ended_at IS NULL',
      [answeredAt, deviceId, id],
    );
  }

  async markEnded(id: string, endedAt: number, reason: CallEndReason, answered: boolean): Promise<void> {
    const missed = isMissed(answered, reason);
    const ended = await this.sql.get<{ calleeId: number }>(
      `UPDATE calls SET ended_at = ?, end_reason = ?, missed = ?
        WHERE id = ? AND ended_at IS NULL RETURNING callee_id AS "calleeId"`,
      [endedAt, reason, missed ? 1 : 0, id],
    );
    if (ended && missed) {
      // One more unseen missed call: a count at hand goes up by one rather than being counted again (a
      // count of every unseen missed call of the callee, which grows with them).
      const before = this.unseen.get(ended.calleeId);
      this.unseen.delete(ended.calleeId);
      if (before !== undefined) this.unseen.set(ended.calleeId, before + 1);
    }
  }

  /** Closes calls left open by a server that stopped without finishing them, except the `keep` ones (still live). */
  endDangling(endedAt: number, keep: readonly string[] = []): Promise<number> {
    this.unseen.clear();
    return this.sql.run(
      `UPDATE calls SET ended_at = ?, end_reason = 'interrupted',
              missed = CASE WHEN answered_at IS NULL THEN 1 ELSE 0 END
        WHERE ended_at IS NULL${keep.length > 0 ? ` AND id NOT IN (${placeholders(keep.length)})` : ''}`,
      [endedAt, ...keep],
    );
  }

  endOf(id: string): Promise<CallEnd | undefined> {
    return this.sql.get<CallEnd>(
      `SELECT caller_id AS "callerId", caller_device AS "callerDevice", callee_id AS "calleeId",
              answered_device AS "answeredDevice", answered_at AS "answeredAt", ended_at AS "endedAt",
              end_reason AS "endReason"
         FROM calls WHERE id = ?`,
      [id],
    );
  }

  /**
   * Replaces an end the server guessed (GUESSED_ENDS) of an answered call with the real one a party
   * reported; false when there was nothing to replace.
   */
  async correctEnd(id: string, endedAt: number, reason: CallEndReason): Promise<boolean> {
    const changed = await this.sql.run(
      `UPDATE calls SET ended_at = ?, end_reason = ?
        WHERE id = ? AND answered_at IS NOT NULL AND answered_at <= ?
          AND end_reason IN (${placeholders(GUESSED_ENDS.length)})`,
      [endedAt, reason, id, endedAt, ...GUESSED_ENDS],
    );
    return changed > 0;
  }

  /** A page of a user's history, newest first, strictly before the cursor. */
  async page(
    userId: number,
    before: { at: number; id: string } | undefined,
    limit: number,
  ): Promise<HistoryRow[]> {
    // No cursor: every real timestamp is below MAX_SAFE_INTEGER, so the id never decides.
    const cursor = [before?.at ?? Number.MAX_SAFE_INTEGER, before?.id ?? ''];
    const rows = await this.sql.all<RawHistoryRow>(PAGE, [
      userId,
      ...cursor,
      limit,
      userId,
      ...cursor,
      limit,
      limit,
    ]);
    return rows.map(toHistoryRow);
  }

  /** One call as each party sees it (the peer is the other party), in one read. */
  async sides(id: string): Promise<{ caller: HistoryRow; callee: HistoryRow } | undefined> {
    const row = await this.sql.get<RawSidesRow>(SIDES, [id]);
    if (!row) return undefined;
    const { callerUsername, callerDisplayName, calleeUsername, calleeDisplayName, ...call } = row;
    return {
      caller: toHistoryRow({ ...call, peerUsername: calleeUsername, peerDisplayName: calleeDisplayName }),
      callee: toHistoryRow({ ...call, peerUsername: callerUsername, peerDisplayName: callerDisplayName }),
    };
  }

  async unseenMissed(userId: number): Promise<number> {
    const hit = this.unseen.get(userId);
    if (hit !== undefined) return hit;
    const ticket = this.unseen.ticket();
    const { n } = (await this.sql.get<{ n: number }>(
      'SELECT count(*) AS n FROM calls WHERE callee_id = ? AND missed = 1 AND seen = 0',
      [userId],
    ))!;
    this.unseen.set(userId, n, ticket);
    return n;
  }

  async markMissedSeen(userId: number): Promise<number> {
    const changes = await this.sql.run(
      'UPDATE calls SET seen = 1 WHERE callee_id = ? AND missed = 1 AND seen = 0',
      [userId],
    );
    this.unseen.set(userId, 0);
    return changes;
  }
}
