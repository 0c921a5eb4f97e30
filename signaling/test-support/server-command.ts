/**
 * How `npm run server` starts the server (package.json: `tsx [Node flags] signaling/cli.ts`). Processes
 * that tests and benchmarks start as a person starts one take the same Node flags from here, run by node
 * itself (the process is the server's, not tsx's wrapper) from the repository's root.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** The Node flags of `npm run server`; throws when the script no longer has the shape read here. */
export function serverNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { server: string } };
  const [wrapper, ...rest] = pkg.scripts.server.split(' ');
  const flags = rest.slice(0, -1);
  if (wrapper !== 'tsx' || rest.at(-1) !== 'signaling/cli.ts' || flags.some((f) => !f.startsWith('--')))
    throw new Error(
      `package.json's server script is not "tsx [--flags] signaling/cli.ts": update ${import.meta.url}`,
    );
  return flags;
}

/** node's arguments for a server process with these `signaling/cli.ts` arguments, as `npm run server` runs it. */
export function serverProcessArgs(cliArgs: readonly string[]): string[] {
  return [...serverNodeFlags(), '--import', 'tsx', 'signaling/cli.ts', ...cliArgs];
}
