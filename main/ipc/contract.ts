/**
 * The IPC contract between the Electron main process and its renderers
 * (the main window and the incoming-call window): which messages each window
 * may send and receive, with the zod schema main checks each payload with
 * (from shared/app-shell.ts and the wire contract), and the preload bridge's
 * API. Channel names are derived from the keys here. No electron or Node
 * imports: the renderer's desktop platform and incoming-call window import this.
 */
import { z } from 'zod';
import {
  DevicePreferences,
  MissedCall,
  PlatformAction,
  RecentCall,
  RingingCall,
  ShellState,
  type DesktopDndStatus,
  type TrayStatus,
} from '../../shared/app-shell.js';
import { Accelerator, ShortcutName, type ShortcutChange, type ShortcutView } from '../../shared/shortcuts.js';
import { HandshakeAuth } from '../../signaling/protocol/accounts.js';
import { CallId } from '../../signaling/protocol/common.js';

export { channel, SERVER_URL_SWITCH } from './channels.js';

/** The longest error report a window may send to main's log (the renderer shortens longer ones). */
export const ERROR_REPORT_MAX = 4000;

/** A call as the log file records it (ms since the call started on this device, per setup stage). */
export const CallReport = z.strictObject({
  /** Null for a call that ended before the server numbered it. */
  callId: CallId.nullable(),
  reason: z.string().regex(/^[a-z-]{1,40}$/),
  code: z
    .string()
    .regex(/^[A-Z_]{1,40}$/)
    .optional(),
  stages: z.record(z.string().regex(/^[a-z-]{1,30}$/), z.number().int().min(0).max(86_400_000)),
});
export type CallReport = z.infer<typeof CallReport>;

/** A session token as the server hands it out (what the handshake accepts). */
export const SessionToken = HandshakeAuth.shape.token;

/** Requests from a renderer to main (ipcRenderer.invoke); main validates every payload. */
export const invokeChannels = {
  'missed.notify': MissedCall,
  /** Main window: the app's state, whole; main redraws ringing, tray, badge and power from it. */
  'shell.state': ShellState,
  'recent.set': z.array(RecentCall).max(10),
  'devices.load': z.strictObject({}),
  'devices.save': DevicePreferences,
  /** Main window: the session token main keeps encrypted (main/session/token-vault.ts), or null. */
  'session.load': z.strictObject({}),
  'session.save': z.strictObject({ token: SessionToken }),
  'session.clear': z.strictObject({}),
  /** Main window: whether the tray icon can be seen (main/linux/tray-host.ts `trayStatus`). */
  'tray.status': z.strictObject({}),
  /** Main window: following the desktop's do-not-disturb (Linux), and whether the desktop is in it. */
  'desktopDnd.load': z.strictObject({}),
  'desktopDnd.follow': z.strictObject({ follow: z.boolean() }),
  /** Main window: the global shortcuts and whether each works (main/shortcut-keeper.ts). */
  'shortcuts.load': z.strictObject({}),
  /** Main window: set one global shortcut ('' turns it off); a bad accelerator is refused with the reason. */
  'shortcuts.set': z.strictObject({ name: ShortcutName, accelerator: Accelerator }),
  /** Incoming-call window: the person chose. */
  'incoming.choose': PlatformAction,
  /** Either window: an error the page did not handle, for main's log file (main/logging/app-log.ts). */
  'log.error': z.strictObject({ message: z.string().min(1).max(ERROR_REPORT_MAX) }),
  /** Main window: a call ended, how, and when each stage of its setup was reached, for the log file. */
  'log.call': CallReport,
} as const;
export type InvokeChannel = keyof typeof invokeChannels;
export type InvokePayload<K extends InvokeChannel> = z.input<(typeof invokeChannels)[K]>;

/** Parley's windows: the main window (the call app) and the incoming-call window. */
export type WindowRole = 'main' | 'incoming';

/**
 * The channels each window may invoke. Main refuses, and logs, a message on any other: the
 * incoming-call window shows a caller and answers, nothing more, so a page that got into it can
 * neither read nor change the session, settings or ringing.
 */
export const windowChannels = {
  main: [
    'missed.notify',
    'shell.state',
    'recent.set',
    'devices.load',
    'devices.save',
    'session.load',
    'session.save',
    'session.clear',
    'tray.status',
    'shortcuts.load',
    'shortcuts.set',
    'desktopDnd.load',
    'desktopDnd.follow',
    'log.error',
    'log.call',
  ],
  incoming: ['incoming.choose', 'log.error'],
} as const satisfies Record<WindowRole, readonly InvokeChannel[]>;

/** Events from main to a renderer (webContents.send). */
export const eventChannels = {
  /** To the main window: act on this. */
  action: PlatformAction,
  /** To the main window: the machine woke up or the network changed; reconnect now. */
  reconnect: z.strictObject({ reason: z.enum(['resume', 'network', 'unlock']) }),
  /** To the incoming-call window: the call to show. */
  'incoming.call': RingingCall,
} as const;
export type EventChannel = keyof typeof eventChannels;
export type EventPayload<K extends EventChannel> = z.infer<(typeof eventChannels)[K]>;

/** The API the preload script exposes as `window.parleyDesktop`. */
export interface DesktopBridge {
  readonly platform: string;
  /** The signaling server to use unless the person chose another (the embedded one under `npm start`). */
  readonly defaultServerUrl: string | null;
  notifyMissed(call: MissedCall): Promise<void>;
  reportState(state: ShellState): Promise<void>;
  setRecentCalls(calls: RecentCall[]): Promise<void>;
  loadDevicePreferences(): Promise<DevicePreferences>;
  saveDevicePreferences(prefs: DevicePreferences): Promise<void>;
  /** The session token main keeps (encrypted with the OS key store), or null. */
  loadSession(): Promise<string | null>;
  saveSession(token: string): Promise<void>;
  clearSession(): Promise<void>;
  /** Whether the tray icon can be seen. */
  trayStatus(): Promise<TrayStatus>;
  /** Following the desktop's do-not-disturb; null where it cannot be followed (not Linux). */
  loadDesktopDnd(): Promise<DesktopDndStatus | null>;
  followDesktopDnd(follow: boolean): Promise<DesktopDndStatus | null>;
  /** The global shortcuts and whether each works. */
  loadShortcuts(): Promise<ShortcutView[]>;
  /** Sets one global shortcut ('' turns it off); when it cannot work nothing changes, and the answer says why. */
  setShortcut(name: ShortcutName, accelerator: string): Promise<ShortcutChange>;
  /** Incoming-call window only. */
  choose(action: PlatformAction): Promise<void>;
  /** An error the page did not handle, for main's log file. */
  reportError(message: string): Promise<void>;
  /** Main window: a call ended; how, and its setup timings, for main's log file. */
  reportCall(report: CallReport): Promise<void>;
  onAction(handler: (action: PlatformAction) => void): () => void;
  onReconnect(handler: (reason: EventPayload<'reconnect'>) => void): () => void;
  onIncomingCall(handler: (call: RingingCall) => void): () => void;
}
