// The shortcuts as Settings changes them (main/shortcut-keeper.ts), on the real settings store in a
// temporary folder and a registry that behaves like Electron's globalShortcut (another application can
// hold keys; an accelerator it cannot convert throws): what works after each change, what the file says,
// and that a change that cannot work changes nothing.
import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PlatformAction } from '../shared/app-shell.js';
import { DEFAULT_SHORTCUTS } from '../shared/shortcuts.js';
import { SettingsStore, type SettingsFs } from './settings/store.js';
import { ShortcutKeeper } from './shortcut-keeper.js';
import type { ShortcutRegistry } from './shortcuts.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

/** Keys other applications hold; accelerators Electron cannot convert. */
function desktop(taken: string[] = [], unconvertible: string[] = []) {
  const registered = new Map<string, () => void>();
  const registry: ShortcutRegistry = {
    register: (accelerator, callback) => {
      if (unconvertible.includes(accelerator)) throw new Error(`conversion failure from ${accelerator}`);
      if (taken.includes(accelerator) || registered.has(accelerator)) return false;
      registered.set(accelerator, callback);
      return true;
    },
    unregisterAll: () => registered.clear(),
  };
  return { registry, registered, taken };
}

async function setup({
  file,
  taken = [],
  unconvertible = [],
  fs,
}: { file?: unknown; taken?: string[]; unconvertible?: string[]; fs?: SettingsFs } = {}) {
  dir = await mkdtemp(join(tmpdir(), 'parley-shortcuts-'));
  const path = join(dir, 'settings.json');
  if (file !== undefined) await writeFile(path, JSON.stringify(file));
  const settings = new SettingsStore(path, { logger: { warn: vi.fn() }, ...(fs ? { fs } : {}) });
  await settings.load();
  const os = desktop(taken, unconvertible);
  const actions: PlatformAction[] = [];
  const log = vi.fn<(message: string) => void>();
  const keeper = new ShortcutKeeper({
    registry: os.registry,
    settings,
    callState: () => ({ ringing: null, inCall: true }),
    dispatch: (action) => actions.push(action),
    log,
    platform: 'linux',
  });
  keeper.apply();
  const saved = async () =>
    (JSON.parse(await readFile(path, 'utf8').catch(() => '{}')) as { shortcuts?: unknown }).shortcuts;
  const press = (accelerator: string) => {
    const callback = os.registered.get(accelerator);
    if (!callback) throw new Error(`${accelerator} is not registered`);
    callback();
  };
  return { keeper, registered: () => [...os.registered.keys()], taken: os.taken, actions, log, saved, press };
}

const status = (keeper: ShortcutKeeper) =>
  Object.fromEntries(keeper.view().map((v) => [v.name, [v.accelerator, v.status]]));

