/** Things the person should know (device fell back, a call was refused, the server restarts), each dismissible. */
import { useApp } from '../app/context.js';
import { useNotices } from '../state/notices.js';

export function Notices() {
  const app = useApp();
  const notices = useNotices((s) => s.notices);
  return (
    <div role="status" aria-label="Notices" className="notices">
      {notices.length > 0 && (
        <ul>
          {notices.map((n) => (
            <li key={n.id} className="notice">
              <span>{n.text}</span>
              <button type="button" className="btn btn-sm" onClick={() => app.notices.dismiss(n.id)}>
                Dismiss
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
