/**
 * Bundles the Electron main process and the preload script into
 * dist/main (CommonJS: sandboxed preloads cannot be ES modules). The
 * renderer is built separately by Vite (npm run build:web).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { isEntryPoint } from './entry-point.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildDesktop(): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: { index: 'main/index.ts', preload: 'main/preload.ts' },
    outdir: 'dist/main',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    // dbus-next's optional modules, left out on purpose: `x11` serves a bus-address lookup Parley never
    // asks for (it always passes DBUS_SESSION_BUS_ADDRESS), and without the native `usocket` dbus-next
    // opens unix sockets with Node's own (main/linux/session-bus.ts).
    external: ['electron', 'x11', 'usocket'],
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (isEntryPoint(import.meta.url)) {
  buildDesktop().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
