/**
 * Settings' USB headset choice: which telephony headset's call button answers and hangs up, whose mute
 * button mutes and whose lights follow the call (state/headset.ts). A browser lists a headset here once
 * the person allowed it (*Add a headset*, the browser's chooser); the desktop app lists them all.
 */
import { useId, useState } from 'react';
import { useApp } from '../app/context.js';
import { useDevices } from '../state/devices.js';
import { useHeadset } from '../state/headset.js';

export function HeadsetSettings() {
  const app = useApp();
  const supported = useHeadset((s) => s.supported);
  const available = useHeadset((s) => s.available);
  const inUse = useHeadset((s) => s.inUse);
  const chosen = useDevices((s) => s.prefs.headset) ?? '';
  const [problem, setProblem] = useState('');
  const id = useId();
  if (!supported) {
    return <p className="muted">This browser cannot use a headset&apos;s call buttons (it has no WebHID).</p>;
  }
  const missing = chosen !== '' && !available.some((h) => h.key === chosen);
  const add = () => {
    setProblem('');
    app.headset.add().catch(() => setProblem('No headset was added.'));
  };
  return (
    <>
      <div className="field">
        <label htmlFor={id}>Call buttons and lights</label>
        <select
          id={id}
          value={chosen}
          aria-describedby={`${id}-hint`}
          onChange={(e) => app.devices.setPreferences({ headset: e.target.value || undefined })}
        >
          <option value="">None</option>
          {available.map((h) => (
            <option key={h.key} value={h.key}>
              {h.name || 'USB headset'}
            </option>
          ))}
          {missing && <option value={chosen}>Not connected</option>}
        </select>
      </div>
      <p id={`${id}-hint`} className="hint">
        {inUse
          ? 'The headset’s call button answers and hangs up, its mute button mutes, and its lights show ringing, the call and mute.'
          : 'Pick a USB headset to answer, hang up and mute with its buttons.'}
      </p>
      <button type="button" className="btn" onClick={add}>
        Add a headset…
      </button>
      {problem && <p role="status">{problem}</p>}
    </>
  );
}
