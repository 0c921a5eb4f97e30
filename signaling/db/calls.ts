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

/** A call as its row has it, without the peer's name (which a HistoryRow adds for one party). */
export type CallRow = Omit<HistoryRow, 'peerUsername' | 'peerDisplayName'>;

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

/** A call's own columns, as a HistoryRow names them (the peer's name comes from a join); `c.`: of table c. */
const callColumns = (table: 'c.' | '') => `${table}id, ${table}caller_id AS "callerId",
  ${table}callee_id AS "calleeId", ${table}media, ${table}created_at AS "createdAt",
  ${table}answered_at AS "answeredAt", ${table}answered_device AS "answeredDevice",
  ${table}ended_at AS "endedAt", ${table}end_reason AS "endReason", ${table}missed, ${table}seen`;

const HISTORY_COLUMNS = `${callColumns('c.')}, u.username AS "peerUsername", u.display_name AS "peerDisplayName"`;

/** A row as the database gives it: the missed and seen flags as 0 or 1. */
type Raw<Row extends { missed: boolean; seen: boolean }> = Omit<Row, 'missed' | 'seen'> & {
  missed: number;
  seen: number;
};
const withFlags = <Row extends { missed: boolean; seen: boolean }>(r: Raw<Row>): Row =>
  ({ ...r, missed: r.missed === 1, seen: r.seen === 1 }) as Row;

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

  /** Ends the call as `reason`; returns the row as ended, or undefined if it had ended already. */
  async markEnded(
    id: string,
    endedAt: number,
    reason: CallEndReason,
    answered: boolean,
  ): Promise<CallRow | undefined> {
    const missed = isMissed(answered, reason);
    const ended = await this.sql.get<Raw<CallRow>>(
      `UPDATE calls SET ended_at = ?, end_reason = ?, missed = ?
        WHERE id = ? AND ended_at IS NULL RETURNING ${callColumns('')}`,
      [endedAt, reason, missed ? 1 : 0, id],
    );
    if (ended && missed) {
      // One more unseen missed call: a count at hand goes up by one rather than being counted again (a
      // count of every unseen missed call of the callee, which grows with them).
      const before = this.unseen.get(ended.calleeId);
      this.unseen.delete(ended.calleeId);
      if (before !== undefined) this.unseen.set(ended.calleeId, before + 1);
    }
    return ended && withFlags<CallRow>(ended);
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
   * reported; returns the row as corrected, or undefined when there was nothing to replace.
   */
  async correctEnd(id: string, endedAt: number, reason: CallEndReason): Promise<CallRow | undefined> {
    const corrected = await this.sql.get<Raw<CallRow>>(
      `UPDATE calls SET ended_at = ?, end_reason = ?
        WHERE id = ? AND answered_at IS NOT NULL AND answered_at <= ?
          AND end_reason IN (${placeholders(GUESSED_ENDS.length)})
        RETURNING ${callColumns('')}`,
      [endedAt, reason, id, endedAt, ...GUESSED_ENDS],
    );
    return corrected && withFlags<CallRow>(corrected);
  }

  /** A page of a user's history, newest first, strictly before the cursor. */
  async page(
    userId: number,
    before: { at: number; id: string } | undefined,
    limit: number,
  ): Promise<HistoryRow[]> {
    // No cursor: every real timestamp is below MAX_SAFE_INTEGER, so the id never decides.
    const cursor = [before?.at ?? Number.MAX_SAFE_INTEGER, before?.id ?? ''];
    const rows = await this.sql.all<Raw<HistoryRow>>(PAGE, [
      userId,
      ...cursor,
      limit,
      userId,
      ...cursor,
      limit,
      limit,
    ]);
    return rows.map((row) => withFlags<HistoryRow>(row));
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
