/**
 * Global shortcuts as the call app and the desktop shell both speak of them: their names and defaults,
 * the accelerator grammar (Electron's, checked strictly so a bad one is refused with a reason before
 * Electron sees it), the zod schemas main validates settings and IPC with, and what Settings is told of
 * each shortcut. No Electron, DOM or Node imports: main/ and the renderer's Settings import this.
 *
 * Decisions:
 * - A letter, digit, punctuation or editing key needs a modifier other than Shift: a bare or Shift-only
 *   global shortcut would swallow ordinary typing in every app. F1-F24 and media/volume keys may be bare.
 * - Two shortcuts are the same when they name the same keys on this OS (`keysOn`): `Ctrl+Shift+A` is
 *   `Shift+Control+a` everywhere, and `CommandOrControl+Shift+A` too except on macOS, where it is Command.
 */
import { z } from 'zod';

export const SHORTCUT_NAMES = ['answer', 'decline', 'hangup', 'mute'] as const;
export const ShortcutName = z.enum(SHORTCUT_NAMES);
export type ShortcutName = z.infer<typeof ShortcutName>;
/** Accelerator per shortcut; '' means the shortcut is off. */
export type ShortcutSettings = Record<ShortcutName, string>;

export const DEFAULT_SHORTCUTS: Readonly<ShortcutSettings> = Object.freeze({
  answer: 'CommandOrControl+Shift+A',
  decline: 'CommandOrControl+Shift+D',
  hangup: 'CommandOrControl+Shift+H',
  mute: 'CommandOrControl+Shift+M',
});

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
    /** Why, in words, without the accelerator (for a UI that shows the keys its own way). */
    readonly reason: string,
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

/** An accelerator, or '' for a shortcut that is off; a bad one fails with the grammar's reason. */
export const Accelerator = z
  .string()
  .max(100)
  .superRefine((s, ctx) => {
    const error = s === '' ? null : acceleratorError(s);
    if (error) ctx.addIssue({ code: 'custom', message: error });
  });

/**
 * The keys a valid accelerator names on `platform` (a Node platform name), in one spelling:
 * CommandOrControl is Command on macOS and Control elsewhere. Without a platform, the canonical spelling.
 */
export function keysOn(accelerator: string, platform?: string): string {
  const { modifiers, key } = parseAccelerator(accelerator);
  if (platform === undefined) return [...modifiers, key].join('+');
  const resolved = modifiers.map((m) =>
    m === 'CommandOrControl' ? (platform === 'darwin' ? 'Command' : 'Control') : m,
  );
  return [...new Set(resolved)]
    .sort((a, b) => MODIFIER_ORDER.indexOf(a) - MODIFIER_ORDER.indexOf(b))
    .concat(key)
    .join('+');
}

/**
 * The shortcut that already has `accelerator`'s keys among `shortcuts`, other than `name` itself; on
 * `platform` when given (main knows it), else by canonical spelling (the settings file may travel).
 */
export function shortcutWithKeys(
  shortcuts: ShortcutSettings,
  accelerator: string,
  name?: ShortcutName,
  platform?: string,
): ShortcutName | null {
  if (accelerator === '' || acceleratorError(accelerator)) return null;
  const keys = keysOn(accelerator, platform);
  for (const other of SHORTCUT_NAMES) {
    if (other === name || shortcuts[other] === '' || acceleratorError(shortcuts[other])) continue;
    if (keysOn(shortcuts[other], platform) === keys) return other;
  }
  return null;
}

/** The settings file's `shortcuts`: each a valid accelerator or '', no two the same, defaults for missing ones. */
export const Shortcuts = z
  .object({
    answer: Accelerator.default(DEFAULT_SHORTCUTS.answer),
    decline: Accelerator.default(DEFAULT_SHORTCUTS.decline),
    hangup: Accelerator.default(DEFAULT_SHORTCUTS.hangup),
    mute: Accelerator.default(DEFAULT_SHORTCUTS.mute),
  })
  .superRefine((shortcuts, ctx) => {
    for (const [i, name] of SHORTCUT_NAMES.entries()) {
      // Said once, of the later of the two.
      const other = shortcutWithKeys(shortcuts, shortcuts[name], name);
      if (other && SHORTCUT_NAMES.indexOf(other) < i)
        ctx.addIssue({ code: 'custom', path: [name], message: `same shortcut as ${other}` });
    }
  });

// ---- What Settings is told ---------------------------------------------------------------------------

/**
 * Where a shortcut stands: `on` (registered), `off` (no accelerator), or why it does not work:
 * `taken` (another application holds the keys: the desktop refused them), `invalid` (Electron could not
 * use it), `duplicate` (another Parley shortcut has the same keys).
 */
export const ShortcutStatus = z.enum(['on', 'off', 'taken', 'invalid', 'duplicate']);
export type ShortcutStatus = z.infer<typeof ShortcutStatus>;

export interface ShortcutView {
  name: ShortcutName;
  accelerator: string;
  default: string;
  status: ShortcutStatus;
  /** Why it does not work, in words (for taken, invalid and duplicate). */
  problem?: string;
}

/** A change the person asked for, and what came of it: the shortcuts as they now stand either way. */
export type ShortcutChange =
  | { ok: true; shortcuts: ShortcutView[] }
  | {
      ok: false;
      /** Nothing changed: the keys are another Parley shortcut's, held by another app, or not saved. */
      code: 'E_SHORTCUT_DUPLICATE' | 'E_SHORTCUT_TAKEN' | 'E_SHORTCUT_REFUSED' | 'E_SETTINGS_NOT_SAVED';
      message: string;
      shortcuts: ShortcutView[];
    };
