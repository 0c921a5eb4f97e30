/** A labelled device picker bound to one device preference; '' means the system default. */
import { useId } from 'react';
import { useApp } from '../app/context.js';
import { canPickSpeaker } from '../call/media.js';
import { useDevices, type DevicePreferences } from '../state/devices.js';

type ListName = 'microphones' | 'cameras' | 'speakers';
type PrefName = 'microphoneId' | 'cameraId' | 'speakerId' | 'ringDeviceId';

const fallbackName: Record<ListName, string> = {
  microphones: 'Microphone',
  cameras: 'Camera',
  speakers: 'Speaker',
};

export function DeviceSelect({ label, list, pref }: { label: string; list: ListName; pref: PrefName }) {
  const app = useApp();
  const devices = useDevices((s) => s.lists[list]);
  const value = useDevices((s) => s.prefs[pref]) ?? '';
  const id = useId();
  const unsupported = list === 'speakers' && !canPickSpeaker();
  const known = devices.filter((d) => d.deviceId && d.deviceId !== 'default');
  const missing = value !== '' && !known.some((d) => d.deviceId === value);

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        disabled={unsupported}
        title={unsupported ? 'This browser always uses the system speaker' : undefined}
        onChange={(e) => app.devices.setPreferences({ [pref]: e.target.value } as Partial<DevicePreferences>)}
      >
        <option value="">System default</option>
        {known.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `${fallbackName[list]} ${i + 1}`}
          </option>
        ))}
        {missing && (
          <option value={value}>
            {known.length ? 'Not connected (uses the default)' : 'Your saved choice'}
          </option>
        )}
      </select>
    </div>
  );
}
