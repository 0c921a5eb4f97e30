/**
 * The call area: ringing in or out, the call itself, or (when idle) a call a link asked for, waiting to
 * be confirmed, or a short note on how the last call ended.
 */
import { useCall } from '../state/call.js';
import { CallEnded } from './CallEnded.js';
import { ConfirmCall } from './ConfirmCall.js';
import { InCall } from './InCall.js';
import { IncomingCall } from './IncomingCall.js';
import { OutgoingCall } from './OutgoingCall.js';

export function CallStage() {
  const phase = useCall((s) => s.call?.phase ?? null);
  const linkCall = useCall((s) => s.linkCall !== null);

  if (phase === 'incoming') return <IncomingCall />;
  if (phase === 'outgoing') return <OutgoingCall />;
  if (phase === 'connecting' || phase === 'active') return <InCall />;
  if (linkCall) return <ConfirmCall />;
  return (
    <div className="idle">
      <CallEnded />
      <p className="idle-hint muted">Choose a contact to start a voice or video call.</p>
    </div>
  );
}
