/**
 * Finds the Electron binary without triggering the `electron` package's
 * download-on-first-use (which fails on machines without internet access).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const electronDir = fileURLToPath(new URL('../node_modules/electron/', import.meta.url));

/** Where the executable sits inside an Electron folder, as the electron package's install.js lays it out. */
function executableInDist(): string {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  return process.platform === 'win32' ? 'electron.exe' : 'electron';
}

/** The executable path, or null when it is not installed (the same lookup as the electron package's). */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  let relative = executableInDist();
  try {
    relative = readFileSync(join(electronDir, 'path.txt'), 'utf8').trim();
  } catch {
    if (!env.ELECTRON_OVERRIDE_DIST_PATH) return null; // never installed
  }
  const binary = join(env.ELECTRON_OVERRIDE_DIST_PATH ?? join(electronDir, 'dist'), relative);
  return existsSync(binary) ? binary : null;
}

export const MISSING_ELECTRON_HELP = `The Electron binary is not installed.
npm installs Electron's JavaScript package, but the binary is downloaded from GitHub the first
time Electron runs, and this machine cannot reach it. To get it:
  - on a machine with internet access: run \`npx install-electron\` (or \`node node_modules/electron/install.js\`) once;
  - or unpack Electron 45 for your platform and set ELECTRON_OVERRIDE_DIST_PATH to its folder.`;
