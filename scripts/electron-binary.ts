/**
 * Finds the Electron binary without triggering the `electron` package's
 * download-on-first-use (which fails on machines without internet access).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const electronDir = fileURLToPath(new URL('../node_modules/electron/', import.meta.url));

/** The executable path, or null when it is not installed. */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  try {
    const relative = readFileSync(join(electronDir, 'path.txt'), 'utf8').trim();
    const dist = env.ELECTRON_OVERRIDE_DIST_PATH ?? join(electronDir, 'dist');
    const binary = join(dist, relative);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

export const MISSING_ELECTRON_HELP = `The Electron binary is not installed.
npm installs Electron's JavaScript package, but the binary is downloaded from GitHub the first
time Electron runs, and this machine cannot reach it. To get it:
  - on a machine with internet access: run \`npx install-electron\` (or \`node node_modules/electron/install.js\`) once;
  - or unpack Electron 45 for your platform and set ELECTRON_OVERRIDE_DIST_PATH to its folder.`;
