/**
 * The Settings tab: devices with a live microphone level and camera
 * preview, where and how loud it rings, a USB headset's call buttons and
 * lights, relay-only calls, and (desktop app) ringing quietly in the
 * desktop's Do Not Disturb, the global shortcuts and how to get a tray
 * where the desktop shows none. During a call the microphone, camera and
 * speaker pickers live in the call controls.
 */
import { useEffect, useId, useState } from 'react';
import { useApp } from '../app/context.js';
import { useCall } from '../state/call.js';
import { useDevices } from '../state/devices.js';
import { CameraPreview } from './CameraPreview.js';
import { DesktopDndSetting } from './DesktopDndSetting.js';
import { DeviceSelect } from './DeviceSelect.js';
import { HeadsetSettings } from './HeadsetSettings.js';
import { MicLevelMeter } from './MicLevelMeter.js';
import { ShortcutSettings } from './ShortcutSettings.js';
import { TrayHint } from './TrayHint.js';

function RingTest() {
  const app = useApp();
  const [playing, setPlaying] = useState(false);
  const ringingIn = useCall((s) => s.call?.phase === 'incoming');
  useEffect(() => {
    if (!playing) return;
    // Stops the test on leaving Settings (never a real incoming ring: the ringer knows).
    return () => app.ringer.testRingtone(false);
  }, [app, playing]);
  const toggle = () => {
    app.ringer.testRingtone(!playing);
    setPlaying(!playing);
  };
  return (
    <button type="button" className="btn" onClick={toggle} disabled={ringingIn}>
      {playing ? 'Stop ringtone' : 'Test ringtone'}
    </button>
  );
}

export function Settings() {
  const app = useApp();
  const inCall = useCall((s) => s.call?.phase === 'connecting' || s.call?.phase === 'active');
  const ringVolume = useDevices((s) => s.prefs.ringVolume);
  const relayOnly = useDevices((s) => s.prefs.relayOnly);
  const id = useId();
  const volume = Math.round(ringVolume * 100);

  return (
    <div className="settings">
      <section aria-labelledby={`${id}-devices`} className="group">
        <h2 id={`${id}-devices`}>Devices</h2>
        {inCall ? (
          <p className="muted">
            You are in a call: choose the microphone, camera and speaker in the call controls.
          </p>
        ) : (
          <>
            <DeviceSelect label="Microphone" list="microphones" pref="microphoneId" />
            <MicLevelMeter />
            <DeviceSelect label="Camera" list="cameras" pref="cameraId" />
            <CameraPreview />
            <DeviceSelect label="Speaker" list="speakers" pref="speakerId" />
          </>
        )}
      </section>
      <section aria-labelledby={`${id}-ringing`} className="group">
        <h2 id={`${id}-ringing`}>Ringtone</h2>
        <DeviceSelect label="Ring device" list="speakers" pref="ringDeviceId" />
        <div className="field">
          <label htmlFor={`${id}-volume`}>Ring volume</label>
          <div className="row">
            <input
              id={`${id}-volume`}
              type="range"
              min={0}
              max={100}
              step={5}
              value={volume}
              aria-valuetext={`${volume}%`}
              onChange={(e) => app.devices.setPreferences({ ringVolume: Number(e.target.value) / 100 })}
            />
            <span className="small muted value">{volume}%</span>
          </div>
        </div>
        <RingTest />
        <DesktopDndSetting />
      </section>
      <section aria-labelledby={`${id}-headset`} className="group">
        <h2 id={`${id}-headset`}>Headset</h2>
        <HeadsetSettings />
      </section>
      <section aria-labelledby={`${id}-privacy`} className="group">
        <h2 id={`${id}-privacy`}>Privacy</h2>
        <div className="check">
          <input
            id={`${id}-relay`}
            type="checkbox"
            checked={relayOnly}
            aria-describedby={`${id}-relay-hint`}
            onChange={(e) => app.devices.setPreferences({ relayOnly: e.target.checked })}
          />
          <label htmlFor={`${id}-relay`}>Always relay calls</label>
        </div>
        <p id={`${id}-relay-hint`} className="hint">
          Sends call media through the server&apos;s TURN relay so the other side never sees your network
          address. Needs TURN on the server; calls may be a little slower.
        </p>
      </section>
      <ShortcutSettings />
      <TrayHint />
    </div>
  );
}
