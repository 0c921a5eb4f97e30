/**
 * Global shortcuts (answer, decline, hang up, mute): accelerator validation, what each shortcut does in
 * the current call state, and registration through a narrow registry (Electron's `globalShortcut` fits
 * it). No Electron import: main/shell.ts passes `globalShortcut` in.
 *
 * Decisions:
 * - Shortcuts stay registered all the time; the handler reads the call state when the key is pressed and
 *   does nothing when the shortcut has no meaning then (mute with no call, answer with nothing ringing).
 * - `decline` declines a ringing call, or hangs up when there is none; `hangup` only hangs up.
 * - A letter, digit, punctuation or editing key needs a modifier other than Shift: a bare or Shift-only
 *   global shortcut would swallow ordinary typing in every app. F1-F24 and media/volume keys may be bare.
 */
import type { PlatformAction, RingingCall } from '../shared/app-shell.js';

export const SHORTCUT_NAMES = ['answer', 'decline', 'hangup', 'mute'] as const;
export type ShortcutName = (typeof SHORTCUT_NAMES)[number];
/** Accelerator per shortcut; '' means the shortcut is off. */
export type ShortcutSettings = Record<ShortcutName, string>;

export interface ShortcutCallState {
  ringing: RingingCall | null;
  inCall: boolean;
}

/** The part of Electron's `globalShortcut` used here. */
export interface ShortcutRegistry {
  /** False when the accelerator is taken (by another app); may throw on an accelerator it can't parse. */
  register(accelerator: string, callback: () => void): boolean;
  unregisterAll(): void;
}

export interface ShortcutFailure {
  name: ShortcutName;
  accelerator: string;
  /** invalid: not an accelerator; duplicate: another Parley shortcut has it; taken: the OS refused it. */
  reason: 'invalid' | 'duplicate' | 'taken';
  message: string;
}

// ---- Accelerator grammar (Electron: https://www.electronjs.org/docs/latest/api/accelerator) ------------

/** Modifier spellings (lower case) to a canonical name; Electron accepts these case-insensitively. */
const MODIFIERS: Record<string, string> = {
  command: 'Command',
  cmd: 'Command',
  control: 'Control',
  ctrl: 'Control',
  commandorcontrol: 'CommandOrControl',
  cmdorctrl: 'CommandOrControl',
  alt: 'Alt',
  option: 'Alt',
  altgr: 'AltGr',
  shift: 'Shift',
  super: 'Super',
  meta: 'Super',
};

const NAMED_KEYS = [
  'Plus',
  'Space',
  'Tab',
  'Capslock',
  'Numlock',
  'Scrolllock',
  'Backspace',
  'Delete',
  'Insert',
  'Return',
  'Enter',
  'Up',
  'Down',
  'Left',
  'Right',
  'Home',
  'End',
  'PageUp',
  'PageDown',
  'Escape',
  'Esc',
  'PrintScreen',
  'num0',
  'num1',
  'num2',
  'num3',
  'num4',
  'num5',
  'num6',
  'num7',
  'num8',
  'num9',
  'numdec',
  'numadd',
  'numsub',
  'nummult',
  'numdiv',
];
/** Keys that may be a global shortcut on their own: they don't type anything. */
const BARE_KEYS = [
  'VolumeUp',
  'VolumeDown',
  'VolumeMute',
  'MediaNextTrack',
  'MediaPreviousTrack',
  'MediaStop',
  'MediaPlayPause',
];
const KEYS = new Map<string, string>([...NAMED_KEYS, ...BARE_KEYS].map((k) => [k.toLowerCase(), k]));
/** Single-character keys: letters, digits and the punctuation Electron names ('+' is spelled Plus). */
const CHAR_KEY = /^[a-z0-9)!@#$%^&*(:;=<,_\->.?/~`[{\]}|\\"']$/i;
const FUNCTION_KEY = /^f([1-9]|1\d|2[0-4])$/i;

export interface ParsedAccelerator {
  modifiers: string[];
  key: string;
  /** Canonical spelling: modifiers in a fixed order, then the key; equal for equivalent accelerators. */
  canonical: string;
}

export class AcceleratorError extends Error {
  readonly code = 'E_BAD_ACCELERATOR';
  constructor(
    readonly accelerator: string,
    reason: string,
  ) {
    super(`"${accelerator}" is not a valid shortcut: ${reason}`);
    this.name = 'AcceleratorError';
  }
}

const MODIFIER_ORDER = ['CommandOrControl', 'Command', 'Control', 'Alt', 'AltGr', 'Shift', 'Super'];

