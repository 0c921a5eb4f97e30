/**
 * Settings' word on the tray, in the desktop app on a Linux desktop that shows no tray icons (stock GNOME):
 * why closing the window minimises Parley, and how to get a tray. Main tells whether one is shown
 * (main/linux/tray-host.ts); nothing is said where it is, or in a browser tab.
 */
import { useEffect, useId, useState } from 'react';
import { useApp } from '../app/context.js';
import type { TrayStatus } from '../../shared/app-shell.js';

const WHY: Record<Exclude<TrayStatus, 'shown'>, string> = {
  missing: 'Your desktop shows no tray icons, so Parley has none here.',
  unknown: 'Parley cannot tell whether your desktop shows tray icons (it found no session bus).',
};

export function TrayHint() {
  const app = useApp();
  const [status, setStatus] = useState<TrayStatus | null>(null);
  const id = useId();
  useEffect(() => {
    let current = true;
    void app.platform.trayStatus().then((s) => current && setStatus(s));
    return () => {
      current = false;
    };
  }, [app]);
  if (status === null || status === 'shown') return null;
  return (
    <section aria-labelledby={`${id}-tray`} className="group">
      <h2 id={`${id}-tray`}>Tray icon</h2>
      <p>{WHY[status]} Closing the window minimises Parley instead of hiding it; calls still ring.</p>
      <p className="hint">
        To get a tray on GNOME, install the AppIndicator extension (Debian and Ubuntu:{' '}
        <code>gnome-shell-extension-appindicator</code>), turn it on in Extensions and sign in again. KDE
        Plasma, Xfce, Cinnamon and most panels have a tray already.
      </p>
    </section>
  );
}
