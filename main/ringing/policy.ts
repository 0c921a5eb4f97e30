/**
 * Ringing and notification policy as pure decisions: which channels an incoming call uses (window,
 * notification, tray, attention; the renderer plays the ringtone), and what the incoming-call and
 * missed-call notifications say and offer. ringing/electron-notifications.ts turns the models into
 * Electron `Notification`s.
 *
 * Decisions:
 * - Do not disturb silences everything for an incoming call. The server does not ring a dnd user; this is
 *   the defensive second rule, in case a ring slips through a status change.
 * - The desktop's own do-not-disturb (KDE, GNOME; followed only when the person turned that on): this device
 *   rings quietly. No window pops up, no notification, no ringtone, nothing flashes; the tray shows the
 *   call with Answer (it interrupts nobody), the app's window shows it to whoever looks, and the caller
 *   hears it ring as usual (other devices still ring: it is this desktop that is busy, not the person).
 *   Unanswered, it is a missed call like any other, with its notification (silent), which the desktop
 *   keeps in its list while it is in do-not-disturb.
 * - A missed call is always recorded and counted (tray and app badge); in dnd its notification is still
 *   shown, but silent, so the person finds it later without being interrupted.
 * - Notifications name the caller as `Name (@username)`: the person decides whom to answer or call back.
 * - Notification buttons: where the notifier shows them (ringing/notifier.ts). Electron 45 shows `button`
 *   actions on macOS and Windows (`notificationActionsSupported`); on Linux it shows none, so Parley asks
 *   the desktop's notification server over D-Bus (ringing/linux-notifications.ts), which says whether it
 *   can. Without buttons a click opens the app, which shows the answer UI.
 */
import { personText, type UserSummary } from '../../signaling/protocol/common.js';
import type { MissedCall, PlatformAction, RingingCall } from '../../shared/app-shell.js';

export interface RingingChannelsInput {
  dnd: boolean;
  /** The desktop is in do-not-disturb and the person has Parley follow it. */
  desktopQuiet?: boolean;
  platform: NodeJS.Platform;
  /** The notifier's `supported()`. */
  notificationsSupported: boolean;
  /** The notifier's `actionsSupported()`. */
  notificationActionsSupported: boolean;
}

export interface RingingChannels {
  incomingWindow: boolean;
  notification: boolean;
  notificationActions: boolean;
  trayRinging: boolean;
  /** Draw attention to the app itself: bounce the dock (macOS) or flash the taskbar entry. */
  attention: 'dock-bounce' | 'flash-frame' | null;
  /** The ringtone (the page plays it): false silences the main window while the call rings. */
  ringtone: boolean;
}

/** Whether Electron's own Notification shows buttons on `platform`. */
export function notificationActionsSupported(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

export function ringingChannels(input: RingingChannelsInput): RingingChannels {
  // Parley's own do-not-disturb: nothing at all. The desktop's (desktopQuiet): only the tray shows it.
  if (input.dnd || input.desktopQuiet) {
    return {
      incomingWindow: false,
      notification: false,
      notificationActions: false,
      trayRinging: !input.dnd,
      attention: null,
      ringtone: false,
    };
  }
  return {
    incomingWindow: true,
    notification: input.notificationsSupported,
    notificationActions: input.notificationsSupported && input.notificationActionsSupported,
    trayRinging: true,
    attention: input.platform === 'darwin' ? 'dock-bounce' : 'flash-frame',
    ringtone: true,
  };
}

export interface NotificationButton {
  type: 'accept-audio' | 'accept-video' | 'decline' | 'call-back';
  label: string;
  action: PlatformAction;
}

/** What a click on the notification body does: bring the app forward, or act. */
export type NotificationClick = { type: 'open' } | PlatformAction;

export interface NotificationModel {
  /** Stable per call so a later notification for the same call replaces it (macOS id, Windows tag). */
  id: string;
  title: string;
  body: string;
  silent: boolean;
  urgency: 'normal' | 'critical';
  /** 'never': an incoming call stays on screen until ringing stops and main removes it. */
  timeoutType: 'default' | 'never';
  actions: NotificationButton[];
  click: NotificationClick;
}

/** The id of a call's incoming notification, to withdraw it when ringing stops. */
export const incomingNotificationId = (callId: string): string => `incoming-${callId}`;

export interface IncomingNotificationOptions {
  /** Show buttons (see notificationActionsSupported); without them a click opens the app. */
  actions: boolean;
}

/** The incoming-call notification. Silent: the ringtone is the sound, on the chosen ring device. */
export function incomingCallNotification(
  call: RingingCall,
  options: IncomingNotificationOptions,
): NotificationModel {
  const { callId, caller, media } = call;
  return {
    id: incomingNotificationId(callId),
    title: media === 'video' ? 'Incoming video call' : 'Incoming call',
    body: `${nameOf(caller)} is calling`,
    silent: true,
    urgency: 'critical',
    timeoutType: 'never',
    actions: options.actions
      ? [
          { type: 'accept-audio', label: 'Accept', action: { type: 'accept', callId, media: 'audio' } },
          { type: 'accept-video', label: 'Accept video', action: { type: 'accept', callId, media: 'video' } },
          { type: 'decline', label: 'Decline', action: { type: 'decline', callId } },
        ]
      : [],
    click: { type: 'open' },
  };
}

export interface MissedNotificationOptions {
  dnd: boolean;
  /** The notifier's `supported()`; default true. */
  notificationsSupported?: boolean;
  /** Show the Call back button (the notifier's `actionsSupported()`); default true. Without it the click opens the history. */
  actions?: boolean;
}

/** The missed-call notification, or null when the system has no notifications (the badge still counts). */
export function missedCallNotification(
  call: MissedCall,
  options: MissedNotificationOptions,
): NotificationModel | null {
  if (options.notificationsSupported === false) return null;
  const callBack: PlatformAction = { type: 'call', username: call.caller.username, media: call.media };
  return {
    id: `missed-${call.callId}`,
    title: 'Missed call',
    body: `${nameOf(call.caller)} called`,
    silent: options.dnd,
    urgency: 'normal',
    timeoutType: 'default',
    actions: options.actions === false ? [] : [{ type: 'call-back', label: 'Call back', action: callBack }],
    click: { type: 'open-history' },
  };
}

const NAME_MAX = 64;

/** The person in notification text: `Name (@username)`, the name cleaned, shortened and isolated. */
const nameOf = (user: UserSummary): string => personText(user, NAME_MAX);
