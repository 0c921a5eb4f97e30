// Global shortcuts: what each shortcut does per call state, and registration
// through a fake registry (taken, invalid and duplicate accelerators).
import { describe, expect, it, vi } from 'vitest';
import type { PlatformAction, RingingCall } from '../shared/app-shell.js';
import {
  registerShortcuts,
  shortcutAction,
  shortcutBindings,
  type ShortcutCallState,
  type ShortcutRegistry,
} from './shortcuts.js';
import type { ShortcutSettings } from '../shared/shortcuts.js';

const call: RingingCall = {
  callId: 'c1',
  caller: { username: 'alice', displayName: 'Alice' },
  media: 'video',
};
const idle: ShortcutCallState = { ringing: null, inCall: false };
const ringing: ShortcutCallState = { ringing: call, inCall: false };
const inCall: ShortcutCallState = { ringing: null, inCall: true };
const both: ShortcutCallState = { ringing: call, inCall: true };

const defaults: ShortcutSettings = {
  answer: 'CommandOrControl+Shift+A',
  decline: 'CommandOrControl+Shift+D',
  hangup: 'CommandOrControl+Shift+H',
  mute: 'CommandOrControl+Shift+M',
};

describe('shortcutAction', () => {
  it.each<[string, ShortcutCallState, PlatformAction | null]>([
    ['answer/idle', idle, null],
    ['answer/ringing', ringing, { type: 'accept', callId: 'c1', media: 'audio' }],
    ['answer/inCall', inCall, null],
    ['answer/both', both, { type: 'accept', callId: 'c1', media: 'audio' }],
    ['decline/idle', idle, null],
    ['decline/ringing', ringing, { type: 'decline', callId: 'c1' }],
    ['decline/inCall', inCall, { type: 'hangup' }],
    ['decline/both', both, { type: 'decline', callId: 'c1' }],
    ['hangup/idle', idle, null],
    ['hangup/ringing', ringing, null],
    ['hangup/inCall', inCall, { type: 'hangup' }],
    ['hangup/both', both, { type: 'hangup' }],
    ['mute/idle', idle, null],
    ['mute/ringing', ringing, null],
    ['mute/inCall', inCall, { type: 'toggle-mute' }],
    ['mute/both', both, { type: 'toggle-mute' }],
  ])('%s', (label, state, expected) => {
    const name = label.split('/')[0] as 'answer' | 'decline' | 'hangup' | 'mute';
    expect(shortcutAction(name, state)).toEqual(expected);
  });

  it('answers audio even when the caller offers video (camera stays off until chosen)', () => {
    expect(shortcutAction('answer', ringing)).toMatchObject({ media: 'audio' });
  });
});

describe('shortcutBindings', () => {
  it('skips shortcuts that are off and keeps the order answer, decline, hangup, mute', () => {
    const bindings = shortcutBindings({ ...defaults, decline: '' }, () => idle, vi.fn());
    expect(bindings.map((b) => [b.name, b.accelerator])).toEqual([
      ['answer', 'CommandOrControl+Shift+A'],
      ['hangup', 'CommandOrControl+Shift+H'],
      ['mute', 'CommandOrControl+Shift+M'],
    ]);
  });

  it('reads the state at press time and dispatches only meaningful actions', () => {
    let state = idle;
    const dispatch = vi.fn();
    const [answer] = shortcutBindings(defaults, () => state, dispatch);
    answer!.handler();
    expect(dispatch).not.toHaveBeenCalled();
    state = ringing;
    answer!.handler();
    expect(dispatch).toHaveBeenCalledExactlyOnceWith({ type: 'accept', callId: 'c1', media: 'audio' });
  });
});

