/** A few seconds of "Call ended" (or why the call did not happen) after a call. */
import { useEffect, useState } from 'react';
import { endedWords } from './error-words.js';
import { useCall } from '../state/call.js';
import { shownName } from '../../signaling/protocol/index.js';

const SHOW_MS = 6_000;

export function CallEnded() {
  const lastEnded = useCall((s) => s.lastEnded);
  const [hiddenAt, setHiddenAt] = useState<number | null>(null);

  useEffect(() => {
    if (!lastEnded) return;
    const timer = setTimeout(
      () => setHiddenAt(lastEnded.at),
      Math.max(0, lastEnded.at + SHOW_MS - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [lastEnded]);

  // A call that was never placed is already explained by a notice with the same words.
  const shown =
    lastEnded !== null &&
    lastEnded.reason !== 'refused' &&
    hiddenAt !== lastEnded.at &&
    Date.now() - lastEnded.at < SHOW_MS;
  return (
    <div role="status" className={shown ? 'ended' : 'ended ended-empty'}>
      {shown && (
        <>
          <strong>{endedWords(lastEnded.reason, lastEnded.code)}</strong>
          <span className="muted">
            {' · '}
            <bdi>{shownName(lastEnded.peerName)}</bdi>
          </span>
        </>
      )}
    </div>
  );
}
