/**
 * "Start at login" on Linux: an XDG autostart entry (`$XDG_CONFIG_HOME/autostart/parley.desktop`,
 * `~/.config/autostart` by default), which every desktop that follows the XDG Autostart spec starts at
 * login. Electron's `setLoginItemSettings` does nothing on Linux. Plain Node, tested on a temporary home.
 *
 * The file is Parley's own: written (atomically) when the setting is on and again at every start, so it
 * follows an app that moved or was updated (an AppImage's new path); removed when the setting is off.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

export const AUTOSTART_FILE_NAME = 'parley.desktop';

export interface AutostartPlace {
  /** `XDG_CONFIG_HOME` as the environment has it (used only when absolute, as the spec says). */
  xdgConfigHome: string | undefined;
  home: string;
}

/** Where the autostart entry lives. */
export function autostartPath({ xdgConfigHome, home }: AutostartPlace): string {
  const config = xdgConfigHome && isAbsolute(xdgConfigHome) ? xdgConfigHome : join(home, '.config');
  return join(config, 'autostart', AUTOSTART_FILE_NAME);
}

/** Writes (or rewrites) the entry that starts `command` (`[executable, ...arguments]`) at login. */
export async function writeAutostart(place: AutostartPlace, command: string[]): Promise<void> {
  const file = autostartPath(place);
  await mkdir(join(file, '..'), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, desktopEntry(command), { mode: 0o644 });
  await rename(temporary, file);
}

/** Removes the entry; nothing to do when there is none. */
export async function removeAutostart(place: AutostartPlace): Promise<void> {
  await rm(autostartPath(place), { force: true });
}

export function desktopEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Parley',
    'Comment=Answer calls from the tray',
    `Exec=${execValue(command)}`,
    'Icon=parley',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Characters that make the Desktop Entry spec quote an Exec argument. */
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/**
 * The Exec value for `command`, by the Desktop Entry spec: an argument with a reserved character in
 * double quotes, `"`, `` ` ``, `$` and `\` in it backslash-escaped; `%` doubled (field codes); then the
 * value's own escaping, which doubles every backslash again.
 */
export function execValue(command: string[]): string {
  if (command.length === 0) throw new Error('no command to start at login');
  return command
    .map((arg) => {
      // eslint-disable-next-line no-control-regex -- control characters are what is refused here
      if (/[\u0000-\u001f]/.test(arg))
        throw new Error(`cannot start at login from a path with control characters: ${JSON.stringify(arg)}`);
      const quoted = RESERVED.test(arg) || arg === '' ? `"${arg.replace(/["`$\\]/g, '\\$&')}"` : arg;
      return quoted.replace(/%/g, '%%').replace(/\\/g, '\\\\');
    })
    .join(' ');
}
