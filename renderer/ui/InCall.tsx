/**
 * The call while connecting and once active: the far side's video large
 * (the element also plays their voice, so it stays for the whole call),
 * our own camera small in a corner, the clock, quality and controls, and
 * "Reconnecting…" and a server away told to screen readers too.
 */
import { useShallow } from 'zustand/react/shallow';
import { useCall } from '../state/call.js';
import { useDevices } from '../state/devices.js';
import { Avatar } from './Avatar.js';
import { CallControls } from './CallControls.js';
import { CallTimer } from './CallTimer.js';
import { DevicePickers } from './DevicePickers.js';
import { useSinkId, useSrcObject } from './media-hooks.js';
import { PersonName } from './PersonName.js';
import { QualityBadge } from './QualityBadge.js';
import { personName } from './words.js';

function RemoteVideo() {
  const stream = useCall((s) => s.remoteStream);
  const speakerId = useDevices((s) => s.prefs.speakerId);
  const ref = useSrcObject<HTMLVideoElement>(stream);
  useSinkId(ref, speakerId);
  return <video ref={ref} className="remote-video" aria-label="Remote video" autoPlay playsInline />;
}

function LocalVideo() {
  const stream = useCall((s) => s.localStream);
  const ref = useSrcObject<HTMLVideoElement>(stream);
  return <video ref={ref} className="local-video" aria-label="Your camera" muted autoPlay playsInline />;
}

/**
 * A message screen readers announce when it appears: the live region is there, empty, for the whole call,
 * as one inserted together with its text is often not announced.
 */
function LiveStatus({ shown, className, children }: { shown: boolean; className: string; children: string }) {
  return (
    <p role="status" className={shown ? className : 'visually-hidden'}>
      {shown ? children : ''}
    </p>
  );
}

/** While the server is away the call goes on peer-to-peer; only hanging up still does something. */
const SIGNALING_DOWN =
  "Can't reach the Parley server. The call goes on, and hanging up works; nothing else can change until it is back.";

export function InCall() {
  const {
    displayName,
    username,
    connectedAt,
    peerConnected,
    reconnecting,
    signalingDown,
    cameraOn,
    remoteVideo,
    media,
  } = useCall(
    useShallow((s) => ({
      displayName: s.call?.peer.displayName ?? '',
      username: s.call?.peer.username ?? '',
      connectedAt: s.call?.connectedAt ?? null,
      peerConnected: s.call?.peerConnected ?? true,
      reconnecting: s.call?.reconnecting ?? false,
      signalingDown: s.call?.signalingDown ?? false,
      cameraOn: s.call?.cameraOn ?? false,
      remoteVideo: s.call?.remoteVideo ?? false,
      media: s.call?.media ?? 'audio',
    })),
  );
  const hasLocal = useCall((s) => s.localStream !== null);
  const peer = { username, displayName };
  const name = personName(peer);

  return (
    <section role="region" aria-label={`Call with ${name}`} className="call">
      <div className="call-head">
        <div className="call-title">
          <h2 className="call-name">
            <PersonName user={peer} className="" />
          </h2>
          <span className="muted small">{media === 'video' ? 'Video call' : 'Voice call'}</span>
        </div>
        <CallTimer connectedAt={connectedAt} />
        <QualityBadge />
      </div>
      <div className={`call-media ${remoteVideo ? 'has-video' : 'no-video'}`}>
        <RemoteVideo />
        {!remoteVideo && (
          <div className="call-avatar">
            <Avatar name={name} id={username} size="xl" />
          </div>
        )}
        <LiveStatus shown={!peerConnected || reconnecting} className="reconnecting">
          Reconnecting…
        </LiveStatus>
        {cameraOn && hasLocal && <LocalVideo />}
      </div>
      <LiveStatus shown={signalingDown} className="signaling-down">
        {SIGNALING_DOWN}
      </LiveStatus>
      <CallControls />
      <DevicePickers />
    </section>
  );
}
