/**
 * What the call app needs from where it runs: storage, the session token, this device's id,
 * notifications, badges, and actions taken outside the page (a
 * notification's Answer button, the tray, a global shortcut). The web
 * implementation is in web.ts; the desktop app provides its own through
 * the preload bridge.
 */
import type {
  DesktopDndStatus,
  DevicePreferences,
  MissedCall,
  PlatformAction,
  RecentCall,
  ShellState,
  TrayStatus,
} from '../../shared/app-shell.js';
import type { ShortcutChange, ShortcutName, ShortcutView } from '../../shared/shortcuts.js';
import type { SessionStore } from './session-store.js';

export type { PlatformAction, ShellState };

export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export interface Platform {
  /** Small, non-secret values (the server address, device id). */
  readonly storage: KeyValueStore;
  /** The session token (see session-store.ts for where each platform keeps it). */
  readonly session: SessionStore;
  /** Stable for this installation (desktop) or this browser tab (web), so a reload resumes a call. */
  deviceId(): string;
  /** Replaces the device id with a fresh one (the server said it belongs to another sign-in). */
  newDeviceId(): string;
  showMissedCall(call: MissedCall): void;
  /** The last people called or calling, for the tray's Recent calls. */
  reportRecentCalls(calls: RecentCall[]): void;
  /**
   * The app's state, whole, each time it changes: the shell redraws from it (the ringing call's window or
   * notification, tray, badge, window title) and keeps nothing else about the app.
   */
  reportState(state: ShellState): void;
  onAction(handler: (action: PlatformAction) => void): () => void;
  /** Saved device choices (unvalidated: the caller parses them). */
  loadDevicePreferences(): Promise<unknown>;
  saveDevicePreferences(prefs: DevicePreferences): void;
  /** Whether the shell's tray icon can be seen; null where there is no tray (a browser tab). */
  trayStatus(): Promise<TrayStatus | null>;
  /** Following the desktop's do-not-disturb; null where the shell cannot (a browser tab, not Linux). */
  loadDesktopDnd(): Promise<DesktopDndStatus | null>;
  followDesktopDnd(follow: boolean): Promise<DesktopDndStatus | null>;
  /** The shell's global shortcuts and whether each works; null where there are none (a browser tab). */
  loadShortcuts(): Promise<ShortcutView[] | null>;
  /** Sets one global shortcut ('' turns it off); when it cannot work nothing changes and the answer says why. */
  setShortcut(name: ShortcutName, accelerator: string): Promise<ShortcutChange>;
  /** The machine woke up or the network changed: reconnect now instead of waiting for a timeout. */
  onReconnectHint(handler: () => void): () => void;
}
