/**
 * The IPC contract between the Electron main process and its renderers
 * (the main window and the incoming-call window): zod schemas give both the
 * runtime check in main and the TypeScript types; channel names are derived
 * from the keys here. No electron or Node imports: the renderer imports this.
 */
import { z } from 'zod';
import { Media, Presence, UserSummary } from '../../signaling/protocol/common.js';

export { channel, IPC_PREFIX, SERVER_URL_SWITCH } from './channels.js';

export const CallRef = z.strictObject({ callId: z.string().min(1).max(64) });

/** A session token as the server hands it out (the handshake takes at most 128 characters). */
export const SessionToken = z.string().min(1).max(128);

export const RingingCall = z.strictObject({
  callId: z.string().min(1).max(64),
  caller: UserSummary,
  media: Media,
});
export type RingingCall = z.infer<typeof RingingCall>;

/** What the app tells the shell so tray, badge and power state follow it. */
export const ShellState = z.strictObject({
  presence: Presence,
  call: z.enum(['idle', 'ringing', 'in-call']),
  unseenMissedCalls: z.number().int().min(0).max(100_000),
  /** The call's microphone is muted (the tray offers Unmute). */
  muted: z.boolean().default(false),
});
export type ShellState = z.infer<typeof ShellState>;

/** An action taken outside the page: notification buttons, tray, shortcuts, deep links, the incoming-call window. */
export const PlatformAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('accept'), callId: z.string().min(1).max(64), media: Media }),
  z.strictObject({ type: z.literal('decline'), callId: z.string().min(1).max(64) }),
  z.strictObject({ type: z.literal('hangup') }),
  z.strictObject({ type: z.literal('toggle-mute') }),
  z.strictObject({ type: z.literal('call'), username: z.string().min(1).max(64), media: Media }),
  /**
   * A call a link asked for (`parley://call/...`, `tel:`): the app asks the person before it calls.
   * Any web page can open such a link, and a call opens the microphone (and camera) for the other side.
   */
  z.strictObject({ type: z.literal('confirm-call'), username: z.string().min(1).max(64), media: Media }),
  z.strictObject({ type: z.literal('open-history') }),
  z.strictObject({ type: z.literal('set-status'), dnd: z.boolean() }),
]);
export type PlatformAction = z.infer<typeof PlatformAction>;

export const RecentCall = z.strictObject({
  username: z.string().max(64),
  displayName: z.string().max(64),
  media: Media,
});
export type RecentCall = z.infer<typeof RecentCall>;

/** Device choices persisted by main in the settings file. */
export const DevicePreferences = z.object({
  microphoneId: z.string().max(512).optional(),
  cameraId: z.string().max(512).optional(),
  speakerId: z.string().max(512).optional(),
  ringDeviceId: z.string().max(512).optional(),
  ringVolume: z.number().min(0).max(1).default(0.8),
  relayOnly: z.boolean().default(false),
});
export type DevicePreferences = z.infer<typeof DevicePreferences>;

/** Requests from a renderer to main (ipcRenderer.invoke); main validates every payload. */
export const invokeChannels = {
  /** Main window: ringing started (incoming-call window, notification, tray). */
  'ringing.show': RingingCall,
  /** Main window: ringing stopped for any reason. */
  'ringing.hide': CallRef,
  'missed.notify': z.strictObject({ callId: z.string().min(1).max(64), caller: UserSummary }),
  'shell.state': ShellState,
  'recent.set': z.array(RecentCall).max(10),
  'devices.load': z.strictObject({}),
  'devices.save': DevicePreferences,
  'external.open': z.strictObject({ url: z.string().max(2048) }),
  /** Main window: the session token main keeps encrypted (main/session/token-vault.ts), or null. */
  'session.load': z.strictObject({}),
  'session.save': z.strictObject({ token: SessionToken }),
  'session.clear': z.strictObject({}),
  /** Incoming-call window: the person chose. */
  'incoming.choose': PlatformAction,
} as const;
export type InvokeChannel = keyof typeof invokeChannels;
export type InvokePayload<K extends InvokeChannel> = z.input<(typeof invokeChannels)[K]>;

/** Parley's windows: the main window (the call app) and the incoming-call window. */
export type WindowRole = 'main' | 'incoming';

/**
 * The channels each window may invoke. Main refuses, and logs, a message on any other: the
 * incoming-call window shows a caller and answers, nothing more, so a page that got into it can
 * neither open links nor read or change the session, settings or ringing.
 */
export const windowChannels = {
  main: [
    'ringing.show',
    'ringing.hide',
    'missed.notify',
    'shell.state',
    'recent.set',
    'devices.load',
    'devices.save',
    'external.open',
    'session.load',
    'session.save',
    'session.clear',
  ],
  incoming: ['incoming.choose'],
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
  showRinging(call: RingingCall): Promise<void>;
  hideRinging(callId: string): Promise<void>;
  notifyMissed(call: { callId: string; caller: UserSummary }): Promise<void>;
  reportState(state: ShellState): Promise<void>;
  setRecentCalls(calls: RecentCall[]): Promise<void>;
  loadDevicePreferences(): Promise<DevicePreferences>;
  saveDevicePreferences(prefs: DevicePreferences): Promise<void>;
  openExternal(url: string): Promise<void>;
  /** The session token main keeps (encrypted with the OS key store), or null. */
  loadSession(): Promise<string | null>;
  saveSession(token: string): Promise<void>;
  clearSession(): Promise<void>;
  /** Incoming-call window only. */
  choose(action: PlatformAction): Promise<void>;
  onAction(handler: (action: PlatformAction) => void): () => void;
  onReconnect(handler: (reason: EventPayload<'reconnect'>) => void): () => void;
  onIncomingCall(handler: (call: RingingCall) => void): () => void;
}