/** Parses an Electron accelerator such as `CommandOrControl+Shift+A`; throws AcceleratorError. */
export function parseAccelerator(accelerator: string): ParsedAccelerator {
  const fail = (reason: string): never => {
    throw new AcceleratorError(accelerator, reason);
  };
  if (accelerator.length === 0) fail('it is empty');
  if (accelerator.length > 100) fail('it is too long');
  if (/\s/.test(accelerator)) fail('it contains spaces (write Space for the space bar)');
  const parts = accelerator.split('+');
  if (parts.some((p) => p === '')) fail('a part is empty (write Plus for the + key)');
  const modifiers: string[] = [];
  for (const part of parts.slice(0, -1)) {
    const modifier = MODIFIERS[part.toLowerCase()];
    if (!modifier)
      fail(`"${part}" is not a modifier (Command, Control, CommandOrControl, Alt, Shift, Super)`);
    if (modifiers.includes(modifier!)) fail(`${modifier} appears twice`);
    modifiers.push(modifier!);
  }
  const last = parts[parts.length - 1]!;
  if (MODIFIERS[last.toLowerCase()]) fail('it has modifiers but no key');
  let key: string;
  if (CHAR_KEY.test(last)) key = last.toUpperCase();
  else if (FUNCTION_KEY.test(last)) key = last.toUpperCase();
  else key = KEYS.get(last.toLowerCase()) ?? fail(`"${last}" is not a key name`);
  const standsAlone = FUNCTION_KEY.test(key) || BARE_KEYS.includes(key);
  if (!standsAlone && !modifiers.some((m) => m !== 'Shift')) {
    fail('it needs Control, Command, Alt or Super, or it would take over ordinary typing');
  }
  modifiers.sort((a, b) => MODIFIER_ORDER.indexOf(a) - MODIFIER_ORDER.indexOf(b));
  return { modifiers, key, canonical: [...modifiers, key].join('+') };
}

/** Null when `accelerator` is valid, else the reason in words. */
export function acceleratorError(accelerator: string): string | null {
  try {
    parseAccelerator(accelerator);
    return null;
  } catch (err) {
    return err instanceof AcceleratorError ? err.message : String(err);
  }
}

// ---- What a shortcut does ------------------------------------------------------------------------------

/** The action for a shortcut in the given call state, or null when it means nothing now. */
export function shortcutAction(name: ShortcutName, state: ShortcutCallState): PlatformAction | null {
  switch (name) {
    case 'answer':
      return state.ringing ? { type: 'accept', callId: state.ringing.callId, media: 'audio' } : null;
    case 'decline':
      if (state.ringing) return { type: 'decline', callId: state.ringing.callId };
      return state.inCall ? { type: 'hangup' } : null;
    case 'hangup':
      return state.inCall ? { type: 'hangup' } : null;
    case 'mute':
      return state.inCall ? { type: 'toggle-mute' } : null;
  }
}

export interface ShortcutBinding {
  name: ShortcutName;
  accelerator: string;
  /** Reads the state when pressed, so a binding never acts on a stale call. */
  handler: () => void;
}

/** One binding per shortcut that is switched on (non-empty accelerator), in SHORTCUT_NAMES order. */
export function shortcutBindings(
  shortcuts: ShortcutSettings,
  getState: () => ShortcutCallState,
  dispatch: (action: PlatformAction) => void,
): ShortcutBinding[] {
  return SHORTCUT_NAMES.filter((name) => shortcuts[name] !== '').map((name) => ({
    name,
    accelerator: shortcuts[name],
    handler: () => {
      const action = shortcutAction(name, getState());
      if (action) dispatch(action);
    },
  }));
}

/**
 * Replaces every registered shortcut with `shortcuts` (call again after the settings change). Returns the
 * shortcuts that could not be registered, so the settings UI can say which and why; the rest still work.
 */
export function registerShortcuts(
  registry: ShortcutRegistry,
  shortcuts: ShortcutSettings,
  getState: () => ShortcutCallState,
  dispatch: (action: PlatformAction) => void,
): ShortcutFailure[] {
  registry.unregisterAll();
  const failures: ShortcutFailure[] = [];
  const taken = new Map<string, ShortcutName>();
  for (const { name, accelerator, handler } of shortcutBindings(shortcuts, getState, dispatch)) {
    const fail = (reason: ShortcutFailure['reason'], message: string) =>
      failures.push({ name, accelerator, reason, message });
    let canonical: string;
    try {
      canonical = parseAccelerator(accelerator).canonical;
    } catch (err) {
      fail('invalid', (err as Error).message);
      continue;
    }
    const owner = taken.get(canonical);
    if (owner) {
      fail('duplicate', `${accelerator} is already the ${owner} shortcut`);
      continue;
    }
    let ok: boolean;
    try {
      ok = registry.register(accelerator, handler);
    } catch (err) {
      fail('invalid', `${accelerator} was refused: ${(err as Error).message}`);
      continue;
    }
    if (!ok) fail('taken', `${accelerator} is in use by another application`);
    else taken.set(canonical, name);
  }
  return failures;
}
