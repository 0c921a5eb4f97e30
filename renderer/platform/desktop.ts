/**
 * The platform inside the desktop app: everything goes through the preload
 * bridge (`window.parleyDesktop`) to the main process, which owns the
 * incoming-call window, notifications, tray, badge, the settings file and
 * the session token.
 */
import type { DesktopBridge } from '../../main/ipc/contract.js';
import type {
  DesktopDndStatus,
  DevicePreferences,
  MissedCall,
  RecentCall,
  TrayStatus,
} from '../../shared/app-shell.js';
import type { ShortcutChange, ShortcutName, ShortcutView } from '../../shared/shortcuts.js';
import { localStore } from './local-store.js';
import type { Platform, PlatformAction, ShellState } from './platform.js';
import { DesktopSessionStore } from './desktop-session.js';

declare global {
  interface Window {
    parleyDesktop?: DesktopBridge;
  }
}

const DEVICE_KEY = 'parley.deviceId';

/** Failures of the bridge are logged, never thrown into the app: the call goes on without the shell's help. */
const quietly = (p: Promise<unknown>): void =>
  void p.catch((err: unknown) => console.warn('desktop bridge', err));

export class DesktopPlatform implements Platform {
  readonly storage = localStore;
  readonly session: DesktopSessionStore;

  constructor(private readonly bridge: DesktopBridge) {
    this.session = new DesktopSessionStore(bridge, localStore);
  }

  /** One device per installation: the app's storage lives in its own profile. */
  deviceId(): string {
    return localStorage.getItem(DEVICE_KEY) ?? this.newDeviceId();
  }

  newDeviceId(): string {
    const id = crypto.randomUUID().replace(/-/g, '');
    localStorage.setItem(DEVICE_KEY, id);
    return id;
  }

  showMissedCall(call: MissedCall): void {
    quietly(this.bridge.notifyMissed(call));
  }

  /** Main redraws the incoming-call window, notification, tray and badge from it. */
  reportState(state: ShellState): void {
    quietly(this.bridge.reportState(state));
  }

  reportRecentCalls(calls: RecentCall[]): void {
    quietly(this.bridge.setRecentCalls(calls));
  }

  onAction(handler: (action: PlatformAction) => void): () => void {
    return this.bridge.onAction(handler);
  }

  loadDevicePreferences(): Promise<unknown> {
    return this.bridge.loadDevicePreferences().catch(() => undefined);
  }

  saveDevicePreferences(prefs: DevicePreferences): void {
    quietly(this.bridge.saveDevicePreferences(prefs));
  }

  trayStatus(): Promise<TrayStatus | null> {
    return this.bridge.trayStatus().catch(() => 'unknown' as const);
  }

  loadDesktopDnd(): Promise<DesktopDndStatus | null> {
    return this.bridge.loadDesktopDnd().catch(() => null);
  }

  followDesktopDnd(follow: boolean): Promise<DesktopDndStatus | null> {
    return this.bridge.followDesktopDnd(follow);
  }

  /** Null when main cannot say (Settings then shows no shortcuts rather than wrong ones). */
  loadShortcuts(): Promise<ShortcutView[] | null> {
    return this.bridge.loadShortcuts().catch((err: unknown) => {
      console.warn('desktop bridge', err);
      return null;
    });
  }

  setShortcut(name: ShortcutName, accelerator: string): Promise<ShortcutChange> {
    return this.bridge.setShortcut(name, accelerator);
  }

  /** Main says when the machine woke up or the screen was unlocked; the page says when the network is back. */
  onReconnectHint(handler: () => void): () => void {
    const off = this.bridge.onReconnect(handler);
    window.addEventListener('online', handler);
    return () => {
      off();
      window.removeEventListener('online', handler);
    };
  }
}

/** The desktop platform when running inside Parley's Electron shell. */
export const desktopBridge = (): DesktopBridge | undefined => window.parleyDesktop;
