/** Ringing out: who we are calling (name and @username), "Calling…" then "Ringing…", and Cancel. */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../app/context.js';
import { useCall } from '../state/call.js';
import { Avatar } from './Avatar.js';
import { HangUpIcon } from './Icons.js';
import { Handle, PersonName } from './PersonName.js';
import { personName } from './words.js';

export function OutgoingCall() {
  const app = useApp();
  const { displayName, username, ringing, media } = useCall(
    useShallow((s) => ({
      displayName: s.call?.peer.displayName ?? '',
      username: s.call?.peer.username ?? '',
      ringing: s.call?.ringing ?? false,
      media: s.call?.media ?? 'audio',
    })),
  );
  const peer = { username, displayName };
  const name = personName(peer);

  return (
    <section role="region" aria-label={`Calling ${name}`} className="ring-card">
      <Avatar name={name} id={username} size="xl" />
      <h2 className="ring-name">
        <PersonName user={peer} className="" />
      </h2>
      <Handle username={username} className="ring-handle" />
      <p className="muted">{media === 'video' ? 'Video call' : 'Voice call'}</p>
      <p className="ring-state pulse">{ringing ? 'Ringing…' : 'Calling…'}</p>
      <div className="ring-actions">
        <button type="button" className="btn btn-danger btn-lg" onClick={() => void app.calls.hangup()}>
          <HangUpIcon />
          Cancel
        </button>
      </div>
    </section>
  );
}
