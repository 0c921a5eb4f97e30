// The web build as it is served (dist/renderer): built from vite.config.ts into a temporary folder, it
// holds no source maps and no reference to one; the documented debug build (`--sourcemap`) does.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
let outDir = '';

afterEach(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
  outDir = '';
});

/** `vite build` with the project's config, as `npm run build:web` runs it, into a temporary folder. */
async function build(...flags: string[]): Promise<string[]> {
  outDir = await mkdtemp(join(tmpdir(), 'parley-web-build-'));
  await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--outDir', outDir, '--logLevel', 'error', ...flags],
    {
      cwd: root,
    },
  );
  return (await readdir(outDir, { recursive: true })).map(String);
}

/** The built files that mention a source map (a sourceMappingURL comment in a script, style or page). */
async function mapReferences(files: string[]): Promise<string[]> {
  const mentions: string[] = [];
  for (const file of files.filter((f) => /\.(js|css|html)$/.test(f))) {
    if ((await readFile(join(outDir, file), 'utf8')).includes('sourceMappingURL')) mentions.push(file);
  }
  return mentions;
}

describe('the served web build', () => {
  it('has no .map files and no sourceMappingURL', async () => {
    const files = await build();
    expect(files).toContain('index.html');
    expect(files).toContain('incoming.html');
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(await mapReferences(files)).toEqual([]);
  });

  it('`npm run build:web -- --sourcemap` gives the maps for debugging', async () => {
    const files = await build('--sourcemap');
    expect(files.filter((f) => f.endsWith('.js.map')).length).toBeGreaterThan(0);
    expect((await mapReferences(files)).length).toBeGreaterThan(0);
  });
});
