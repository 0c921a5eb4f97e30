// SettingsStore against a real temp dir: defaults, corrupt and partial files, validation, atomic writes,
// serialised updates, and a write that dies before the rename.
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultSettings, Settings, SettingsError, type SettingsFs, SettingsStore } from './store.js';

let dir: string;
let file: string;
const warn = vi.fn();
const logger = { warn };
const now = () => new Date('2025-01-02T03:04:05.678Z');

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'parley-settings-'));
  file = join(dir, 'settings.json');
  warn.mockReset();
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const store = (options: { fs?: SettingsFs } = {}) => new SettingsStore(file, { logger, now, ...options });
const readJson = async () => JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
const listDir = () => fs.readdir(dir).then((names) => names.sort());

describe('defaults', () => {
  it('are what the issue asks for', () => {
    expect(defaultSettings()).toEqual({
      devices: { ringVolume: 0.8, relayOnly: false },
      startAtLogin: false,
      telLinks: false,
      closeToTrayHintShown: false,
      noTrayHintShown: false,
      shortcuts: {
        answer: 'CommandOrControl+Shift+A',
        decline: 'CommandOrControl+Shift+D',
        hangup: 'CommandOrControl+Shift+H',
        mute: 'CommandOrControl+Shift+M',
      },
      followDesktopDnd: false,
    });
  });

  it('current() is the defaults before load, and a copy', () => {
    const s = store();
    const a = s.current();
    a.devices.microphoneId = 'changed';
    expect(s.current()).toEqual(defaultSettings());
  });
});

describe('load', () => {
  it('a missing file gives defaults, no warning and no file written', async () => {
    await expect(store().load()).resolves.toEqual(defaultSettings());
    expect(warn).not.toHaveBeenCalled();
    expect(await listDir()).toEqual([]);
  });

  it('a missing user data folder gives defaults, and the first update creates it', async () => {
    file = join(dir, 'nested', 'deeper', 'settings.json');
    const s = store();
    expect(await s.load()).toEqual(defaultSettings());
    await s.update({ startAtLogin: true });
    expect(await readJson()).toMatchObject({ startAtLogin: true });
  });

  it('reads a valid file', async () => {
    const saved = {
      ...defaultSettings(),
      startAtLogin: true,
      devices: { microphoneId: 'mic-1', ringVolume: 0.3 },
    };
    await fs.writeFile(file, JSON.stringify(saved));
    const loaded = await store().load();
    expect(loaded.startAtLogin).toBe(true);
    expect(loaded.devices).toEqual({ microphoneId: 'mic-1', ringVolume: 0.3, relayOnly: false });
  });

  it('unparsable JSON: defaults, the file kept aside with a timestamp, a warning', async () => {
    await fs.writeFile(file, '{"startAtLogin": tru');
    await expect(store().load()).resolves.toEqual(defaultSettings());
    expect(await listDir()).toEqual(['settings.json.corrupt-2025-01-02T03-04-05-678Z']);
    expect(await fs.readFile(join(dir, 'settings.json.corrupt-2025-01-02T03-04-05-678Z'), 'utf8')).toBe(
      '{"startAtLogin": tru',
    );
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![1]).toMatchObject({ reason: expect.stringContaining('not JSON') });
  });

  it('an empty file (a crash before any write reached the disk) is treated as corrupt', async () => {
    await fs.writeFile(file, '');
    await expect(store().load()).resolves.toEqual(defaultSettings());
    expect(await listDir()).toEqual(['settings.json.corrupt-2025-01-02T03-04-05-678Z']);
  });

  it.each([['null'], ['[]'], ['42'], ['"text"']])(
    'JSON that is not an object (%s) gives defaults',
    async (text) => {
      await fs.writeFile(file, text);
      await expect(store().load()).resolves.toEqual(defaultSettings());
      expect(warn).toHaveBeenCalledTimes(1);
    },
  );

  it('schema failure: invalid sections get defaults, valid ones are kept, the file is kept aside', async () => {
    await fs.writeFile(
      file,
      JSON.stringify({
        devices: { microphoneId: 'mic-1', cameraId: 'cam-2' },
        startAtLogin: 'yes',
        shortcuts: { answer: 'Banana+Q' },
      }),
    );
    const loaded = await store().load();
    expect(loaded.devices).toEqual({
      microphoneId: 'mic-1',
      cameraId: 'cam-2',
      ringVolume: 0.8,
      relayOnly: false,
    });
    expect(loaded.startAtLogin).toBe(false);
    expect(loaded.shortcuts).toEqual(defaultSettings().shortcuts);
    expect(await listDir()).toEqual(['settings.json.corrupt-2025-01-02T03-04-05-678Z']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![1]).toMatchObject({ reason: expect.stringContaining('startAtLogin') });
  });

  it('a partial or old file gets defaults merged in and unknown keys dropped, without a warning', async () => {
    await fs.writeFile(
      file,
      JSON.stringify({ devices: { speakerId: 'spk' }, shortcuts: { mute: '' }, legacyTheme: 'dark' }),
    );
    const loaded = await store().load();
    expect(loaded).toEqual({
      ...defaultSettings(),
      devices: { speakerId: 'spk', ringVolume: 0.8, relayOnly: false },
      shortcuts: { ...defaultSettings().shortcuts, mute: '' },
    });
    expect(loaded).not.toHaveProperty('legacyTheme');
    expect(warn).not.toHaveBeenCalled();
    expect(await listDir()).toEqual(['settings.json']);
  });

  it('a read error other than "missing" gives defaults and a warning, the file is left alone', async () => {
    await fs.mkdir(file); // reading a directory fails with EISDIR
    await expect(store().load()).resolves.toEqual(defaultSettings());
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('cannot read'), expect.anything());
    expect((await fs.stat(file)).isDirectory()).toBe(true);
  });

  it('removes temp files left by an earlier crash, and only those', async () => {
    await fs.writeFile(file, JSON.stringify({ startAtLogin: true }));
    await fs.writeFile(join(dir, 'settings.json.tmp-abc123'), '{"half');
    await fs.writeFile(join(dir, 'other.json.tmp-abc123'), 'not ours');
    expect((await store().load()).startAtLogin).toBe(true);
    expect(await listDir()).toEqual(['other.json.tmp-abc123', 'settings.json']);
  });
});

