/**
 * Call history as each party sees it: paging, the missed-call badge, and
 * the live `history.entry` / `history.unseen` pushes when a call ends.
 */
import type { CallsTable, HistoryRow } from '../db/calls.js';
import type { Notifier } from '../domain.js';
import type { HistoryEntry, HistoryListRequest } from '../protocol/index.js';
import { HISTORY_PAGE_MAX } from '../protocol/index.js';

const DEFAULT_PAGE = 50;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function toHistoryEntry(row: HistoryRow, viewerId: number): HistoryEntry {
  const incoming = row.calleeId === viewerId;
  return {
    callId: row.id,
    direction: incoming ? 'incoming' : 'outgoing',
    peer: { username: row.peerUsername, displayName: row.peerDisplayName },
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
    private readonly notify: Notifier,
  ) {}

  list(userId: number, req: HistoryListRequest): { entries: HistoryEntry[]; nextCursor: string | null } {
    const limit = Math.min(req.limit ?? DEFAULT_PAGE, HISTORY_PAGE_MAX);
    const rows = this.calls.page(
      userId,
      req.before === undefined ? undefined : parseCursor(req.before),
      limit,
    );
    const last = rows.at(-1);
    return {
      entries: rows.map((row) => toHistoryEntry(row, userId)),
      nextCursor: rows.length === limit && last ? cursorOf(last) : null,
    };
  }

  unseenMissed(userId: number): number {
    return this.calls.unseenMissed(userId);
  }

  /** Clears the missed-call badge on every device of the user. */
  markSeen(userId: number): { unseenMissedCalls: number } {
    if (this.calls.markMissedSeen(userId) > 0)
      this.notify.toUsers([userId], 'history.unseen', { unseenMissedCalls: 0 });
    return { unseenMissedCalls: 0 };
  }

  /** Pushes a finished call to both parties, and the new badge count to a callee who missed it. */
  announce(callId: string, callerId: number, calleeId: number): void {
    for (const userId of [callerId, calleeId]) {
      const row = this.calls.get(callId, userId);
      if (!row) continue;
      this.notify.toUsers([userId], 'history.entry', { entry: toHistoryEntry(row, userId) });
      if (userId === calleeId && row.missed) {
        this.notify.toUsers([userId], 'history.unseen', {
          unseenMissedCalls: this.calls.unseenMissed(userId),
        });
      }
    }
  }
}
