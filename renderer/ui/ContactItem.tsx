/**
 * One row of the contact list: an accepted contact with presence and call buttons, or a pending request.
 * The second line starts with @username, and the buttons are described by it: two people may share a
 * display name, never a username.
 */
import { useId } from 'react';
import type { Contact } from '../../signaling/protocol/index.js';
import { useApp } from '../app/context.js';
import { inCallWith, useCall } from '../state/call.js';
import { Avatar, PresenceDot } from './Avatar.js';
import { PhoneIcon, RemoveIcon, VideoIcon } from './Icons.js';
import { Handle, PersonName } from './PersonName.js';
import { personName, presenceWords } from './words.js';

export function ContactItem({ contact }: { contact: Contact }) {
  const app = useApp();
  /** Runs a contact action and turns a refusal into a notice. */
  const report = (pending: Promise<string | null>) => void pending.then((err) => err && app.notices.add(err));
  const { username, state, presence } = contact;
  const displayName = personName(contact);
  const handleId = useId();
  const described = { 'aria-describedby': handleId };
  const talking = useCall((s) => inCallWith(s, username));
  const inCallTitle = 'You are in a call with them';

  return (
    <li className={`contact contact-${state}`}>
      <Avatar name={displayName} id={username} presence={state === 'accepted' ? presence : undefined} />
      <div className="who">
        <PersonName user={contact} />
        {state === 'accepted' ? (
          <span className={`sub presence-${presence}`}>
            <Handle username={username} id={handleId} />
            <span className="presence">
              <PresenceDot presence={presence} />
              {presenceWords[presence]}
            </span>
          </span>
        ) : (
          <>
            <span className="sub">
              <Handle username={username} id={handleId} />
            </span>
            <span className="sub">{state === 'incoming' ? 'wants to be your contact' : 'Request sent'}</span>
          </>
        )}
      </div>
      <div className="actions">
        {state === 'accepted' && (
          <>
            <button
              type="button"
              className="icon-btn icon-btn-call"
              aria-label={`Call ${displayName}`}
              {...described}
              title={talking ? inCallTitle : 'Voice call'}
              disabled={talking}
              onClick={() => void app.calls.call(username, 'audio')}
            >
              <PhoneIcon />
            </button>
            <button
              type="button"
              className="icon-btn icon-btn-call"
              aria-label={`Video call ${displayName}`}
              {...described}
              title={talking ? inCallTitle : 'Video call'}
              disabled={talking}
              onClick={() => void app.calls.call(username, 'video')}
            >
              <VideoIcon />
            </button>
            <button
              type="button"
              className="icon-btn icon-btn-quiet"
              aria-label={`Remove ${displayName}`}
              {...described}
              title="Remove contact"
              onClick={() => report(app.contacts.remove(username))}
            >
              <RemoveIcon />
            </button>
          </>
        )}
        {state === 'incoming' && (
          <>
            <button
              type="button"
              className="btn btn-primary btn-sm"
              aria-label={`Accept ${displayName}`}
              {...described}
              onClick={() => report(app.contacts.accept(username))}
            >
              Accept
            </button>
            <button
              type="button"
              className="btn btn-sm"
              aria-label={`Decline ${displayName}`}
              {...described}
              onClick={() => report(app.contacts.decline(username))}
            >
              Decline
            </button>
          </>
        )}
        {state === 'outgoing' && (
          <button
            type="button"
            className="btn btn-sm"
            aria-label={`Cancel request to ${displayName}`}
            {...described}
            onClick={() => report(app.contacts.remove(username))}
          >
            Cancel
          </button>
        )}
      </div>
    </li>
  );
}
