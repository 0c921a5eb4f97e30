/**
 * `npm start`: builds the app, starts an embedded signaling server unless
 * PARLEY_SERVER_URL names one, and launches the desktop app. Without an
 * Electron binary it says how to get one and where the web client is.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../signaling/config.js';
import { createLogger } from '../signaling/log.js';
import { startServer, type RunningServer } from '../signaling/server.js';
import { buildDesktop } from './build-desktop.js';
import { findElectronBinary, MISSING_ELECTRON_HELP } from './electron-binary.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
    );
  });
}

async function main(): Promise<number> {
  const config = loadConfig([], { PARLEY_ALLOWED_ORIGINS: 'app://parley', ...process.env });
  const electron = findElectronBinary();
  if (!electron) {
    const webUrl = process.env.PARLEY_SERVER_URL ?? `http://${config.host}:${config.port}`;
    console.error(
      `\n${MISSING_ELECTRON_HELP}\n\nMeanwhile, use Parley in a browser: run \`npm run web\` and open ${webUrl}\n`,
    );
    return 1;
  }
  await run('npm', ['run', '--silent', 'build:web']);
  await buildDesktop();

  let server: RunningServer | undefined;
  let serverUrl = process.env.PARLEY_SERVER_URL;
  if (!serverUrl) {
    server = await startServer(config, createLogger(config.logLevel));
    serverUrl = server.url;
    console.log(`Parley's signaling server is running at ${serverUrl} (data in ${config.dataDir}).`);
  }

  const app = spawn(electron, ['.'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PARLEY_SERVER_URL: serverUrl },
  });
  const stop = () => app.kill('SIGTERM');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await new Promise<number>((resolve) => app.on('exit', (c) => resolve(c ?? 0)));
  await server?.close();
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
