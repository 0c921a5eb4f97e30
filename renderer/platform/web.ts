/** The platform in a plain browser: localStorage, the Notification API and the tab title. */
import type { DevicePreferences, MissedCall } from '../../shared/app-shell.js';
import { personText } from '../../signaling/protocol/index.js';
import { localStore } from './local-store.js';
import type { Platform, ShellState } from './platform.js';
import { localSessionStore } from './session-store.js';

const DEVICE_KEY = 'parley.deviceId';
const PREFERENCES_KEY = 'parley.devices';

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export class WebPlatform implements Platform {
  readonly storage = localStore;
  readonly session = localSessionStore(localStore);
  private readonly notifications = new Map<string, Notification>();
  /** What reportState last drew. */
  private shown: Pick<ShellState, 'ringing' | 'unseenMissedCalls'> = { ringing: null, unseenMissedCalls: 0 };

  /** Each tab is its own device (two tabs ring like two phones); a reload keeps it. */
  deviceId(): string {
    return sessionStorage.getItem(DEVICE_KEY) ?? this.newDeviceId();
  }

  newDeviceId(): string {
    const id = randomId();
    sessionStorage.setItem(DEVICE_KEY, id);
    return id;
  }

  showMissedCall(call: MissedCall): void {
    if (document.visibilityState === 'visible') return;
    this.notify(
      `missed:${call.callId}`,
      `Missed call from ${personText(call.caller)}`,
      'Open Parley to call back',
      false,
    );
  }

  /** The ringing call's notification (while the page is hidden), the app badge and the tab title. */
  reportState(state: ShellState): void {
    const { ringing } = state;
    if (ringing?.callId !== this.shown.ringing?.callId) {
      if (this.shown.ringing) this.closeNotification(this.shown.ringing.callId);
      if (ringing && document.visibilityState !== 'visible') {
        this.notify(
          ringing.callId,
          `${personText(ringing.caller)} is calling`,
          ringing.media === 'video' ? 'Video call' : 'Voice call',
          true,
        );
      }
    }
    if (state.unseenMissedCalls !== this.shown.unseenMissedCalls) this.setBadge(state.unseenMissedCalls);
    this.shown = state;
    const status = ringing ? 'Incoming call' : state.inCall ? 'In a call' : undefined;
    const badge = state.unseenMissedCalls > 0 ? `(${state.unseenMissedCalls}) ` : '';
    document.title = `${badge}${status ? `${status} - ` : ''}Parley`;
  }

  /** A browser tab has no tray. */
  reportRecentCalls(): void {}

  /** A browser tab has no tray, shortcuts or notification buttons: no actions come from outside the page. */
  onAction(): () => void {
    return () => undefined;
  }

  async loadDevicePreferences(): Promise<unknown> {
    const saved = localStorage.getItem(PREFERENCES_KEY);
    try {
      return saved ? (JSON.parse(saved) as unknown) : undefined;
    } catch {
      return undefined;
    }
  }

  saveDevicePreferences(prefs: DevicePreferences): void {
    localStorage.setItem(PREFERENCES_KEY, JSON.stringify(prefs));
  }

  /** A browser tab has no tray. */
  async trayStatus(): Promise<null> {
    return null;
  }

  /** A browser tab cannot read the desktop's do-not-disturb. */
  async loadDesktopDnd(): Promise<null> {
    return null;
  }

  async followDesktopDnd(): Promise<null> {
    return null;
  }

  /** A browser tab has no global shortcuts. */
  async loadShortcuts(): Promise<null> {
    return null;
  }

  /** Never asked: Settings offers no shortcuts where loadShortcuts says there are none. */
  setShortcut(): Promise<never> {
    return Promise.reject(new Error('a browser tab has no global shortcuts'));
  }

  /** The browser says when it is back online. */
  onReconnectHint(handler: () => void): () => void {
    window.addEventListener('online', handler);
    return () => window.removeEventListener('online', handler);
  }

  /** Asks for notification permission; call from a user gesture. */
  async enableNotifications(): Promise<boolean> {
    if (typeof Notification === 'undefined') return false;
    if (Notification.permission === 'default') await Notification.requestPermission();
    return Notification.permission === 'granted';
  }

  private notify(tag: string, title: string, body: string, sticky: boolean): void {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    const n = new Notification(title, { body, tag, requireInteraction: sticky });
    n.onclick = () => {
      window.focus();
      n.close();
    };
    this.notifications.set(tag, n);
  }

  private closeNotification(tag: string): void {
    this.notifications.get(tag)?.close();
    this.notifications.delete(tag);
  }

  private setBadge(unseenMissedCalls: number): void {
    const nav = navigator as Navigator & {
      setAppBadge?: (n: number) => Promise<void>;
      clearAppBadge?: () => Promise<void>;
    };
    if (unseenMissedCalls > 0) void nav.setAppBadge?.(unseenMissedCalls).catch(() => undefined);
    else void nav.clearAppBadge?.().catch(() => undefined);
  }
}
