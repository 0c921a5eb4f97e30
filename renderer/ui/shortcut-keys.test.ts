// Recording a key press as an Electron accelerator (what main then registers), showing one as people
// read it, and the editor's words.
import { describe, expect, it } from 'vitest';
import { parseAccelerator } from '../../shared/shortcuts.js';
import { acceleratorLabel, recordKey, refusalWords, statusWords, type KeyPress } from './shortcut-keys.js';

const press = (code: string, mods: Partial<Omit<KeyPress, 'code'>> = {}): KeyPress => ({
  code,
  ctrlKey: false,
  altKey: false,
  shiftKey: false,
  metaKey: false,
  ...mods,
});

describe('recordKey', () => {
  it.each<[string, KeyPress, string]>([
    ['Ctrl+Shift+A', press('KeyA', { ctrlKey: true, shiftKey: true }), 'CommandOrControl+Shift+A'],
    ['Ctrl+Alt+7', press('Digit7', { ctrlKey: true, altKey: true }), 'CommandOrControl+Alt+7'],
    ['Super+F5', press('F5', { metaKey: true }), 'Super+F5'],
    ['F13 alone', press('F13'), 'F13'],
    ['Ctrl+Shift+/ (not ?)', press('Slash', { ctrlKey: true, shiftKey: true }), 'CommandOrControl+Shift+/'],
    ['Alt+Up', press('ArrowUp', { altKey: true }), 'Alt+Up'],
    ['Ctrl+keypad 5', press('Numpad5', { ctrlKey: true }), 'CommandOrControl+num5'],
    ['Ctrl+keypad +', press('NumpadAdd', { ctrlKey: true }), 'CommandOrControl+numadd'],
    ['Ctrl+Space', press('Space', { ctrlKey: true }), 'CommandOrControl+Space'],
    ['Ctrl+Escape', press('Escape', { ctrlKey: true }), 'CommandOrControl+Escape'],
    ['the mute key', press('AudioVolumeMute'), 'VolumeMute'],
    ['next track', press('MediaTrackNext'), 'MediaNextTrack'],
  ])('%s', (_label, key, accelerator) => {
    expect(recordKey(key, false)).toEqual({ kind: 'done', accelerator });
    expect(parseAccelerator(accelerator).canonical).toBeTruthy(); // main's grammar takes what is recorded
  });

  it('on a Mac, Command is CommandOrControl and Control is Control', () => {
    expect(recordKey(press('KeyM', { metaKey: true, shiftKey: true }), true)).toEqual({
      kind: 'done',
      accelerator: 'CommandOrControl+Shift+M',
    });
    expect(recordKey(press('KeyM', { ctrlKey: true, altKey: true }), true)).toEqual({
      kind: 'done',
      accelerator: 'Control+Alt+M',
    });
  });

  it('modifiers alone wait for a key, naming what is held', () => {
    expect(recordKey(press('ShiftLeft', { ctrlKey: true, shiftKey: true }), false)).toEqual({
      kind: 'pending',
      modifiers: ['Ctrl', 'Shift'],
    });
    expect(recordKey(press('MetaRight', { metaKey: true }), true)).toEqual({
      kind: 'pending',
      modifiers: ['⌘'],
    });
  });

  it('Escape alone cancels, Tab alone leaves, an unknown key says so', () => {
    expect(recordKey(press('Escape'), false)).toEqual({ kind: 'cancel' });
    expect(recordKey(press('Tab'), false)).toEqual({ kind: 'leave' });
    expect(recordKey(press('Tab', { ctrlKey: true }), false)).toEqual({
      kind: 'done',
      accelerator: 'CommandOrControl+Tab',
    });
    expect(recordKey(press('IntlRo', { ctrlKey: true }), false)).toEqual({
      kind: 'unknown-key',
      code: 'IntlRo',
    });
  });

  it('records Shift+A as pressed: the grammar, not the recorder, refuses it', () => {
    const recorded = recordKey(press('KeyA', { shiftKey: true }), false);
    expect(recorded).toEqual({ kind: 'done', accelerator: 'Shift+A' });
    expect(() => parseAccelerator('Shift+A')).toThrow(/needs Control/);
  });
});

describe('acceleratorLabel', () => {
  it.each([
    ['CommandOrControl+Shift+A', false, 'Ctrl+Shift+A'],
    ['CommandOrControl+Shift+A', true, '⌘⇧A'],
    ['Super+Plus', false, 'Super++'],
    ['shift+control+alt+m', false, 'Ctrl+Alt+Shift+M'],
    ['Banana', false, 'Banana'],
  ] as const)('%s (mac %s) reads %s', (accelerator, mac, label) => {
    expect(acceleratorLabel(accelerator, mac)).toBe(label);
  });
});

describe('words', () => {
  it('says why a shortcut does not work and what to do', () => {
    expect(statusWords('taken', 'Ctrl+Shift+M')).toBe(
      'Not working: another application has Ctrl+Shift+M. Choose other keys, or close that application and press Try again.',
    );
    expect(statusWords('off', '')).toBe('Off.');
  });

  it('says why a change was refused, naming the other shortcut', () => {
    const refusal = {
      ok: false as const,
      code: 'E_SHORTCUT_DUPLICATE' as const,
      message: '',
      shortcuts: [],
    };
    expect(refusalWords(refusal, 'Ctrl+Shift+H', 'hangup')).toBe(
      'Ctrl+Shift+H is already the “Hang up” shortcut. Choose other keys.',
    );
    expect(refusalWords({ ...refusal, code: 'E_SHORTCUT_TAKEN' }, 'Ctrl+Alt+P', null)).toBe(
      'Another application already uses Ctrl+Alt+P. Choose other keys.',
    );
  });
});
