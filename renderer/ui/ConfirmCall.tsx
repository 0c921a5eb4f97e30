/**
 * "Call Alice (@alice) with video?" — a call a `parley://` link asked for, waiting for the person.
 * Nothing is called, and no microphone or camera opens, until they press Call. The question takes focus
 * so it is announced; no key confirms it by itself.
 */
import { useEffect, useId, useRef } from 'react';
import { useApp } from '../app/context.js';
import { useContacts } from '../state/contacts.js';
import { useCall } from '../state/call.js';
import { PhoneIcon, VideoIcon } from './Icons.js';
import { Handle, PersonName } from './PersonName.js';

export function ConfirmCall() {
  const app = useApp();
  const asked = useCall((s) => s.linkCall);
  const contact = useContacts((s) => s.contacts.find((c) => c.username === asked?.username));
  const ref = useRef<HTMLElement>(null);
  const id = useId();
  useEffect(() => ref.current?.focus(), [asked]);
  if (!asked) return null;
  const video = asked.media === 'video';

  return (
    <section
      ref={ref}
      role="alertdialog"
      aria-labelledby={`${id}-question`}
      aria-describedby={`${id}-why`}
      tabIndex={-1}
      className="ring-card confirm-call"
    >
      <h2 id={`${id}-question`} className="ring-name">
        Call{' '}
        {contact && (
          <>
            <PersonName user={contact} className="" />{' '}
          </>
        )}
        {contact ? '(' : ''}
        <Handle username={asked.username} className="" />
        {contact ? ')' : ''}
        {video ? ' with video?' : '?'}
      </h2>
      <p id={`${id}-why`} className="muted">
        A link asked Parley to start this call.
      </p>
      <div className="ring-actions">
        <button
          type="button"
          className="btn btn-lg btn-accept"
          onClick={() => void app.calls.confirmLinkCall()}
        >
          {video ? <VideoIcon /> : <PhoneIcon />}
          Call
        </button>
        <button type="button" className="btn btn-lg" onClick={() => app.calls.cancelLinkCall()}>
          Cancel
        </button>
      </div>
    </section>
  );
}
