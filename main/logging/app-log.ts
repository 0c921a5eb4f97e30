/**
 * The desktop app's log file, so that a bug report can say what happened: `main.log` in the logs folder
 * (Electron's `app.getPath('logs')`), written by electron-log with rotation (past 1 MiB it becomes
 * `main.old.log` and a new file starts, so at most about 2 MiB are kept), readable by its owner only.
 * Main's own messages and the errors the app's windows forward (`log.error` over IPC) go here, and to
 * the console as before.
 *
 * No secrets: every line passes through `redactSecrets` first (session tokens, passwords, TURN
 * credentials, Authorization headers), whatever wrote it, on the console too. Plain Node (electron-log's Node logger, given
 * the folder), so it is tested on a temporary folder.
 */
import electronLog from 'electron-log/node';
import { join } from 'node:path';

export const LOG_FILE = 'main.log';
const MAX_BYTES = 1024 * 1024;

export interface AppLog {
  /** The folder the log files are in (for "Open logs folder"). */
  readonly dir: string;
  info(message: string): void;
  error(message: string): void;
}

export interface AppLogOptions {
  dir: string;
  /** Rotate past this size (tests use a small one). */
  maxBytes?: number;
  /** Also print to the console, as `[parley] ...` (on by default: `npm start` shows it). */
  console?: boolean;
}

let instances = 0;

export function createAppLog({ dir, maxBytes = MAX_BYTES, console = true }: AppLogOptions): AppLog {
  // Its own logger (electron-log's default one is shared by whoever imports the module).
  const logger = electronLog.create({ logId: `parley-${++instances}` });
  const file = logger.transports.file;
  file.resolvePathFn = () => join(dir, LOG_FILE);
  file.maxSize = maxBytes;
  file.format = '[{y}-{m}-{d} {h}:{i}:{s}.{ms}] [{level}] {text}';
  file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  // Parley prints itself, as `[parley] ...` on stdout like before; electron-log only writes the file.
  logger.transports.console.level = false;
  const write = (level: 'info' | 'error', message: string) => {
    const clean = redactSecrets(message);
    if (console) globalThis.console.log(`[parley] ${clean}`);
    logger[level](clean);
  };
  return {
    dir,
    info: (message) => write('info', message),
    error: (message) => write('error', message),
  };
}

const REDACTED = '[redacted]';

/**
 * `text` without what must never be written down: the value after a secret's name (`token=...`,
 * `"password": "..."`), a bearer token, and any run of 40 or more base64url characters (a session token
 * is 43; call ids, 22, stay readable for bug reports).
 */
export function redactSecrets(text: string): string {
  // Bearer first: `Authorization: Bearer <token>` would otherwise lose only the word Bearer.
  return text
    .replace(/\bBearer\s+[^\s"',;]+/gi, `Bearer ${REDACTED}`)
    .replace(
      /\b(token|password|passwd|secret|credential|credentials|authorization|cookie)(["']?\s*[:=]\s*["']?)([^\s"'&,;}]+)/gi,
      `$1$2${REDACTED}`,
    )
    .replace(/[A-Za-z0-9_-]{40,}/g, REDACTED);
}
