import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findElectronBinary } from './electron-binary.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('findElectronBinary', () => {
  it('finds a binary in ELECTRON_OVERRIDE_DIST_PATH even when the package never downloaded one', () => {
    const dist = mkdtempSync(join(tmpdir(), 'parley-electron-'));
    dirs.push(dist);
    const exe =
      process.platform === 'win32'
        ? 'electron.exe'
        : process.platform === 'darwin'
          ? 'Electron.app/Contents/MacOS/Electron'
          : 'electron';
    mkdirSync(join(dist, exe, '..'), { recursive: true });
    writeFileSync(join(dist, exe), '#!/bin/sh\n');
    chmodSync(join(dist, exe), 0o755);
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist })).toBe(join(dist, exe));
  });

  it('says null when the override folder holds no binary', () => {
    const dist = mkdtempSync(join(tmpdir(), 'parley-electron-'));
    dirs.push(dist);
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist })).toBeNull();
  });
});
