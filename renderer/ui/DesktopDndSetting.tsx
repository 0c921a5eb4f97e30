/**
 * Settings' choice to ring quietly while the desktop is in Do Not Disturb (desktop app on Linux: KDE
 * Plasma's and GNOME's switch; main reads it, main/linux/desktop-dnd.ts, and decides how a call rings,
 * main/ringing/policy.ts). Off by default; shown nowhere else.
 */
import { useEffect, useId, useState } from 'react';
import { useApp } from '../app/context.js';
import type { DesktopDndStatus } from '../../shared/app-shell.js';

const NOW = (desktop: boolean | null): string =>
  desktop === null
    ? 'Parley cannot read your desktop’s Do Not Disturb here (it reads KDE Plasma’s and GNOME’s).'
    : desktop
      ? 'Your desktop is in Do Not Disturb now.'
      : 'Your desktop is not in Do Not Disturb now.';

export function DesktopDndSetting() {
  const app = useApp();
  const [status, setStatus] = useState<DesktopDndStatus | null>(null);
  const [problem, setProblem] = useState('');
  const id = useId();
  useEffect(() => {
    let current = true;
    void app.platform.loadDesktopDnd().then((s) => current && setStatus(s));
    return () => {
      current = false;
    };
  }, [app]);
  if (status === null) return null;
  const change = (follow: boolean) => {
    setProblem('');
    app.platform.followDesktopDnd(follow).then(
      (s) => s && setStatus(s),
      () => setProblem('Parley could not save this setting. Try again.'),
    );
  };
  return (
    <>
      <div className="check">
        <input
          id={`${id}-follow`}
          type="checkbox"
          checked={status.follow}
          aria-describedby={`${id}-hint`}
          onChange={(e) => change(e.target.checked)}
        />
        <label htmlFor={`${id}-follow`}>Ring quietly while the desktop is in Do Not Disturb</label>
      </div>
      <p id={`${id}-hint`} className="hint">
        No ringtone and no pop-up: the call shows in the tray and in Parley&apos;s window, your other devices
        ring as usual, and an unanswered call is a missed call. {NOW(status.desktop)}
      </p>
      {problem && <p role="status">{problem}</p>}
    </>
  );
}
