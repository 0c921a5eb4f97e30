// The accelerator grammar shared by main and Settings: what is accepted and in which canonical spelling,
// what is refused and why, and the settings schema's rules (defaults, no two shortcuts the same).
import { describe, expect, it } from 'vitest';
import {
  AcceleratorError,
  acceleratorError,
  DEFAULT_SHORTCUTS,
  keysOn,
  parseAccelerator,
  shortcutWithKeys,
  Shortcuts,
} from './shortcuts.js';

describe('parseAccelerator', () => {
  it.each([
    ['CommandOrControl+Shift+A', 'CommandOrControl+Shift+A'],
    ['CmdOrCtrl+shift+a', 'CommandOrControl+Shift+A'],
    ['Shift+Ctrl+M', 'Control+Shift+M'],
    ['Alt+F4', 'Alt+F4'],
    ['Option+Space', 'Alt+Space'],
    ['Super+Plus', 'Super+Plus'],
    ['Meta+Enter', 'Super+Enter'],
    ['Control+Alt+num5', 'Control+Alt+num5'],
    ['Ctrl+/', 'Control+/'],
    ['Cmd+PageDown', 'Command+PageDown'],
    ['AltGr+Q', 'AltGr+Q'],
    ['F13', 'F13'],
    ['Shift+F24', 'Shift+F24'],
    ['MediaPlayPause', 'MediaPlayPause'],
    ['volumemute', 'VolumeMute'],
  ])('accepts %s (canonical %s)', (input, canonical) => {
    expect(parseAccelerator(input).canonical).toBe(canonical);
    expect(acceleratorError(input)).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['CommandOrControl+Shift+', /part is empty/],
    ['Ctrl++', /Plus/],
    ['Ctrl + A', /spaces/],
    ['Ctrl+Shift', /no key/],
    ['Banana+Q', /"Banana" is not a modifier/],
    ['Ctrl+A+B', /"A" is not a modifier/],
    ['Ctrl+Ctrl+A', /Control appears twice/],
    ['Ctrl+Cmd+Control+A', /Control appears twice/],
    ['Ctrl+Nope', /"Nope" is not a key name/],
    ['Ctrl+F25', /"F25" is not a key name/],
    ['Ctrl+é', /not a key name/],
    ['A', /needs Control, Command, Alt or Super/],
    ['Shift+A', /needs Control/],
    ['Space', /needs Control/],
    ['x'.repeat(101), /too long/],
  ])('rejects %j', (input, reason) => {
    expect(() => parseAccelerator(input)).toThrow(AcceleratorError);
    expect(() => parseAccelerator(input)).toThrow(reason);
    expect(acceleratorError(input)).toMatch(reason);
  });

  it('the error has a stable code and quotes the accelerator', () => {
    const err = (() => {
      try {
        parseAccelerator('Banana+Q');
      } catch (e) {
        return e as AcceleratorError;
      }
    })();
    expect(err?.code).toBe('E_BAD_ACCELERATOR');
    expect(err?.accelerator).toBe('Banana+Q');
    expect(err?.message).toMatch(/^"Banana\+Q" is not a valid shortcut: /);
  });
});

describe('Shortcuts (the settings section)', () => {
  it('fills in the defaults and keeps an empty string as "off"', () => {
    expect(Shortcuts.parse({ mute: '' })).toEqual({ ...DEFAULT_SHORTCUTS, mute: '' });
  });

  it('refuses two shortcuts with the same keys, however spelled, naming the later one', () => {
    const result = Shortcuts.safeParse({ answer: 'Ctrl+Alt+A', mute: 'alt+control+a' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['mute', 'same shortcut as answer'],
    ]);
  });

  it('refuses a bad accelerator with the reason', () => {
    const result = Shortcuts.safeParse({ hangup: 'Shift+H' });
    expect(result.error?.issues[0]?.message).toMatch(/needs Control, Command, Alt or Super/);
  });
});

describe('shortcutWithKeys', () => {
  it('finds the other shortcut with the same keys, never the one being changed, never one that is off', () => {
    const shortcuts = { ...DEFAULT_SHORTCUTS, mute: '' };
    expect(shortcutWithKeys(shortcuts, 'Shift+CmdOrCtrl+h', 'answer')).toBe('hangup');
    expect(shortcutWithKeys(shortcuts, 'CommandOrControl+Shift+H', 'hangup')).toBeNull();
    expect(shortcutWithKeys(shortcuts, 'Ctrl+Alt+M', 'answer')).toBeNull();
    expect(shortcutWithKeys(shortcuts, '', 'answer')).toBeNull();
    expect(shortcutWithKeys(shortcuts, 'not one', 'answer')).toBeNull();
  });

  it('on an OS, CommandOrControl is Control (Linux, Windows) or Command (macOS)', () => {
    const shortcuts = { ...DEFAULT_SHORTCUTS };
    expect(shortcutWithKeys(shortcuts, 'Ctrl+Shift+H', 'answer', 'linux')).toBe('hangup');
    expect(shortcutWithKeys(shortcuts, 'Ctrl+Shift+H', 'answer', 'win32')).toBe('hangup');
    expect(shortcutWithKeys(shortcuts, 'Ctrl+Shift+H', 'answer', 'darwin')).toBeNull();
    expect(shortcutWithKeys(shortcuts, 'Cmd+Shift+H', 'answer', 'darwin')).toBe('hangup');
    expect(shortcutWithKeys(shortcuts, 'Ctrl+Shift+H', 'answer')).toBeNull(); // the file may travel
    expect(keysOn('Shift+Control+CmdOrCtrl+x', 'linux')).toBe('Control+Shift+X');
  });
});
