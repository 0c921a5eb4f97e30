// The XDG autostart entry on a temporary home: where it goes (XDG_CONFIG_HOME or ~/.config), written,
// rewritten and removed; and its Exec line read back by GLib (`gio launch`, what GNOME starts autostart
// entries with), which runs the command with exactly the arguments given, however odd the path.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { autostartPath, execValue, removeAutostart, writeAutostart } from './autostart.js';

let home = '';
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'parley-home-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('autostartPath', () => {
  it('is ~/.config/autostart/parley.desktop without XDG_CONFIG_HOME, under it when set', () => {
    expect(autostartPath({ xdgConfigHome: undefined, home: '/home/a' })).toBe(
      '/home/a/.config/autostart/parley.desktop',
    );
    expect(autostartPath({ xdgConfigHome: '', home: '/home/a' })).toBe(
      '/home/a/.config/autostart/parley.desktop',
    );
    expect(autostartPath({ xdgConfigHome: '/xdg/conf', home: '/home/a' })).toBe(
      '/xdg/conf/autostart/parley.desktop',
    );
  });

  it('ignores a relative XDG_CONFIG_HOME, as the spec says', () => {
    expect(autostartPath({ xdgConfigHome: 'conf', home: '/home/a' })).toBe(
      '/home/a/.config/autostart/parley.desktop',
    );
  });
});

describe('writeAutostart and removeAutostart', () => {
  it('writes the entry (creating the folders), rewrites it for a moved app, and removes it', async () => {
    const place = { xdgConfigHome: join(home, 'xdg'), home };
    const file = join(home, 'xdg', 'autostart', 'parley.desktop');
    await writeAutostart(place, ['/opt/Parley/parley']);
    expect(await readFile(file, 'utf8')).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Version=1.0',
        'Name=Parley',
        'Comment=Answer calls from the tray',
        'Exec=/opt/Parley/parley',
        'Icon=parley',
        'Terminal=false',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
    expect((await stat(file)).mode & 0o777).toBe(0o644);

    await writeAutostart(place, ['/home/a/Apps/Parley-0.2.AppImage']);
    expect(await readFile(file, 'utf8')).toContain('\nExec=/home/a/Apps/Parley-0.2.AppImage\n');

    await removeAutostart(place);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    await removeAutostart(place); // none left: nothing to do
  });

  it('goes to ~/.config/autostart without XDG_CONFIG_HOME', async () => {
    await writeAutostart({ xdgConfigHome: undefined, home }, ['/usr/bin/parley']);
    expect(await readFile(join(home, '.config', 'autostart', 'parley.desktop'), 'utf8')).toContain(
      'Exec=/usr/bin/parley\n',
    );
  });

  it('refuses a path it cannot write into an Exec line, and writes nothing', async () => {
    const place = { xdgConfigHome: undefined, home };
    await expect(writeAutostart(place, ['/tmp/a\nb'])).rejects.toThrow(
      'cannot start at login from a path with control characters: "/tmp/a\\nb"',
    );
    await expect(stat(autostartPath(place))).rejects.toThrow(/ENOENT/);
    expect(() => execValue([])).toThrow('no command to start at login');
  });
});

describe('execValue', () => {
  it('quotes and escapes as the Desktop Entry spec says', () => {
    expect(execValue(['/opt/Parley/parley'])).toBe('/opt/Parley/parley');
    expect(execValue(['/home/a/My Apps/parley', '/x/app'])).toBe('"/home/a/My Apps/parley" /x/app');
    expect(execValue(['/a/$HOME/"q"/b`c`'])).toBe('"/a/\\\\$HOME/\\\\"q\\\\"/b\\\\`c\\\\`"');
    expect(execValue(['/a/back\\slash'])).toBe('"/a/back\\\\\\\\slash"');
    expect(execValue(['/a/100%/parley'])).toBe('/a/100%%/parley');
  });

  const gio = spawnSync('gio', ['help', 'launch'], { stdio: 'ignore' }).status === 0;
  if (!gio)
    console.warn('skipping the gio launch test: gio is not installed (apt-get install libglib2.0-bin)');

  it.skipIf(!gio)('GLib runs the entry with exactly the arguments given, however odd the path', async () => {
    const odd = join(home, `Apps "1" $HOME \\ (x) it's`);
    await mkdir(odd, { recursive: true });
    const out = join(home, 'argv.json');
    const program = join(odd, 'parley');
    await writeFile(
      program,
      `#!/usr/bin/env node\nrequire('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(1)));\n`,
    );
    await chmod(program, 0o755);
    const place = { xdgConfigHome: join(home, 'xdg'), home };
    await writeAutostart(place, [program, '--an arg', '', '100%']);

    const run = spawnSync('gio', ['launch', autostartPath(place)], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    await vi.waitFor(
      async () => expect(JSON.parse(await readFile(out, 'utf8'))).toEqual([program, '--an arg', '', '100%']),
      {
        timeout: 5000,
      },
    );
  });
});
