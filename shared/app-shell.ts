/**
 * The vocabulary between the call app (renderer/) and the shell it runs in (the desktop app's main
 * process, or a browser tab): the call ringing on this device, the state the app reports (tray, badge,
 * power), actions taken outside the page, device preferences and recent calls. Zod schemas give main its
 * runtime checks and both sides their types; ids and names reuse the wire contract's schemas.
 *
 * No Electron, DOM or Node imports: the renderer's web and desktop platforms and main/ import this.
 */
import { z } from 'zod';
import { IncomingCall } from '../signaling/protocol/calls.js';
import { CallId, Media, Presence, UserSummary, Username } from '../signaling/protocol/common.js';

/** A call ringing on this device: the server's incoming call without its ring timeout. */
export const RingingCall = z.strictObject(
  IncomingCall.pick({ callId: true, caller: true, media: true }).shape,
);
export type RingingCall = z.infer<typeof RingingCall>;

/**
 * What the app tells the shell, whole, each time any of it changes; the shell redraws from it alone: the
 * incoming-call window, ringing notification, tray, badge and power state.
 */
export const ShellState = z.strictObject({
  presence: Presence,
  /** The call ringing on this device, or null: the shell rings while it is set and stops when it is not. */
  ringing: RingingCall.nullable(),
  /** A call placed or up on this device (not one ringing in): the tray offers Hang up, the display stays on. */
  inCall: z.boolean(),
  unseenMissedCalls: z.number().int().min(0).max(100_000),
  /** The call's microphone is muted (the tray offers Unmute). */
  muted: z.boolean().default(false),
});
export type ShellState = z.infer<typeof ShellState>;

/** An action taken outside the page: notification buttons, tray, shortcuts, deep links, the incoming-call window. */
export const PlatformAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('accept'), callId: CallId, media: Media }),
  z.strictObject({ type: z.literal('decline'), callId: CallId }),
  z.strictObject({ type: z.literal('hangup') }),
  z.strictObject({ type: z.literal('toggle-mute') }),
  z.strictObject({ type: z.literal('call'), username: Username, media: Media }),
  /**
   * A call a link asked for (`parley://call/...`, `tel:`): the app asks the person before it calls.
   * Any web page can open such a link, and a call opens the microphone (and camera) for the other side.
   */
  z.strictObject({ type: z.literal('confirm-call'), username: Username, media: Media }),
  z.strictObject({ type: z.literal('open-history') }),
  z.strictObject({ type: z.literal('set-status'), dnd: z.boolean() }),
]);
export type PlatformAction = z.infer<typeof PlatformAction>;

/** A call nobody answered, for the missed-call notification (Call back calls the same way: voice or video). */
export const MissedCall = z.strictObject({ callId: CallId, caller: UserSummary, media: Media });
export type MissedCall = z.infer<typeof MissedCall>;

/** One of the last people called or calling, for the tray's Recent calls. */
export const RecentCall = z.strictObject({
  username: Username,
  displayName: z.string().max(64),
  media: Media,
});
export type RecentCall = z.infer<typeof RecentCall>;

/**
 * Whether the shell's tray icon can be seen: `missing` on a Linux desktop with no tray (stock GNOME),
 * `unknown` where that cannot be told (no session bus); Settings then says how to get one.
 */
export type TrayStatus = 'shown' | 'missing' | 'unknown';

/**
 * Following the desktop's do-not-disturb (Linux: KDE Plasma, GNOME): whether the person has Parley ring
 * quietly while it is on, and whether the desktop is in it now (null: Parley cannot read it here).
 */
export interface DesktopDndStatus {
  follow: boolean;
  desktop: boolean | null;
}

/** Device choices: kept by main in the settings file, by the web app in localStorage. */
export const DevicePreferences = z.object({
  microphoneId: z.string().max(512).optional(),
  cameraId: z.string().max(512).optional(),
  speakerId: z.string().max(512).optional(),
  ringDeviceId: z.string().max(512).optional(),
  ringVolume: z.number().min(0).max(1).default(0.8),
  relayOnly: z.boolean().default(false),
  /** The USB headset whose call buttons and lights Parley uses (renderer/state/headset.ts `headsetKey`). */
  headset: z.string().max(512).optional(),
});
export type DevicePreferences = z.infer<typeof DevicePreferences>;
