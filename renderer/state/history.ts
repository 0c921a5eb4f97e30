/** Call history pages and the missed-call badge. */
import { create } from 'zustand';
import type { RecentCall } from '../../shared/app-shell.js';
import type { HistoryEntry } from '../../signaling/protocol/index.js';

export interface HistoryState {
  entries: HistoryEntry[];
  nextCursor: string | null;
  loading: boolean;
  unseenMissedCalls: number;
}

export const useHistory = create<HistoryState>(() => ({
  entries: [],
  nextCursor: null,
  loading: false,
  unseenMissedCalls: 0,
}));

export const historyActions = {
  /** Adds or replaces an entry, newest first. */
  upsert: (entry: HistoryEntry) =>
    useHistory.setState((s) => ({
      entries: [entry, ...s.entries.filter((e) => e.callId !== entry.callId)].sort((a, b) =>
        b.createdAt.localeCompare(a.createdAt),
      ),
    })),
};

/** The last few people called or calling, newest first, once each (the tray's Recent calls). */
export function recentCalls(entries: readonly HistoryEntry[], max = 5): RecentCall[] {
  const seen = new Set<string>();
  const recent: RecentCall[] = [];
  for (const e of entries) {
    if (seen.has(e.peer.username)) continue;
    seen.add(e.peer.username);
    recent.push({ username: e.peer.username, displayName: e.peer.displayName.slice(0, 64), media: e.media });
    if (recent.length === max) break;
  }
  return recent;
}