describe('ShortcutKeeper', () => {
  it('at start: each shortcut with its default and whether it works; one another app holds says so', async () => {
    const s = await setup({ file: { shortcuts: { hangup: '' } }, taken: [DEFAULT_SHORTCUTS.mute] });
    expect(s.keeper.view()).toEqual([
      {
        name: 'answer',
        accelerator: DEFAULT_SHORTCUTS.answer,
        default: DEFAULT_SHORTCUTS.answer,
        status: 'on',
      },
      {
        name: 'decline',
        accelerator: DEFAULT_SHORTCUTS.decline,
        default: DEFAULT_SHORTCUTS.decline,
        status: 'on',
      },
      { name: 'hangup', accelerator: '', default: DEFAULT_SHORTCUTS.hangup, status: 'off' },
      {
        name: 'mute',
        accelerator: DEFAULT_SHORTCUTS.mute,
        default: DEFAULT_SHORTCUTS.mute,
        status: 'taken',
        problem: 'CommandOrControl+Shift+M is in use by another application',
      },
    ]);
    expect(s.registered()).toEqual([DEFAULT_SHORTCUTS.answer, DEFAULT_SHORTCUTS.decline]);
    expect(s.log).toHaveBeenCalledWith(
      'shortcut mute (CommandOrControl+Shift+M) not registered: CommandOrControl+Shift+M is in use by another application',
    );
  });

  it('a new combination: the old keys are let go, the new ones act, and the file keeps them', async () => {
    const s = await setup();
    const change = await s.keeper.change('mute', 'Alt+Super+M');
    expect(change).toEqual({ ok: true, shortcuts: s.keeper.view() });
    expect(status(s.keeper).mute).toEqual(['Alt+Super+M', 'on']);
    expect(s.registered()).not.toContain(DEFAULT_SHORTCUTS.mute);
    s.press('Alt+Super+M');
    expect(s.actions).toEqual([{ type: 'toggle-mute' }]);
    expect(await s.saved()).toEqual({ ...DEFAULT_SHORTCUTS, mute: 'Alt+Super+M' });
    expect(s.log).toHaveBeenCalledWith('shortcut mute set to Alt+Super+M');
  });

  it('off, then back to the default', async () => {
    const s = await setup();
    expect((await s.keeper.change('decline', '')).ok).toBe(true);
    expect(status(s.keeper).decline).toEqual(['', 'off']);
    expect(s.registered()).not.toContain(DEFAULT_SHORTCUTS.decline);
    expect(await s.saved()).toMatchObject({ decline: '' });
    expect(s.log).toHaveBeenCalledWith('shortcut decline set to off');

    expect((await s.keeper.change('decline', DEFAULT_SHORTCUTS.decline)).ok).toBe(true);
    expect(status(s.keeper).decline).toEqual([DEFAULT_SHORTCUTS.decline, 'on']);
    s.press(DEFAULT_SHORTCUTS.decline);
    expect(s.actions).toEqual([{ type: 'hangup' }]);
  });

  it("another Parley shortcut's keys, however spelled: refused, nothing changes", async () => {
    const s = await setup();
    const change = await s.keeper.change('answer', 'shift+ctrl+h');
    expect(change).toMatchObject({
      ok: false,
      code: 'E_SHORTCUT_DUPLICATE',
      message: 'shift+ctrl+h is already the hangup shortcut',
    });
    expect(change.shortcuts).toEqual(s.keeper.view());
    expect(status(s.keeper).answer).toEqual([DEFAULT_SHORTCUTS.answer, 'on']);
    expect(s.registered()).toEqual(Object.values(DEFAULT_SHORTCUTS));
    expect(await s.saved()).toBeUndefined();

    const same = await s.keeper.change('answer', 'CmdOrCtrl+Shift+H');
    expect(same).toMatchObject({ ok: false, code: 'E_SHORTCUT_DUPLICATE' });
    // Command is not Control on Linux: not the same keys.
    expect((await s.keeper.change('answer', 'Command+Shift+H')).ok).toBe(true);
  });

  it('keys another application holds: refused, the old shortcut still works, the file is unchanged', async () => {
    const s = await setup({ taken: ['Control+Alt+A'] });
    const change = await s.keeper.change('answer', 'Control+Alt+A');
    expect(change).toMatchObject({
      ok: false,
      code: 'E_SHORTCUT_TAKEN',
      message: 'Control+Alt+A is in use by another application',
    });
    expect(status(s.keeper)).toEqual({
      answer: [DEFAULT_SHORTCUTS.answer, 'on'],
      decline: [DEFAULT_SHORTCUTS.decline, 'on'],
      hangup: [DEFAULT_SHORTCUTS.hangup, 'on'],
      mute: [DEFAULT_SHORTCUTS.mute, 'on'],
    });
    expect(s.registered()).toEqual(Object.values(DEFAULT_SHORTCUTS));
    expect(await s.saved()).toBeUndefined();
    expect(s.log).toHaveBeenCalledWith(
      'shortcut answer not set to Control+Alt+A: Control+Alt+A is in use by another application',
    );
  });

  it('keys Electron cannot use: refused with its reason, nothing changes', async () => {
    const s = await setup({ unconvertible: ['AltGr+Q'] });
    const change = await s.keeper.change('mute', 'AltGr+Q');
    expect(change).toMatchObject({
      ok: false,
      code: 'E_SHORTCUT_REFUSED',
      message: 'AltGr+Q was refused: conversion failure from AltGr+Q',
    });
    expect(s.registered()).toEqual(Object.values(DEFAULT_SHORTCUTS));
    expect(await s.saved()).toBeUndefined();
  });

  it('a shortcut another application held at start works once set again after it let go', async () => {
    const s = await setup({ taken: [DEFAULT_SHORTCUTS.answer] });
    expect(status(s.keeper).answer).toEqual([DEFAULT_SHORTCUTS.answer, 'taken']);
    s.taken.length = 0;
    expect((await s.keeper.change('answer', DEFAULT_SHORTCUTS.answer)).ok).toBe(true);
    expect(status(s.keeper).answer).toEqual([DEFAULT_SHORTCUTS.answer, 'on']);
  });

  it('a settings file that cannot be written: refused, the old keys registered again', async () => {
    const failingOpen: SettingsFs = {
      ...nodeFs,
      open: () =>
        Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })),
    };
    const s = await setup({ fs: failingOpen });
    const change = await s.keeper.change('hangup', 'Control+Alt+H');
    expect(change).toMatchObject({ ok: false, code: 'E_SETTINGS_NOT_SAVED' });
    expect(change.ok || change.message).toMatch(/ENOSPC/);
    expect(status(s.keeper).hangup).toEqual([DEFAULT_SHORTCUTS.hangup, 'on']);
    expect(s.registered()).toEqual(Object.values(DEFAULT_SHORTCUTS));
  });

  it('two changes at once: both registered and saved, neither lost', async () => {
    const s = await setup();
    const [first, second] = await Promise.all([
      s.keeper.change('answer', 'Control+Alt+A'),
      s.keeper.change('mute', 'Control+Alt+M'),
    ]);
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(await s.saved()).toEqual({ ...DEFAULT_SHORTCUTS, answer: 'Control+Alt+A', mute: 'Control+Alt+M' });
    expect(s.registered()).toEqual([
      'Control+Alt+A',
      DEFAULT_SHORTCUTS.decline,
      DEFAULT_SHORTCUTS.hangup,
      'Control+Alt+M',
    ]);
  });
});
