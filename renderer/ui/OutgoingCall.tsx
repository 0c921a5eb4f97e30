/** Ringing out: who we are calling, "Calling…" then "Ringing…", and Cancel. */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../app/context.js';
import { useCall } from '../state/call.js';
import { Avatar } from './Avatar.js';
import { HangUpIcon } from './Icons.js';

export function OutgoingCall() {
  const app = useApp();
  const { name, username, ringing, media } = useCall(
    useShallow((s) => ({
      name: s.call?.peer.displayName ?? '',
      username: s.call?.peer.username ?? '',
      ringing: s.call?.ringing ?? false,
      media: s.call?.media ?? 'audio',
    })),
  );

  return (
    <section role="region" aria-label={`Calling ${name}`} className="ring-card">
      <Avatar name={name} id={username} size="xl" />
      <h2 className="ring-name">{name}</h2>
      <p className="muted">{media === 'video' ? 'Video call' : 'Voice call'}</p>
      <p className="ring-state pulse">{ringing ? 'Ringing…' : 'Calling…'}</p>
      <div className="ring-actions">
        <button type="button" className="btn btn-danger btn-lg" onClick={() => void app.hangup()}>
          <HangUpIcon />
          Cancel
        </button>
      </div>
    </section>
  );
}
