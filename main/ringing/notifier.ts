/**
 * What the shell shows notifications through: Electron's Notification (ringing/electron-notifications.ts)
 * or, on Linux, the desktop's notification server over D-Bus (ringing/linux-notifications.ts), which can
 * show buttons there. Either one turns a NotificationModel into something on screen and routes its
 * click and buttons to NotifierHandlers.
 */
import type { PlatformAction } from '../../shared/app-shell.js';
import type { NotificationModel } from './policy.js';

export interface NotifierHandlers {
  /** A button, or a click that acts (a missed call's opens the history). */
  onAction: (action: PlatformAction) => void;
  /** A click that brings Parley forward. */
  onOpen: () => void;
}

export interface Notifier {
  /** Notifications can be shown at all. */
  supported(): boolean;
  /** Their buttons show; without them a click opens the app, which offers the same choices. */
  actionsSupported(): boolean;
  /** Shows `model`, replacing one shown under the same id. */
  show(model: NotificationModel): void;
  /** Withdraws the notification shown under `id`, if any. */
  close(id: string): void;
  /** On quit: withdraws what is still shown (its buttons would reach nobody) and lets go of resources. */
  dispose(): void;
}
