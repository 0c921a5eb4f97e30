/**
 * Call history as each party sees it: paging, the missed-call badge, and
 * the live `history.entry` / `history.unseen` pushes when a call ends; and
 * the correction of an end the server guessed, when a party reports the
 * real one (`call.reportEnd` for a call that is no longer live).
 */
import { GUESSED_ENDS, type CallRow, type CallsTable, type HistoryRow } from '../db/calls.js';
import { summaryOf, type UsersTable } from '../db/users.js';
import type { Device, Notifier } from '../domain.js';
import { AppError } from '../errors.js';
import type { CallEndReport, HistoryEntry, HistoryListRequest, UserSummary } from '../protocol/index.js';
import { CALL_REPORT_MAX_AGE_MS, HISTORY_PAGE_MAX } from '../protocol/index.js';

const DEFAULT_PAGE = 50;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * `row` as `viewerId` sees it, `peer` being the other party. (The peer comes apart from the row: a copy of a
 * row with the peer's name added, `{ ...row, peerUsername }`, costs V8 about 1.2 KB, eight times the row.)
 */
function toHistoryEntry(row: CallRow, peer: UserSummary, viewerId: number): HistoryEntry {
  const incoming = row.calleeId === viewerId;
  return {
    callId: row.id,
    direction: incoming ? 'incoming' : 'outgoing',
    peer,
    media: row.media,
    createdAt: iso(row.createdAt)!,
    answeredAt: iso(row.answeredAt),
    endedAt: iso(row.endedAt),
    endReason: row.endReason,
    answeredDevice: incoming ? row.answeredDevice : null,
    missed: incoming && row.missed,
    seen: incoming && row.missed ? row.seen : true,
  };
}

const cursorOf = (row: HistoryRow): string => `${row.createdAt}_${row.id}`;
function parseCursor(cursor: string): { at: number; id: string } {
  const split = cursor.indexOf('_');
  return { at: Number(cursor.slice(0, split)), id: cursor.slice(split + 1) };
}

export class HistoryService {
  constructor(
    private readonly calls: CallsTable,
    /** The parties' names for the entries pushed when a call ends (their rows are cached while they are online). */
    private readonly users: UsersTable,
    private readonly notify: Notifier,
  ) {}

  async list(
    userId: number,
    req: HistoryListRequest,
  ): Promise<{ entries: HistoryEntry[]; nextCursor: string | null }> {
    const limit = Math.min(req.limit ?? DEFAULT_PAGE, HISTORY_PAGE_MAX);
    const rows = await this.calls.page(
      userId,
      req.before === undefined ? undefined : parseCursor(req.before),
      limit,
    );
    const last = rows.at(-1);
    return {
      entries: rows.map((row) =>
        toHistoryEntry(row, { username: row.peerUsername, displayName: row.peerDisplayName }, userId),
      ),
      nextCursor: rows.length === limit && last ? cursorOf(last) : null,
    };
  }

  unseenMissed(userId: number): Promise<number> {
    return this.calls.unseenMissed(userId);
  }

  /** Clears the missed-call badge on every device of the user. */
  async markSeen(userId: number): Promise<{ unseenMissedCalls: number }> {
    if ((await this.calls.markMissedSeen(userId)) > 0)
      this.notify.toUsers([userId], 'history.unseen', { unseenMissedCalls: 0 });
    return { unseenMissedCalls: 0 };
  }

  /**
   * A bound device of an ended call says it really ended at `at` as `reason`. An end the server guessed
   * (connection lost, interrupted) within the last CALL_REPORT_MAX_AGE_MS is replaced, and both parties
   * get the corrected entry; an end the server saw stands (and the report is accepted: it may be a retry).
   */
  async correctEnd(
    by: Device,
    callId: string,
    at: number,
    reason: CallEndReport['reason'],
    now = Date.now(),
  ): Promise<void> {
    const call = await this.calls.endOf(callId);
    const bound =
      call &&
      ((by.userId === call.callerId && by.deviceId === call.callerDevice) ||
        (by.userId === call.calleeId && by.deviceId === call.answeredDevice));
    if (!call || !bound) throw new AppError('E_CALL_NOT_FOUND', `no call ${callId} of yours`);
    if (call.answeredAt === null) throw new AppError('E_CALL_STATE', 'the call was never answered');
    if (at < call.answeredAt) throw new AppError('E_INVALID', 'the call cannot end before it was answered');
    if (call.endReason === null || !GUESSED_ENDS.includes(call.endReason)) return;
    if (now - call.endedAt! > CALL_REPORT_MAX_AGE_MS) {
      throw new AppError('E_CALL_STATE', 'the call ended too long ago to correct');
    }
    const corrected = await this.calls.correctEnd(callId, at, reason);
    if (corrected) await this.announce(corrected);
  }

  /** Pushes a finished call (its row as ended) to both parties, and the new badge count to a callee who missed it. */
  async announce(call: CallRow): Promise<void> {
    const { callerId, calleeId } = call;
    const [caller, callee] = await Promise.all([
      this.users.findById(callerId),
      this.users.findById(calleeId),
    ]);
    if (!caller || !callee) return;
    this.notify.toUsers([callerId], 'history.entry', {
      entry: toHistoryEntry(call, summaryOf(callee), callerId),
    });
    this.notify.toUsers([calleeId], 'history.entry', {
      entry: toHistoryEntry(call, summaryOf(caller), calleeId),
    });
    if (call.missed) {
      this.notify.toUsers([calleeId], 'history.unseen', {
        unseenMissedCalls: await this.calls.unseenMissed(calleeId),
      });
    }
  }
}
