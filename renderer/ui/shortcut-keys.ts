/**
 * The shortcut editor's keyboard and words: a key press recorded as an Electron accelerator, an
 * accelerator shown as people read it (Ctrl+Shift+A, or ⌘⇧A on a Mac), and what Settings says of a
 * shortcut that does not work or a change that was refused. Pure: the Settings component uses it.
 *
 * Decisions:
 * - Keys are read from `KeyboardEvent.code` (the physical key), not `key`: with Shift held, `key` is the
 *   shifted character (`?` for `/`), which is not what a global shortcut listens for.
 * - Ctrl is recorded as CommandOrControl off the Mac and Command as CommandOrControl on it, so that a
 *   recorded shortcut reads the same as the defaults and means the usual key if the settings travel.
 * - Escape alone cancels and Tab alone is left to move the focus (a keyboard user must be able to leave).
 */
import type { ShortcutChange, ShortcutName, ShortcutStatus } from '../../shared/shortcuts.js';
import { parseAccelerator } from '../../shared/shortcuts.js';

/** The parts of a KeyboardEvent that recording reads. */
export interface KeyPress {
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

export type Recorded =
  /** Modifiers only so far (their labels, for "Ctrl+Shift+…"). */
  | { kind: 'pending'; modifiers: string[] }
  | { kind: 'done'; accelerator: string }
  /** Escape: stop recording, change nothing. */
  | { kind: 'cancel' }
  /** Tab alone: let the browser move the focus (recording stops). */
  | { kind: 'leave' }
  | { kind: 'unknown-key'; code: string };

const MODIFIER_CODES = /^(Control|Shift|Alt|Meta|OS)(Left|Right)$|^AltGraph$/;

const NAMED: Record<string, string> = {
  Space: 'Space',
  Enter: 'Enter',
  NumpadEnter: 'Enter',
  Tab: 'Tab',
  Backspace: 'Backspace',
  Delete: 'Delete',
  Insert: 'Insert',
  Home: 'Home',
  End: 'End',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  PrintScreen: 'PrintScreen',
  Minus: '-',
  Equal: '=',
  BracketLeft: '[',
  BracketRight: ']',
  Backslash: '\\',
  Semicolon: ';',
  Quote: "'",
  Comma: ',',
  Period: '.',
  Slash: '/',
  Backquote: '`',
  NumpadDecimal: 'numdec',
  NumpadAdd: 'numadd',
  NumpadSubtract: 'numsub',
  NumpadMultiply: 'nummult',
  NumpadDivide: 'numdiv',
  AudioVolumeUp: 'VolumeUp',
  AudioVolumeDown: 'VolumeDown',
  AudioVolumeMute: 'VolumeMute',
  MediaPlayPause: 'MediaPlayPause',
  MediaStop: 'MediaStop',
  MediaTrackNext: 'MediaNextTrack',
  MediaTrackPrevious: 'MediaPreviousTrack',
};

function keyOf(code: string): string | null {
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter) return letter[1]!;
  const digit = /^(?:Digit|Numpad)(\d)$/.exec(code);
  if (digit) return code.startsWith('Numpad') ? `num${digit[1]}` : digit[1]!;
  if (/^F([1-9]|1\d|2[0-4])$/.test(code)) return code;
  return NAMED[code] ?? null;
}

/** What a key press means while the editor records; `mac`: the Command key is the usual modifier. */
export function recordKey(press: KeyPress, mac: boolean): Recorded {
  const modifiers = [
    ...((mac ? press.metaKey : press.ctrlKey) ? ['CommandOrControl'] : []),
    ...(mac && press.ctrlKey ? ['Control'] : []),
    ...(press.altKey ? ['Alt'] : []),
    ...(press.shiftKey ? ['Shift'] : []),
    ...(!mac && press.metaKey ? ['Super'] : []),
  ];
  if (MODIFIER_CODES.test(press.code)) {
    return { kind: 'pending', modifiers: modifiers.map((m) => modifierLabel(m, mac)) };
  }
  if (modifiers.length === 0 && press.code === 'Escape') return { kind: 'cancel' };
  if (modifiers.length === 0 && press.code === 'Tab') return { kind: 'leave' };
  const key = press.code === 'Escape' ? 'Escape' : keyOf(press.code);
  if (!key) return { kind: 'unknown-key', code: press.code };
  return { kind: 'done', accelerator: [...modifiers, key].join('+') };
}

const MAC_MODIFIERS: Record<string, string> = {
  CommandOrControl: '⌘',
  Command: '⌘',
  Control: '⌃',
  Alt: '⌥',
  AltGr: '⌥',
  Shift: '⇧',
  Super: '⌘',
};
const OTHER_MODIFIERS: Record<string, string> = {
  CommandOrControl: 'Ctrl',
  Command: 'Command',
  Control: 'Ctrl',
  Alt: 'Alt',
  AltGr: 'AltGr',
  Shift: 'Shift',
  Super: 'Super',
};

const modifierLabel = (modifier: string, mac: boolean): string =>
  (mac ? MAC_MODIFIERS : OTHER_MODIFIERS)[modifier] ?? modifier;

/** An accelerator as people read it; one Parley cannot read is shown as written. */
export function acceleratorLabel(accelerator: string, mac: boolean): string {
  let parsed;
  try {
    parsed = parseAccelerator(accelerator);
  } catch {
    return accelerator;
  }
  const key = parsed.key === 'Plus' ? '+' : parsed.key;
  const modifiers = parsed.modifiers.map((m) => modifierLabel(m, mac));
  return mac ? [...modifiers, key].join('') : [...modifiers, key].join('+');
}

/** Each shortcut's name in Settings. */
export const shortcutLabels: Record<ShortcutName, string> = {
  answer: 'Answer',
  decline: 'Decline or hang up',
  hangup: 'Hang up',
  mute: 'Mute or unmute',
};

/** What Settings says of a shortcut as it stands. */
export function statusWords(status: ShortcutStatus, keys: string): string {
  switch (status) {
    case 'on':
      return 'Works in any application.';
    case 'off':
      return 'Off.';
    case 'taken':
      return `Not working: another application has ${keys}. Choose other keys, or close that application and press Try again.`;
    case 'duplicate':
      return `Not working: another Parley shortcut has ${keys}. Choose other keys.`;
    case 'invalid':
      return `Not working: ${keys} cannot be a shortcut on this desktop. Choose other keys.`;
  }
}

/** What Settings says when a change was refused (nothing changed). */
export function refusalWords(
  refusal: Extract<ShortcutChange, { ok: false }>,
  keys: string,
  other: ShortcutName | null,
): string {
  switch (refusal.code) {
    case 'E_SHORTCUT_DUPLICATE':
      return other
        ? `${keys} is already the “${shortcutLabels[other]}” shortcut. Choose other keys.`
        : `${keys} is already another Parley shortcut. Choose other keys.`;
    case 'E_SHORTCUT_TAKEN':
      return `Another application already uses ${keys}. Choose other keys.`;
    case 'E_SHORTCUT_REFUSED':
      return `${keys} cannot be a shortcut on this desktop. Choose other keys.`;
    case 'E_SETTINGS_NOT_SAVED':
      return 'Parley could not save its settings file, so the shortcut is unchanged. Try again.';
  }
}
