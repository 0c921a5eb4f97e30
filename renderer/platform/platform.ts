/**
 * What the call app needs from where it runs: storage, this device's id,
 * notifications, badges, and actions taken outside the page (a
 * notification's Answer button, the tray, a global shortcut). The web
 * implementation is in web.ts; the desktop app provides its own through
 * the preload bridge.
 */
import type { Media, Presence, UserSummary } from '../../signaling/protocol/index.js';

export type PlatformAction =
  | { type: 'accept'; callId: string; media: Media }
  | { type: 'decline'; callId: string }
  | { type: 'hangup' }
  | { type: 'toggle-mute' }
  | { type: 'call'; username: string; media: Media }
  | { type: 'open-history' };

export interface ShellState {
  presence: Presence;
  call: 'idle' | 'ringing' | 'in-call';
  unseenMissedCalls: number;
}

export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export interface Platform {
  readonly kind: 'web' | 'desktop';
  readonly storage: KeyValueStore;
  /** Stable for this installation (desktop) or this browser tab (web), so a reload resumes a call. */
  deviceId(): string;
  showIncomingCall(call: { callId: string; caller: UserSummary; media: Media }): void;
  hideIncomingCall(callId: string): void;
  showMissedCall(call: { callId: string; caller: UserSummary }): void;
  setBadge(unseenMissedCalls: number): void;
  /** Keeps the shell (tray, window title) in step with the app. */
  reportState(state: ShellState): void;
  onAction(handler: (action: PlatformAction) => void): () => void;
}
