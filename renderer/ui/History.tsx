/** The History tab: calls newest first, missed ones highlighted, and "Load more" while there are older pages. */
import { useApp } from '../app/context.js';
import { useHistory } from '../state/history.js';
import { HistoryItem } from './HistoryItem.js';

export function History() {
  const app = useApp();
  const entries = useHistory((s) => s.entries);
  const hasMore = useHistory((s) => s.nextCursor !== null);
  const loading = useHistory((s) => s.loading);

  return (
    <div className="history">
      <ul role="list" aria-label="Call history" className="list">
        {entries.map((entry) => (
          <HistoryItem key={entry.callId} entry={entry} />
        ))}
      </ul>
      {entries.length === 0 && <p className="empty">{loading ? 'Loading…' : 'No calls yet.'}</p>}
      {hasMore && (
        <button
          type="button"
          className="btn btn-block"
          aria-busy={loading}
          onClick={() => void app.history.load(true)}
        >
          Load more
        </button>
      )}
    </div>
  );
}
