/** Words and small formatters the UI shares: names, presence, call outcomes, clocks and initials. */
import {
  shownName,
  type HistoryEntry,
  type Presence,
  type UserSummary,
} from '../../signaling/protocol/index.js';

/**
 * A person's name as the UI shows it: without the characters display names may not have (older
 * accounts can still hold them), or the username when nothing is left. In markup, show it through
 * <PersonName> (isolated); this plain form is for aria labels and the like.
 */
export const personName = (user: UserSummary): string => shownName(user.displayName) || user.username;

export const presenceWords: Record<Presence, string> = {
  online: 'Online',
  away: 'Away',
  busy: 'Busy',
  dnd: 'Do not disturb',
  offline: 'Offline',
};

/** "mm:ss", or "h:mm:ss" past an hour. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

const outcomeWords: Record<NonNullable<HistoryEntry['endReason']>, string> = {
  completed: 'Ended',
  declined: 'Declined',
  cancelled: 'Cancelled',
  missed: 'No answer', // an outgoing call nobody picked up; incoming ones read "Missed" (below)
  busy: 'Busy',
  dnd: 'Do not disturb',
  offline: 'Offline',
  'connection-lost': 'Connection lost',
  interrupted: 'Interrupted',
  failed: 'Failed',
};

/** How a call in the history went: its length when it was answered, else what happened. */
export function historyOutcome(entry: HistoryEntry): string {
  if (entry.missed) return 'Missed';
  if (entry.answeredAt) {
    if (!entry.endedAt) return 'In progress';
    const length = formatClock((Date.parse(entry.endedAt) - Date.parse(entry.answeredAt)) / 1000);
    const reason = entry.endReason;
    return reason && reason !== 'completed' ? `${length} · ${outcomeWords[reason]}` : length;
  }
  return entry.endReason ? outcomeWords[entry.endReason] : 'In progress';
}

const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateAndTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

export function formatWhen(iso: string, now = new Date()): string {
  const at = new Date(iso);
  return sameDay(at, now) ? `Today ${timeOnly.format(at)}` : dateAndTime.format(at);
}

/** One or two letters for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]!, parts[parts.length - 1]!] : parts.slice(0, 1);
  return letters.map((p) => [...p][0]!.toUpperCase()).join('') || '?';
}

/** A stable hue per person, so avatars are told apart at a glance. */
export function hueOf(key: string): number {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}
