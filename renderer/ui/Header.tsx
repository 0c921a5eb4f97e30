/**
 * The top bar: who is signed in, the Status select, connection trouble, Sign out. The select shows what
 * contacts see: the person chooses Online or Do not disturb, and while the server says Busy (in a call) or
 * Away (idle) it says that instead, as an option the person cannot choose.
 */
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../app/context.js';
import type { ConnectionStatus } from '../net/signaling-client.js';
import { useSession } from '../state/session.js';
import { Avatar } from './Avatar.js';
import { PersonName } from './PersonName.js';
import { personName } from './words.js';

const connectionWords: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  disconnected: 'Not connected',
  connected: '',
};

export function Header() {
  const app = useApp();
  const user = useSession((s) => s.user);
  const { connection, presence, dnd } = useSession(
    useShallow((s) => ({ connection: s.connection, presence: s.presence, dnd: s.dnd })),
  );
  const id = useId();
  const shown = presence === 'busy' || presence === 'away' ? presence : dnd ? 'dnd' : 'online';

  return (
    <header className="topbar">
      <span className="brand" aria-hidden="true">
        Parley
      </span>
      {user && (
        <div className="me">
          <Avatar name={personName(user)} id={user.username} presence={presence} size="sm" />
          <span className="me-text">
            <PersonName user={user} className="me-name" />
            <span className="muted small">@{user.username}</span>
          </span>
        </div>
      )}
      {connection !== 'connected' && (
        <p role="status" className="conn">
          {connectionWords[connection]}
        </p>
      )}
      <div className="topbar-end">
        <label htmlFor={`${id}-status`} className="inline-label">
          Status
        </label>
        <select
          id={`${id}-status`}
          value={shown}
          onChange={(e) =>
            void app.session.setDnd(e.target.value === 'dnd').then((err) => err && app.notices.add(err))
          }
        >
          <option value="online">Online</option>
          {shown === 'away' && (
            <option value="away" disabled>
              Away
            </option>
          )}
          {shown === 'busy' && (
            <option value="busy" disabled>
              Busy (in a call)
            </option>
          )}
          <option value="dnd">Do not disturb</option>
        </select>
        <button type="button" className="btn" onClick={() => void app.session.signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}
