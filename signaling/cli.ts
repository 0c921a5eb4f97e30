/**
 * Entry point of `npm run server`: runs the signaling server, or with
 * `users ...` the admin commands. Stops gracefully on SIGTERM and SIGINT, and
 * with exit code 1 (after a fatal log line) on an error nothing handled.
 */
import { createInterface } from 'node:readline';
import { ADMIN_OPTIONS, ADMIN_USAGE, runAdmin } from './admin.js';
import { ConfigError, describeSettings, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';

async function readLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  if (process.stdin.isTTY) process.stderr.write('password: ');
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

const adminFlags = Object.keys(ADMIN_OPTIONS).map((name) => `--${name}`);

/** Splits `users add alice --data-dir x` into admin words and server settings. */
function splitArgs(argv: string[]): { admin: string[]; settings: string[] } {
  const admin: string[] = [];
  const settings: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const adminFlag = adminFlags.find((flag) => arg === flag || arg.startsWith(`${flag}=`));
    if (adminFlag || !arg.startsWith('--')) {
      admin.push(arg);
      if (arg === adminFlag && i + 1 < argv.length) admin.push(argv[++i]!);
      continue;
    }
    settings.push(arg);
    if (!arg.includes('=') && i + 1 < argv.length) settings.push(argv[++i]!);
  }
  return { admin, settings };
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      `usage: npm run server [-- --setting value ...]\n\nsettings (flag, environment variable):\n${describeSettings()}\n\n${ADMIN_USAGE}`,
    );
    return 0;
  }
  const usersCommand = argv[0] === 'users';
  const { admin, settings } = splitArgs(usersCommand ? argv.slice(1) : argv);
  const config = loadConfig(settings);
  if (usersCommand) return runAdmin(admin, config, { readPassword: readLine, print: (l) => console.log(l) });
  if (admin.length > 0) throw new ConfigError(`unexpected argument: ${admin[0]}`);

  const log = createLogger(config.logLevel);
  // Every failure the server expects is handled where it happens; one that gets here is a bug, and the
  // state it left may be half-changed. So the process stops (exit 1) for its supervisor to start it
  // afresh, as Node itself would, but first says why in the log. No graceful stop: it would run on
  // that same state.
  const fatal = (kind: string) => (err: unknown) => {
    log.fatal({ err, kind }, 'unexpected error: stopping');
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaughtException'));
  process.on('unhandledRejection', fatal('unhandledRejection'));
  const server = await startServer(config, log);
  const stop = (signal: string) => {
    log.info({ signal }, 'signal received');
    process.once(signal, () => process.exit(1)); // a second signal: stop now
    server.close({ exiting: true }).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof ConfigError ? `error: ${err.message}` : err);
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  },
);
