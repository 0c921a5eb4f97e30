/**
 * "Start at login" for the platform Parley runs on: Electron's login item on macOS and Windows; on Linux,
 * where Electron's does nothing, an XDG autostart entry (linux/autostart.ts). Electron's `app` is handed
 * in (index.ts, shell.ts), so this stays free of Electron.
 */
import { removeAutostart, writeAutostart } from './linux/autostart.js';

/** What this needs of Electron's `app`. */
export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
  getPath(name: 'home'): string;
  getAppPath(): string;
}

export async function applyStartAtLogin(enabled: boolean, app: LoginItemApp): Promise<void> {
  if (process.platform !== 'linux') return app.setLoginItemSettings({ openAtLogin: enabled });
  const place = { xdgConfigHome: process.env.XDG_CONFIG_HOME, home: app.getPath('home') };
  if (enabled) await writeAutostart(place, launchCommand(app));
  else await removeAutostart(place);
}

/**
 * How to start this copy of Parley: the AppImage file itself (it is mounted at a new path on every run),
 * or the executable, with the app folder when it runs unpackaged (`electron .`).
 */
function launchCommand(app: LoginItemApp): string[] {
  if (process.env.APPIMAGE) return [process.env.APPIMAGE];
  return process.defaultApp ? [process.execPath, app.getAppPath()] : [process.execPath];
}