function fakeRegistry(taken: string[] = [], throwsOn: string[] = []) {
  const registered = new Map<string, () => void>();
  const registry: ShortcutRegistry = {
    register: vi.fn((accelerator: string, cb: () => void) => {
      if (throwsOn.includes(accelerator)) throw new Error('conversion failure');
      if (taken.includes(accelerator) || registered.has(accelerator)) return false;
      registered.set(accelerator, cb);
      return true;
    }),
    unregisterAll: vi.fn(() => registered.clear()),
  };
  return { registry, registered };
}

describe('registerShortcuts', () => {
  it('registers every shortcut that is on and reports no failures', () => {
    const { registry, registered } = fakeRegistry();
    expect(registerShortcuts(registry, defaults, () => idle, vi.fn())).toEqual([]);
    expect([...registered.keys()]).toEqual(Object.values(defaults));
  });

  it('pressing a registered shortcut dispatches the action for the current state', () => {
    const { registry, registered } = fakeRegistry();
    const dispatch = vi.fn();
    let state = inCall;
    registerShortcuts(registry, defaults, () => state, dispatch);
    registered.get(defaults.mute)!();
    registered.get(defaults.decline)!();
    state = idle;
    registered.get(defaults.hangup)!();
    expect(dispatch.mock.calls).toEqual([[{ type: 'toggle-mute' }], [{ type: 'hangup' }]]);
  });

  it('reports shortcuts taken by another app; the others still work', () => {
    const { registry, registered } = fakeRegistry([defaults.answer]);
    const failures = registerShortcuts(registry, defaults, () => idle, vi.fn());
    expect(failures).toEqual([
      {
        name: 'answer',
        accelerator: defaults.answer,
        reason: 'taken',
        message: 'CommandOrControl+Shift+A is in use by another application',
      },
    ]);
    expect(registered.size).toBe(3);
  });

  it('reports invalid accelerators without passing them to the registry', () => {
    const { registry } = fakeRegistry();
    const failures = registerShortcuts(registry, { ...defaults, mute: 'Banana+M' }, () => idle, vi.fn());
    expect(failures).toEqual([
      expect.objectContaining({
        name: 'mute',
        reason: 'invalid',
        message: expect.stringContaining('Banana'),
      }),
    ]);
    expect(registry.register).not.toHaveBeenCalledWith('Banana+M', expect.anything());
  });

  it('reports an accelerator the registry throws on as invalid', () => {
    const { registry } = fakeRegistry([], [defaults.hangup]);
    const failures = registerShortcuts(registry, defaults, () => idle, vi.fn());
    expect(failures).toEqual([expect.objectContaining({ name: 'hangup', reason: 'invalid' })]);
  });

  it('reports the second of two shortcuts with the same keys as a duplicate', () => {
    const { registry } = fakeRegistry();
    const failures = registerShortcuts(
      registry,
      { ...defaults, mute: 'shift+cmdorctrl+a' },
      () => idle,
      vi.fn(),
    );
    expect(failures).toEqual([
      {
        name: 'mute',
        accelerator: 'shift+cmdorctrl+a',
        reason: 'duplicate',
        message: 'shift+cmdorctrl+a is already the answer shortcut',
      },
    ]);
  });

  it('unregisters the previous set first, so re-registering after a settings change replaces it', () => {
    const { registry, registered } = fakeRegistry();
    registerShortcuts(registry, defaults, () => idle, vi.fn());
    const failures = registerShortcuts(
      registry,
      { answer: 'Alt+F1', decline: '', hangup: '', mute: '' },
      () => idle,
      vi.fn(),
    );
    expect(failures).toEqual([]);
    expect(registry.unregisterAll).toHaveBeenCalledTimes(2);
    expect([...registered.keys()]).toEqual(['Alt+F1']);
  });

  it('all shortcuts off registers nothing', () => {
    const { registry } = fakeRegistry();
    expect(
      registerShortcuts(registry, { answer: '', decline: '', hangup: '', mute: '' }, () => idle, vi.fn()),
    ).toEqual([]);
    expect(registry.register).not.toHaveBeenCalled();
  });
});
