/** Mute, camera and hang-up buttons. Escape is deliberately not a shortcut for hanging up. */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../app/context.js';
import { useCall } from '../state/call.js';
import { HangUpIcon, MicIcon, MicOffIcon, VideoIcon, VideoOffIcon } from './Icons.js';

export function CallControls() {
  const app = useApp();
  const { muted, cameraOn } = useCall(
    useShallow((s) => ({ muted: s.call?.muted ?? false, cameraOn: s.call?.cameraOn ?? false })),
  );

  return (
    <div className="controls">
      <button
        type="button"
        className={`ctrl ${muted ? 'ctrl-on' : ''}`}
        aria-pressed={muted}
        onClick={() => app.calls.toggleMute()}
      >
        {muted ? <MicOffIcon /> : <MicIcon />}
        <span>{muted ? 'Unmute' : 'Mute'}</span>
      </button>
      <button
        type="button"
        className={`ctrl ${cameraOn ? '' : 'ctrl-on'}`}
        onClick={() => void app.calls.toggleCamera()}
      >
        {cameraOn ? <VideoIcon /> : <VideoOffIcon />}
        <span>{cameraOn ? 'Turn camera off' : 'Turn camera on'}</span>
      </button>
      <button type="button" className="ctrl ctrl-hangup" onClick={() => void app.calls.hangup()}>
        <HangUpIcon />
        <span>Hang up</span>
      </button>
    </div>
  );
}
