/**
 * Someone is calling: who (name and @username: two people may share a
 * name), Accept (voice), Accept with video, Decline. The dialog takes focus
 * so it is announced, but no key answers or declines by itself (Escape does
 * nothing here).
 */
import { useEffect, useId, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../app/context.js';
import { useCall } from '../state/call.js';
import { Avatar } from './Avatar.js';
import { HangUpIcon, PhoneIcon, VideoIcon } from './Icons.js';
import { Handle, PersonName } from './PersonName.js';
import { personName } from './words.js';

export function IncomingCall() {
  const app = useApp();
  const { displayName, username, media, callId } = useCall(
    useShallow((s) => ({
      displayName: s.call?.peer.displayName ?? '',
      username: s.call?.peer.username ?? '',
      media: s.call?.media ?? 'audio',
      callId: s.call?.callId ?? null,
    })),
  );
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), [callId]);
  const video = media === 'video';
  const peer = { username, displayName };
  const name = personName(peer);
  const id = useId();

  return (
    <section
      ref={ref}
      role="dialog"
      aria-label={`Incoming call from ${name}`}
      aria-describedby={`${id}-handle ${id}-kind`}
      tabIndex={-1}
      className="ring-card incoming"
    >
      <Avatar name={name} id={username} size="xl" />
      <h2 className="ring-name">
        <PersonName user={peer} className="" />
      </h2>
      <Handle username={username} id={`${id}-handle`} className="ring-handle" />
      <p id={`${id}-kind`} className="ring-state pulse">
        {video ? 'Video call' : 'Voice call'}
      </p>
      <div className="ring-actions">
        <button
          type="button"
          className={`btn btn-lg ${video ? '' : 'btn-accept'}`}
          onClick={() => void app.calls.accept('audio')}
        >
          <PhoneIcon />
          Accept
        </button>
        <button
          type="button"
          className={`btn btn-lg ${video ? 'btn-accept' : ''}`}
          onClick={() => void app.calls.accept('video')}
        >
          <VideoIcon />
          Accept with video
        </button>
        <button type="button" className="btn btn-lg btn-danger" onClick={() => void app.calls.decline()}>
          <HangUpIcon />
          Decline
        </button>
      </div>
    </section>
  );
}
