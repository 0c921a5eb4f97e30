/**
 * The calls table: the history of every call attempt. Each user's count of unseen missed calls (read
 * on every connect) is cached; this table's writes drop the counts they change.
 */
import type { CallEndReason, Media } from '../protocol/index.js';
import type { Db } from './database.js';
import { readCacheOf, type CacheMap } from './read-cache.js';

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

const HISTORY_COLUMNS = `c.id, c.caller_id AS callerId, c.callee_id AS calleeId, u.username AS peerUsername,
  u.display_name AS peerDisplayName, c.media, c.created_at AS createdAt, c.answered_at AS answeredAt,
  c.answered_device AS answeredDevice, c.ended_at AS endedAt, c.end_reason AS endReason, c.missed, c.seen`;

type RawHistoryRow = Omit<HistoryRow, 'missed' | 'seen'> & { missed: number; seen: number };
const toHistoryRow = (r: RawHistoryRow): HistoryRow => ({ ...r, missed: r.missed === 1, seen: r.seen === 1 });

export class CallsTable {
  private readonly insertStmt;
  private readonly answerStmt;
  private readonly endStmt;
  private readonly endDanglingStmt;
  private readonly endOfStmt;
  private readonly correctEndStmt;
  private readonly pageStmt;
  private readonly oneStmt;
  private readonly unseenStmt;
  private readonly markSeenStmt;
  /** Unseen missed calls by callee id. */
  private readonly unseen: CacheMap<number, number>;

  constructor(db: Db) {
    this.unseen = readCacheOf(db).map('unseen missed calls');
    this.insertStmt = db.prepare<[string, number, number, Media, string, number]>(
      `INSERT INTO calls (id, caller_id, callee_id, media, caller_device, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.answerStmt = db.prepare<[number, string, string]>(
      'UPDATE calls SET answered_at = ?, answered_device = ? WHERE id = ? AND ended_at IS NULL',
    );
    this.endStmt = db.prepare<
      { id: string; endedAt: number; reason: CallEndReason; missed: number },
      { calleeId: number }
    >(
      `UPDATE calls SET ended_at = @endedAt, end_reason = @reason, missed = @missed
        WHERE id = @id AND ended_at IS NULL RETURNING callee_id AS calleeId`,
    );
    this.endDanglingStmt = db.prepare<{ endedAt: number; keep: string }>(
      `UPDATE calls SET ended_at = @endedAt, end_reason = 'interrupted',
              missed = CASE WHEN answered_at IS NULL THEN 1 ELSE 0 END
        WHERE ended_at IS NULL AND id NOT IN (SELECT value FROM json_each(@keep))`,
    );
    this.endOfStmt = db.prepare<[string], CallEnd>(
      `SELECT caller_id AS callerId, caller_device AS callerDevice, callee_id AS calleeId,
              answered_device AS answeredDevice, answered_at AS answeredAt, ended_at AS endedAt,
              end_reason AS endReason
         FROM calls WHERE id = ?`,
    );
    this.correctEndStmt = db.prepare<{ id: string; endedAt: number; reason: CallEndReason }>(
      `UPDATE calls SET ended_at = @endedAt, end_reason = @reason
        WHERE id = @id AND answered_at IS NOT NULL AND answered_at <= @endedAt
          AND end_reason IN (${GUESSED_ENDS.map((r) => `'${r}'`).join(', ')})`,
    );
    // Each side of the UNION uses its own index; the outer query merges the two pages.
    this.pageStmt = db.prepare<
      { userId: number; beforeAt: number; beforeId: string; limit: number },
      RawHistoryRow
    >(
      `SELECT * FROM (
         SELECT * FROM (SELECT ${HISTORY_COLUMNS} FROM calls c JOIN users u ON u.id = c.callee_id
                         WHERE c.caller_id = @userId AND (c.created_at, c.id) < (@beforeAt, @beforeId)
                         ORDER BY c.created_at DESC, c.id DESC LIMIT @limit)
         UNION ALL
         SELECT * FROM (SELECT ${HISTORY_COLUMNS} FROM calls c JOIN users u ON u.id = c.caller_id
                         WHERE c.callee_id = @userId AND (c.created_at, c.id) < (@beforeAt, @beforeId)
                         ORDER BY c.created_at DESC, c.id DESC LIMIT @limit)
       ) ORDER BY createdAt DESC, id DESC LIMIT @limit`,
    );
    this.oneStmt = db.prepare<{ id: string; userId: number }, RawHistoryRow>(
      `SELECT ${HISTORY_COLUMNS} FROM calls c
         JOIN users u ON u.id = CASE WHEN c.caller_id = @userId THEN c.callee_id ELSE c.caller_id END
        WHERE c.id = @id AND (c.caller_id = @userId OR c.callee_id = @userId)`,
    );
    this.unseenStmt = db.prepare<[number], { n: number }>(
      'SELECT count(*) AS n FROM calls WHERE callee_id = ? AND missed = 1 AND seen = 0',
    );
    this.markSeenStmt = db.prepare<[number]>(
      'UPDATE calls SET seen = 1 WHERE callee_id = ? AND missed = 1 AND seen = 0',
    );
  }

  insert(call: CallRecord): void {
    this.insertStmt.run(call.id, call.callerId, call.calleeId, call.media, call.callerDevice, call.createdAt);
  }

  markAnswered(id: string, answeredAt: number, deviceId: string): void {
    this.answerStmt.run(answeredAt, deviceId, id);
  }

  markEnded(id: string, endedAt: number, reason: CallEndReason, answered: boolean): void {
    const missed = isMissed(answered, reason);
    const ended = this.endStmt.get({ id, endedAt, reason, missed: missed ? 1 : 0 });
    if (ended && missed) this.unseen.delete(ended.calleeId);
  }

  /** Closes calls left open by a server that stopped without finishing them, except the `keep` ones (still live). */
  endDangling(endedAt: number, keep: readonly string[] = []): number {
    this.unseen.clear();
    return this.endDanglingStmt.run({ endedAt, keep: JSON.stringify(keep) }).changes;
  }

  endOf(id: string): CallEnd | undefined {
    return this.endOfStmt.get(id);
  }

  /**
   * Replaces an end the server guessed (GUESSED_ENDS) of an answered call with the real one a party
   * reported; false when there was nothing to replace.
   */
  correctEnd(id: string, endedAt: number, reason: CallEndReason): boolean {
    return this.correctEndStmt.run({ id, endedAt, reason }).changes > 0;
  }

  /** A page of a user's history, newest first, strictly before the cursor. */
  page(userId: number, before: { at: number; id: string } | undefined, limit: number): HistoryRow[] {
    // No cursor: every real timestamp is below MAX_SAFE_INTEGER, so the id never decides.
    const beforeAt = before?.at ?? Number.MAX_SAFE_INTEGER;
    return this.pageStmt.all({ userId, beforeAt, beforeId: before?.id ?? '', limit }).map(toHistoryRow);
  }

  /** One call as `userId` sees it (the peer is the other party). */
  get(id: string, userId: number): HistoryRow | undefined {
    const row = this.oneStmt.get({ id, userId });
    return row && toHistoryRow(row);
  }

  unseenMissed(userId: number): number {
    let n = this.unseen.get(userId);
    if (n === undefined) this.unseen.set(userId, (n = this.unseenStmt.get(userId)!.n));
    return n;
  }

  markMissedSeen(userId: number): number {
    const changes = this.markSeenStmt.run(userId).changes;
    this.unseen.set(userId, 0);
    return changes;
  }
}
