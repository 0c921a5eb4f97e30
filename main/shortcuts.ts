/**
 * Global shortcuts (answer, decline, hang up, mute): accelerator validation, what each shortcut does in
 * the current call state, and registration through a narrow registry (Electron's `globalShortcut` fits
 * it). No Electron import: main/shell.ts passes `globalShortcut` in. The names, defaults and the
 * accelerator grammar are in shared/shortcuts.ts (Settings in the renderer checks keys with it too).
 *
 * Decisions:
 * - Shortcuts stay registered all the time; the handler reads the call state when the key is pressed and
 *   does nothing when the shortcut has no meaning then (mute with no call, answer with nothing ringing).
 * - `decline` declines a ringing call, or hangs up when there is none; `hangup` only hangs up.
 */
import type { PlatformAction, RingingCall } from '../shared/app-shell.js';
import { keysOn, SHORTCUT_NAMES, type ShortcutName, type ShortcutSettings } from '../shared/shortcuts.js';

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
  /** The OS (process.platform): on it, two shortcuts with the same keys are one too many (shared `keysOn`). */
  platform?: string,
): ShortcutFailure[] {
  registry.unregisterAll();
  const failures: ShortcutFailure[] = [];
  const taken = new Map<string, ShortcutName>();
  for (const { name, accelerator, handler } of shortcutBindings(shortcuts, getState, dispatch)) {
    const fail = (reason: ShortcutFailure['reason'], message: string) =>
      failures.push({ name, accelerator, reason, message });
    let keys: string;
    try {
      keys = keysOn(accelerator, platform);
    } catch (err) {
      fail('invalid', (err as Error).message);
      continue;
    }
    const owner = taken.get(keys);
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
    else taken.set(keys, name);
  }
  return failures;
}
