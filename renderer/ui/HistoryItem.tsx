/** One call in the history: who, which way, voice or video, how it went, when, and Call back. */
import type { HistoryEntry } from '../../signaling/protocol/index.js';
import { useApp } from '../app/context.js';
import { inCallWith, useCall } from '../state/call.js';
import { Avatar } from './Avatar.js';
import { ArrowInIcon, ArrowOutIcon, PhoneIcon, VideoIcon } from './Icons.js';
import { PersonName } from './PersonName.js';
import { formatWhen, historyOutcome, personName } from './words.js';

export function HistoryItem({ entry }: { entry: HistoryEntry }) {
  const app = useApp();
  const { peer, direction, media, missed } = entry;
  const incoming = direction === 'incoming';
  const name = personName(peer);
  const talking = useCall((s) => inCallWith(s, peer.username));

  return (
    <li className={`hist ${missed ? 'hist-missed' : ''}`}>
      <Avatar name={name} id={peer.username} />
      <div className="who">
        <span className="who-top">
          <PersonName user={peer} />
          <time className="when small muted" dateTime={entry.createdAt}>
            {formatWhen(entry.createdAt)}
          </time>
        </span>
        <span className="sub">
          {incoming ? <ArrowInIcon /> : <ArrowOutIcon />}
          <span>{incoming ? 'Incoming' : 'Outgoing'}</span>
          <span aria-hidden="true">·</span>
          <span>{media === 'video' ? 'Video' : 'Voice'}</span>
          <span aria-hidden="true">·</span>
          <span className="outcome">{historyOutcome(entry)}</span>
        </span>
      </div>
      <button
        type="button"
        className="icon-btn icon-btn-call"
        aria-label={`Call back ${name}`}
        title={talking ? 'You are in a call with them' : media === 'video' ? 'Video call back' : 'Call back'}
        disabled={talking}
        onClick={() => void app.calls.call(peer.username, media)}
      >
        {media === 'video' ? <VideoIcon /> : <PhoneIcon />}
      </button>
    </li>
  );
}
