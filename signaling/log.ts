/** Structured JSON logs (pino), and a limit for lines that clients can cause at will. */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** A logger writing JSON lines to `destination` (standard output by default). */
export const createLogger = (level: string, destination?: DestinationStream): Logger =>
  pino(
    {
      level,
      base: { service: 'parley-signaling' },
      redact: ['req.headers.authorization', '*.token', '*.password'],
    },
    destination,
  );

/** Length of a log window, and how many lines of one kind each window writes before it only counts. */
export const LOG_WINDOW_MS = 10_000;
export const LOG_LINES_PER_WINDOW = 5;

type Level = 'info' | 'warn';
interface LogWindow {
  written: number;
  suppressed: number;
  /** Level and message of the last suppressed line, repeated in the summary. */
  level: Level;
  msg: string;
}

// Per logger, the open window of each kind. Kept beside the logger rather than passed around, so that any
// module holding a logger can use it.
const windows = new WeakMap<Logger, Map<string, LogWindow>>();

/**
 * Logs a line that a client can cause as often as it likes (a bad message, an aborted upload, a throttled
 * sign-in) without letting it flood the log: of each `kind`, the first LOG_LINES_PER_WINDOW lines of a
 * window of LOG_WINDOW_MS are written; later ones are only counted, and when the window ends one summary
 * line (`suppressed: n`) says how many were left out.
 */
export function logLimited(log: Logger, level: Level, kind: string, fields: object, msg: string): void {
  let open = windows.get(log);
  if (!open) windows.set(log, (open = new Map()));
  const byKind = open;
  let window = byKind.get(kind);
  if (!window) {
    const started: LogWindow = { written: 0, suppressed: 0, level, msg };
    byKind.set(kind, (window = started));
    setTimeout(() => {
      byKind.delete(kind);
      if (started.suppressed === 0) return;
      log[started.level](
        { kind, suppressed: started.suppressed, windowMs: LOG_WINDOW_MS },
        `${started.msg} (${started.suppressed} more not logged)`,
      );
    }, LOG_WINDOW_MS).unref();
  }
  if (window.written < LOG_LINES_PER_WINDOW) {
    window.written++;
    log[level]({ kind, ...fields }, msg);
    return;
  }
  window.suppressed++;
  window.level = level;
  window.msg = msg;
}
