/** Microphone, camera and speaker pickers shown during a call; the app switches devices mid-call itself. */
import { useEffect } from 'react';
import { useApp } from '../app/context.js';
import { useCall } from '../state/call.js';
import { DeviceSelect } from './DeviceSelect.js';

export function DevicePickers() {
  const app = useApp();
  const hasLocal = useCall((s) => s.localStream !== null);
  // Device names are only readable once access was granted, which the call itself just did.
  useEffect(() => {
    if (hasLocal) void app.devices.refresh();
  }, [app, hasLocal]);

  return (
    <div className="device-pickers">
      <DeviceSelect label="Microphone" list="microphones" pref="microphoneId" />
      <DeviceSelect label="Camera" list="cameras" pref="cameraId" />
      <DeviceSelect label="Speaker" list="speakers" pref="speakerId" />
    </div>
  );
}
