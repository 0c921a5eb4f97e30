/** A preview of the chosen camera (its own stream, stopped when the Settings tab closes). */
import { useMemo } from 'react';
import { useDevices } from '../state/devices.js';
import { usePreviewTrack, useSrcObject } from './media-hooks.js';

export function CameraPreview() {
  const deviceId = useDevices((s) => s.prefs.cameraId);
  const { track, error } = usePreviewTrack('video', deviceId);
  const stream = useMemo(() => (track ? new MediaStream([track]) : null), [track]);
  const ref = useSrcObject<HTMLVideoElement>(stream);

  return (
    <div className="preview-wrap">
      <video ref={ref} className="preview" aria-label="Camera preview" muted autoPlay playsInline />
      {error && <p className="error small">{error}</p>}
    </div>
  );
}
