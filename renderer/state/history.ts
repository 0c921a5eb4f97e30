/**
 * Call history: the pages loaded so far and the missed-call count, the store the History tab reads, and
 * the only code that changes them (loading, marking missed calls seen, the server's pushes). A missed
 * call is also announced through the platform (a notification).
 */
import { storeHook } from '../app/context.js';
import type { HistoryEntry } from '../../signaling/protocol/index.js';
import type { RecentCall } from '../../shared/app-shell.js';
import type { SignalingClient } from '../net/signaling-client.js';
import type { Platform } from '../platform/platform.js';
import { createStore, type ReadableStore } from '../util/store.js';

export interface HistoryState {
  /** Newest first. */
  entries: HistoryEntry[];
  /** Where the next older page starts; null when there is none. */
  nextCursor: string | null;
  loading: boolean;
  unseenMissedCalls: number;
}

const EMPTY: HistoryState = { entries: [], nextCursor: null, loading: false, unseenMissedCalls: 0 };

export class History {
  private readonly store = createStore<HistoryState>()(() => EMPTY);
  readonly state: ReadableStore<HistoryState> = this.store;

  constructor(
    private readonly signaling: Pick<SignalingClient, 'on' | 'request'>,
    platform: Pick<Platform, 'showMissedCall'>,
  ) {
    signaling.on('session.ready', ({ unseenMissedCalls }) => {
      this.store.setState({ unseenMissedCalls });
      void this.load();
    });
    signaling.on('history.entry', ({ entry }) => {
      this.store.setState((s) => ({
        entries: [entry, ...s.entries.filter((e) => e.callId !== entry.callId)].sort((a, b) =>
          b.createdAt.localeCompare(a.createdAt),
        ),
      }));
      if (entry.missed && !entry.seen)
        platform.showMissedCall({ callId: entry.callId, caller: entry.peer, media: entry.media });
    });
    signaling.on('history.unseen', ({ unseenMissedCalls }) => this.store.setState({ unseenMissedCalls }));
  }

  /** Loads the newest page, or with `more` the next older one. */
  async load(more = false): Promise<void> {
    const { nextCursor, loading } = this.store.getState();
    if (loading || (more && !nextCursor)) return;
    this.store.setState({ loading: true });
    // An entry pushed while the page is on its way (a call that just ended, or its end corrected) is
    // newer than the page's copy of it.
    const pushed = new Map<string, HistoryEntry>();
    const off = this.signaling.on('history.entry', ({ entry }) => pushed.set(entry.callId, entry));
    const result = await this.signaling.request(
      'history.list',
      more && nextCursor ? { before: nextCursor } : {},
    );
    off();
    this.store.setState((s) => {
      if (!result.ok) return { loading: false };
      const page = result.entries.map((e) => pushed.get(e.callId) ?? e);
      return {
        loading: false,
        nextCursor: result.nextCursor,
        entries: more ? [...s.entries, ...page] : page,
      };
    });
  }

  /** The person looked at the history: missed calls count as seen (here and on every device). */
  async markSeen(): Promise<void> {
    if (this.store.getState().unseenMissedCalls === 0) return;
    const result = await this.signaling.request('history.markSeen', {});
    if (result.ok) this.store.setState({ unseenMissedCalls: 0 });
  }

  /** Signed out: nobody's history is shown or counted. */
  clear(): void {
    this.store.setState(EMPTY);
  }
}

export const useHistory = storeHook((app) => app.history.state);

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
