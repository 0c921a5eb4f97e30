/**
 * The tray as data: which icon, badge, tooltip and menu to show for the app's state. Pure functions;
 * tray/electron-tray.ts turns MenuItemModel into `Menu.buildFromTemplate` items, and main/shell.ts turns
 * TrayAction into IPC to the main window or app calls.
 *
 * Decisions:
 * - Icon precedence: ringing > offline > dnd > busy (in a call, or presence busy) > away > online.
 *   Offline beats dnd because while disconnected no call can arrive whatever the status says. Away has its
 *   own icon (same shape as online, dimmed), so the person sees the idle detection took effect.
 * - The missed-call count is a badge drawn over the icon (trayBadge), not an icon of its own.
 * - Recent calls can't be called back while ringing or in a call (the server would answer busy).
 * - People are `Name (@username)` (two people may share a name): the name cleaned of bidi and invisible
 *   characters, cut when long and isolated (FSI...PDI); `&` is doubled in menus (Windows/Linux read it as
 *   a mnemonic).
 */
import { personText, type Presence, type UserSummary } from '../../signaling/protocol/common.js';
import type { PlatformAction, RecentCall, RingingCall } from '../../shared/app-shell.js';

export interface TrayState {
  presence: Presence;
  ringing: RingingCall | null;
  inCall: boolean;
  muted?: boolean;
  unseenMissedCalls: number;
  recent: RecentCall[];
  startAtLogin: boolean;
  dnd: boolean;
}

export type TrayIcon = 'online' | 'away' | 'busy' | 'dnd' | 'offline' | 'ringing';

export type TrayAction =
  | PlatformAction
  | { type: 'open' }
  | { type: 'quit' }
  | { type: 'toggle-start-at-login' }
  | { type: 'open-logs' };

export interface MenuItemModel {
  id: string;
  label?: string;
  type: 'normal' | 'separator' | 'checkbox' | 'radio' | 'submenu';
  checked?: boolean;
  enabled?: boolean;
  submenu?: MenuItemModel[];
  action?: TrayAction;
}

const NAME_MAX = 40;
/** Windows truncates tray tooltips past 127 characters. */
const TOOLTIP_MAX = 127;

export function trayIcon(state: TrayState): TrayIcon {
  if (state.ringing) return 'ringing';
  if (state.presence === 'offline') return 'offline';
  if (state.dnd || state.presence === 'dnd') return 'dnd';
  if (state.inCall || state.presence === 'busy') return 'busy';
  return state.presence === 'away' ? 'away' : 'online';
}

/** The unseen missed-call count to draw on the icon (and the app badge), or null for none. */
export function trayBadge(state: TrayState): number | null {
  return state.unseenMissedCalls > 0 ? state.unseenMissedCalls : null;
}

const STATUS_WORDS: Record<TrayIcon, string> = {
  online: 'Online',
  away: 'Away',
  busy: 'Busy',
  dnd: 'Do not disturb',
  offline: 'Offline',
  ringing: 'Ringing',
};

export function trayTooltip(state: TrayState): string {
  let text: string;
  if (state.ringing) {
    const kind = state.ringing.media === 'video' ? 'video call' : 'call';
    text = `Parley: incoming ${kind} from ${personText(state.ringing.caller, NAME_MAX)}`;
  } else if (state.inCall) {
    text = `Parley: in a call${state.muted ? ' (muted)' : ''}`;
  } else {
    text = `Parley: ${STATUS_WORDS[trayIcon(state)]}`;
  }
  const missed = state.unseenMissedCalls;
  if (missed > 0) text += ` · ${missed} missed call${missed === 1 ? '' : 's'}`;
  return text.length > TOOLTIP_MAX ? `${text.slice(0, TOOLTIP_MAX - 1)}…` : text;
}

export function trayMenu(state: TrayState): MenuItemModel[] {
  const items: MenuItemModel[] = [];
  const separator = () => items.push({ id: `separator-${items.length}`, type: 'separator' });

  if (state.ringing) {
    const { callId, caller } = state.ringing;
    items.push(
      item('answer', `Answer ${menuPerson(caller)}`, { type: 'accept', callId, media: 'audio' }),
      item('answer-video', 'Answer with video', { type: 'accept', callId, media: 'video' }),
      item('decline', 'Decline', { type: 'decline', callId }),
    );
    separator();
  }
  if (state.inCall) {
    items.push(
      item('hangup', 'Hang up', { type: 'hangup' }),
      item('mute', state.muted ? 'Unmute' : 'Mute', { type: 'toggle-mute' }),
    );
    separator();
  }

  const dnd = state.dnd;
  items.push({
    id: 'status',
    label: `Status: ${dnd ? 'Do not disturb' : 'Online'}`,
    type: 'submenu',
    submenu: [
      {
        id: 'status-online',
        label: 'Online',
        type: 'radio',
        checked: !dnd,
        action: { type: 'set-status', dnd: false },
      },
      {
        id: 'status-dnd',
        label: 'Do not disturb',
        type: 'radio',
        checked: dnd,
        action: { type: 'set-status', dnd: true },
      },
    ],
  });
  items.push(item('open', 'Open Parley', { type: 'open' }));
  if (state.unseenMissedCalls > 0) {
    const n = state.unseenMissedCalls;
    items.push(item('missed', `${n} missed call${n === 1 ? '' : 's'}`, { type: 'open-history' }));
  }
  items.push({ id: 'recent', label: 'Recent calls', type: 'submenu', submenu: recentItems(state) });
  separator();
  items.push({
    id: 'start-at-login',
    label: 'Start at login',
    type: 'checkbox',
    checked: state.startAtLogin,
    action: { type: 'toggle-start-at-login' },
  });
  items.push(item('open-logs', 'Open logs folder', { type: 'open-logs' }));
  separator();
  items.push(item('quit', 'Quit Parley', { type: 'quit' }));
  return items;
}

function recentItems(state: TrayState): MenuItemModel[] {
  if (state.recent.length === 0) {
    return [{ id: 'recent-none', label: 'No recent calls', type: 'normal', enabled: false }];
  }
  const busy = state.ringing !== null || state.inCall;
  return state.recent.map((call, i) => ({
    id: `recent-${i}`,
    label: `Call back ${menuPerson(call)}${call.media === 'video' ? ' (video)' : ''}`,
    type: 'normal',
    enabled: !busy,
    action: { type: 'call', username: call.username, media: call.media },
  }));
}

function item(id: string, label: string, action: TrayAction): MenuItemModel {
  return { id, label, type: 'normal', action };
}

/** A person as menu text: personText with `&` doubled so it is not read as a mnemonic marker. */
export function menuPerson(user: UserSummary): string {
  return personText(user, NAME_MAX).replaceAll('&', '&&');
}