describe('update', () => {
  it('deep-merges a patch, writes pretty JSON and returns the new settings', async () => {
    const s = store();
    await s.load();
    const next = await s.update({ devices: { microphoneId: 'mic-9' }, startAtLogin: true });
    expect(next.devices).toEqual({ microphoneId: 'mic-9', ringVolume: 0.8, relayOnly: false });
    expect(next.startAtLogin).toBe(true);
    expect(s.current()).toEqual(next);
    expect(await readJson()).toEqual(next);
    expect(await fs.readFile(file, 'utf8')).toMatch(/^\{\n {2}"devices"/);
    expect(await listDir()).toEqual(['settings.json']); // no temp file left behind
  });

  it('loads first when update comes before load', async () => {
    await fs.writeFile(file, JSON.stringify({ devices: { cameraId: 'cam' } }));
    const next = await store().update({ telLinks: true });
    expect(next.devices.cameraId).toBe('cam');
    expect(next.telLinks).toBe(true);
  });

  it('an explicit undefined in a patch removes the key (back to the system default device)', async () => {
    const s = store();
    await s.update({ devices: { microphoneId: 'mic', speakerId: 'spk' } });
    const next = await s.update({ devices: { microphoneId: undefined } });
    expect(next.devices).toEqual({ speakerId: 'spk', ringVolume: 0.8, relayOnly: false });
    expect(await readJson()).toEqual(next);
  });

  it('an updater function replaces the whole settings', async () => {
    const s = store();
    await s.update({ devices: { microphoneId: 'mic', speakerId: 'spk' }, startAtLogin: true });
    const next = await s.update((current) => ({ ...current, devices: { cameraId: 'cam' } }));
    expect(next.devices).toEqual({ cameraId: 'cam', ringVolume: 0.8, relayOnly: false });
    expect(next.startAtLogin).toBe(true);
  });

  it.each([
    ['a wrong type', { startAtLogin: 'yes' }],
    ['an out-of-range volume', { devices: { ringVolume: 2 } }],
    ['a garbage shortcut', { shortcuts: { answer: 'Banana+Q' } }],
    ['a shortcut without a modifier', { shortcuts: { mute: 'M' } }],
    ['two actions on one shortcut', { shortcuts: { mute: 'Ctrl+Shift+A', answer: 'Control+Shift+a' } }],
    ['an over-long device id', { devices: { cameraId: 'x'.repeat(513) } }],
  ])('rejects %s with SettingsError and leaves file and memory unchanged', async (_what, patch) => {
    const s = store();
    await s.update({ startAtLogin: true });
    const before = await fs.readFile(file, 'utf8');
    const err = await s.update(patch as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as SettingsError).code).toBe('E_SETTINGS_INVALID');
    expect((err as SettingsError).issues.length).toBeGreaterThan(0);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect(s.current().startAtLogin).toBe(true);
    expect(await listDir()).toEqual(['settings.json']);
  });

  it('the error names the field and says why', async () => {
    await expect(store().update({ shortcuts: { answer: 'Ctrl+Shift+Nope' } })).rejects.toThrow(
      /shortcuts\.answer: .*"Nope" is not a key name/,
    );
  });

  it('an empty accelerator switches a shortcut off', async () => {
    const next = await store().update({ shortcuts: { answer: '' } });
    expect(next.shortcuts.answer).toBe('');
  });

  it('ignores prototype-polluting keys in a patch', async () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}, "devices": {"constructor": 1}}') as never;
    const next = await store().update(patch);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(next).toEqual(defaultSettings());
  });

  it('does not write when nothing changes', async () => {
    const s = store();
    await s.update({ startAtLogin: true });
    const { mtimeMs } = await fs.stat(file);
    await new Promise((r) => setTimeout(r, 15));
    await s.update({ startAtLogin: true });
    expect((await fs.stat(file)).mtimeMs).toBe(mtimeMs);
  });

  it('concurrent updates are serialised and all persist', async () => {
    const s = store();
    await s.load();
    const results = await Promise.all([
      s.update({ devices: { microphoneId: 'mic' } }),
      s.update({ devices: { cameraId: 'cam' } }),
      s.update((cur) => ({ ...cur, startAtLogin: !cur.startAtLogin })),
      s.update({ closeToTrayHintShown: true }),
    ]);
    const expected = {
      ...defaultSettings(),
      devices: { microphoneId: 'mic', cameraId: 'cam', ringVolume: 0.8, relayOnly: false },
      startAtLogin: true,
      closeToTrayHintShown: true,
    };
    expect(results[3]).toEqual(expected);
    expect(await readJson()).toEqual(expected);
    expect(await new SettingsStore(file, { logger }).load()).toEqual(expected);
  });

  it('a rejected update does not block the ones queued after it', async () => {
    const s = store();
    const [bad, good] = await Promise.allSettled([
      s.update({ startAtLogin: 'nope' as never }),
      s.update({ telLinks: true }),
    ]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    expect(await readJson()).toMatchObject({ telLinks: true, startAtLogin: false });
  });

  it('a write that dies before the rename leaves the old file intact and cleans up the temp file', async () => {
    const good = store();
    await good.update({ devices: { microphoneId: 'old-mic' } });
    const before = await fs.readFile(file, 'utf8');

    const crash = Object.assign(new Error('disk gone'), { code: 'EIO' });
    const rename = vi.fn(async () => {
      throw crash;
    });
    const broken = store({ fs: { ...fs, rename } as SettingsFs });
    await broken.load();
    await expect(broken.update({ devices: { microphoneId: 'new-mic' } })).rejects.toBe(crash);
    expect(rename).toHaveBeenCalledTimes(1); // EIO is not worth retrying
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect(broken.current().devices.microphoneId).toBe('old-mic');
    expect(await listDir()).toEqual(['settings.json']);
  });

  it('writes the temp file beside the target, fsyncs it, then renames it over', async () => {
    const calls: string[] = [];
    const spyFs: SettingsFs = {
      ...fs,
      open: async (path, flags) => {
        calls.push(`open ${path.slice(dir.length + 1)}`);
        const handle = await fs.open(path, flags);
        return {
          writeFile: async (data) => {
            calls.push('write');
            await handle.writeFile(data);
          },
          sync: async () => {
            calls.push('sync');
            await handle.sync();
          },
          close: async () => {
            calls.push('close');
            await handle.close();
          },
        };
      },
      rename: async (from, to) => {
        calls.push(`rename ${from.slice(dir.length + 1)} -> ${to.slice(dir.length + 1)}`);
        await fs.rename(from, to);
      },
    };
    await store({ fs: spyFs }).update({ telLinks: true });
    expect(calls).toEqual([
      expect.stringMatching(/^open settings\.json\.tmp-[0-9a-f]{12}$/),
      'write',
      'sync',
      'close',
      expect.stringMatching(/^rename settings\.json\.tmp-[0-9a-f]{12} -> settings\.json$/),
    ]);
  });

  it('retries a rename the OS refuses for a moment (Windows: file in use)', async () => {
    let refusals = 1;
    const rename = vi.fn(async (from: string, to: string) => {
      if (refusals-- > 0) throw Object.assign(new Error('busy'), { code: 'EPERM' });
      await fs.rename(from, to);
    });
    const next = await store({ fs: { ...fs, rename } as SettingsFs }).update({ telLinks: true });
    expect(rename).toHaveBeenCalledTimes(2);
    expect(await readJson()).toEqual(next);
  });

  it('a failed sync also leaves the old file and no temp file', async () => {
    const s = store();
    await s.update({ telLinks: true });
    const before = await fs.readFile(file, 'utf8');
    const failingFs: SettingsFs = {
      ...fs,
      open: async (path, flags) => {
        const handle = await fs.open(path, flags);
        return {
          writeFile: (data) => handle.writeFile(data),
          sync: async () => {
            throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
          },
          close: () => handle.close(),
        };
      },
    };
    await expect(store({ fs: failingFs }).update({ telLinks: false })).rejects.toThrow('no space');
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect(await listDir()).toEqual(['settings.json']);
  });
});

describe('schema', () => {
  it('Settings.parse of the written file round-trips', async () => {
    const next = await store().update({ devices: { ringDeviceId: 'ring', relayOnly: true } });
    expect(Settings.parse(await readJson())).toEqual(next);
  });
});
