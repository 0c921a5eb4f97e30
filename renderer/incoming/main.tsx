/**
 * The desktop app's small always-on-top incoming-call window: caller (name
 * and @username), Accept voice, Accept video, Decline. Main shows it without taking focus
 * and closes it the moment ringing stops for any reason. Since it takes no focus, a screen reader
 * learns of the call from an alert (a live region, there and empty before any call rings).
 */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { PlatformAction, RingingCall } from '../../shared/app-shell.js';
import { desktopBridge } from '../platform/desktop.js';
import { forwardErrors } from '../platform/desktop-errors.js';
import { Avatar } from '../ui/Avatar.js';
import { Handle, PersonName } from '../ui/PersonName.js';
import { personName } from '../ui/words.js';
import '../ui/styles.css';

function IncomingWindow() {
  const bridge = desktopBridge();
  const [call, setCall] = useState<RingingCall | null>(null);
  useEffect(() => bridge?.onIncomingCall(setCall), [bridge]);
  if (!bridge) return null;
  return (
    <>
      <p role="alert" className="visually-hidden">
        {call &&
          `Incoming ${call.media === 'video' ? 'video' : 'voice'} call from ${personName(call.caller)} (@${call.caller.username})`}
      </p>
      {call && <RingCard call={call} choose={(action) => void bridge.choose(action)} />}
    </>
  );
}

function RingCard({ call, choose }: { call: RingingCall; choose: (action: PlatformAction) => void }) {
  const name = personName(call.caller);
  return (
    <div
      className="ring-card incoming"
      role="dialog"
      aria-label={`Incoming call from ${name}`}
      aria-describedby="incoming-handle"
    >
      <Avatar name={name} id={call.caller.username} size="md" />
      <h2 className="ring-name">
        <PersonName user={call.caller} className="" />
      </h2>
      <p className="ring-state">
        <Handle username={call.caller.username} id="incoming-handle" className="ring-handle" />
        {' · '}
        <span className="pulse">{call.media === 'video' ? 'Video call' : 'Voice call'}</span>
      </p>
      <div className="ring-actions">
        <button
          type="button"
          className="btn btn-accept"
          onClick={() => choose({ type: 'accept', callId: call.callId, media: 'audio' })}
        >
          Accept
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => choose({ type: 'accept', callId: call.callId, media: 'video' })}
        >
          Accept with video
        </button>
        <button
          type="button"
          className="btn btn-danger"
          onClick={() => choose({ type: 'decline', callId: call.callId })}
        >
          Decline
        </button>
      </div>
    </div>
  );
}

const bridge = desktopBridge();
if (bridge) forwardErrors(bridge);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <IncomingWindow />
  </StrictMode>,
);
