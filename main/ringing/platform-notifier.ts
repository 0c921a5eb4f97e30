/**
 * The notifier for the platform Parley runs on: Electron's notifications, except on Linux, where the
 * desktop's notification server over D-Bus shows the buttons Electron cannot, with Electron's as the
 * fallback until it is reached and wherever it has none (ringing/linux-notifications.ts).
 */
import { pathToFileURL } from 'node:url';
import { Notifications } from './electron-notifications.js';
import { LinuxNotifications } from './linux-notifications.js';
import type { Notifier, NotifierHandlers } from './notifier.js';

export interface PlatformNotifierOptions {
  /** The app icon (a PNG file) for the D-Bus server. */
  iconPath: string;
  log: (message: string) => void;
}

export function platformNotifier(handlers: NotifierHandlers, options: PlatformNotifierOptions): Notifier {
  const electron = new Notifications(handlers);
  if (process.platform !== 'linux') return electron;
  const linux = new LinuxNotifications({
    ...handlers,
    fallback: electron,
    icon: pathToFileURL(options.iconPath).href,
    log: options.log,
  });
  void linux.start();
  return linux;
}
