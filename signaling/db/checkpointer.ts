/**
 * Checkpoints the database's write-ahead log from a worker thread, so that the event loop never does,
 * and keeps the WAL from growing without end under a steady stream of commits.
 *
 * SQLite moves the WAL's pages into the database file (a checkpoint, with an fsync) on the commit that
 * takes the WAL past 1,000 pages: with calls ringing at a few hundred a second that was a commit every
 * second or two holding the event loop for tens of milliseconds (the ring benchmark's pauses, see
 * bench/README.md). The server's connection turns that off (`wal_autocheckpoint = 0`) and this worker,
 * with a connection of its own, runs a PASSIVE checkpoint every CHECKPOINT_EVERY_MS: it waits for no
 * reader or writer, and the server's commits go on while it copies.
 *
 * But a checkpoint copies only the frames that were in the WAL when it began, and SQLite starts the WAL
 * again from its first byte only when a commit finds every frame copied. With commits arriving every
 * millisecond or so, some always land while the checkpoint copies, so the WAL never started again: at
 * 500 calls a second it grew by 15 MB a second for as long as the load lasted (537 MB in 40 s), and
 * each commit cost more CPU, writing past the end of the file into pages the kernel first zeroes. So
 * when a checkpoint finds CATCH_UP_PAGES or more in the WAL, the worker asks for a moment without
 * commits: the server's connection is held (its statements wait, the event loop does not), the worker
 * copies what the last checkpoint left (milliseconds: a second's frames at most, and two fsyncs), and
 * the next commit starts the WAL from the beginning, reusing the file's pages (`journal_size_limit`
 * cuts a longer file back). The hold ends when the worker answers, or after HOLD_AT_MOST_MS whatever
 * happens: it only helps, as the copy is safe beside commits anyway. A reader that keeps an old
 * snapshot (a long backup) still stops the WAL from starting again until it is done.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { SqliteDatabase } from './sqlite.js';

export const CHECKPOINT_EVERY_MS = 1_000;
/** A WAL found at least this long (16 MiB of 4 KiB pages) is caught up under a hold, so that it starts again. */
const CATCH_UP_PAGES = 4_096;
/**
 * The longest the server's connection is held for a catch-up (they take 1-5 ms here): on a disk whose
 * fsyncs are that slow, the WAL then starts again later rather than requests waiting longer.
 */
const HOLD_AT_MOST_MS = 100;
/** The WAL file is cut back to this size when it starts again (it is reused, not truncated, below it). */
const WAL_FILE_LIMIT_BYTES = 64 * 1024 * 1024;

// Plain CommonJS, evaluated as the worker's source: no build step and no TypeScript loader in the thread.
// Messages from the server: 'catch-up' (no commits until the answer) and 'stop'.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
let waitingForHold = false;
// The WAL's length at the last catch-up: found again, nothing was committed since, and the next commit
// starts the WAL again by itself.
let pagesAtCatchUp = 0;
const checkpoint = (catchUp) => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (catchUp) pagesAtCatchUp = result.log;
    waitingForHold =
      !catchUp && result.log >= workerData.catchUpPages && result.log !== pagesAtCatchUp;
    parentPort.postMessage({
      walPages: result.log,
      checkpointed: result.checkpointed,
      catchUp,
      wantsHold: waitingForHold,
    });
  } catch (err) {
    waitingForHold = false;
    parentPort.postMessage({ failed: String(err && err.message), catchUp });
  }
};
const timer = setInterval(() => waitingForHold || checkpoint(false), workerData.everyMs);
parentPort.on('message', (message) => {
  if (message === 'catch-up') return checkpoint(true);
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** What one checkpoint did: pages (frames) in the WAL, and how many of them are in the database file now. */
export interface CheckpointResult {
  walPages: number;
  checkpointed: number;
  /** A catch-up: run while the server's connection was held for it; `heldMs`: for how long. */
  catchUp: boolean;
  heldMs?: number;
}

type WorkerMessage =
  (Omit<CheckpointResult, 'heldMs'> & { wantsHold: boolean }) | { failed: string; catchUp: boolean };

export interface CheckpointerOptions {
  everyMs?: number;
  catchUpPages?: number;
  holdAtMostMs?: number;
  /** Called after each checkpoint (tests wait on it; the metrics read it). */
  onCheckpoint?: (result: CheckpointResult) => void;
}

export interface Checkpointer {
  /** Stops the worker (its last checkpoint done) and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Turns off the connection's own checkpoints and starts the worker that does them instead. */
export function startCheckpointer(
  database: SqliteDatabase,
  log: Logger,
  {
    everyMs = CHECKPOINT_EVERY_MS,
    catchUpPages = CATCH_UP_PAGES,
    holdAtMostMs = HOLD_AT_MOST_MS,
    onCheckpoint,
  }: CheckpointerOptions = {},
): Checkpointer {
  const db = database.native;
  db.pragma('wal_autocheckpoint = 0');
  db.pragma(`journal_size_limit = ${WAL_FILE_LIMIT_BYTES}`);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, file: db.name, everyMs, catchUpPages },
  });
  let stopped = false;
  /** Ends the hold of a catch-up in progress (its answer came, or it took too long). */
  let endHold: (() => void) | undefined;
  /** How long the last catch-up's hold lasted, for the catch-up's result. */
  let heldMs: number | undefined;
  const hold = () =>
    database.hold(
      () =>
        new Promise<void>((resolve) => {
          if (stopped) return resolve();
          const since = performance.now();
          const timeout = setTimeout(() => endHold?.(), holdAtMostMs);
          endHold = () => {
            clearTimeout(timeout);
            endHold = undefined;
            heldMs = performance.now() - since;
            resolve();
          };
          worker.postMessage('catch-up');
        }),
    );
  // A failed checkpoint is tried again at the next tick; the WAL only grows meanwhile.
  worker.on('message', (m: WorkerMessage) => {
    if (m.catchUp) endHold?.();
    if ('failed' in m) return log.warn({ err: m.failed }, 'WAL checkpoint failed');
    const { wantsHold, ...result } = m;
    onCheckpoint?.(m.catchUp ? { ...result, heldMs } : result);
    if (wantsHold) void hold();
  });
  worker.on('error', (err) => {
    endHold?.();
    log.error({ err }, 'WAL checkpointer stopped; the connection checkpoints by itself again');
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop() {
      stopped = true;
      endHold?.();
      // Unreferenced, the worker would let the process end before its exit is seen (the rest of shutdown
      // awaits this): referenced again until then.
      worker.ref();
      worker.postMessage('stop');
      return exited;
    },
  };
}
