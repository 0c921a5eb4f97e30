/** Call history pages and the missed-call badge. */
import { create } from 'zustand';
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
