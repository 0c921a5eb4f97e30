/**
 * Checkpoints the database's write-ahead log from a worker thread, so that the event loop never does.
 *
 * SQLite moves the WAL's pages into the database file (a checkpoint, with an fsync) on the commit that
 * takes the WAL past 1,000 pages: with calls ringing at a few hundred a second that was a commit every
 * second or two holding the event loop for tens of milliseconds (the ring benchmark's pauses, see
 * bench/README.md). The server's connection turns that off (`wal_autocheckpoint = 0`) and this worker,
 * with a connection of its own, runs a PASSIVE checkpoint every CHECKPOINT_EVERY_MS: it waits for no
 * reader or writer, and the server's commits go on while it copies.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type BetterSqlite3 from 'better-sqlite3';

export const CHECKPOINT_EVERY_MS = 1_000;

// Plain CommonJS, evaluated as the worker's source: no build step and no TypeScript loader in the thread.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const checkpoint = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ walFrames: result.log, checkpointed: result.checkpointed });
  } catch (err) {
    parentPort.postMessage({ failed: String(err && err.message) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** What one checkpoint did: frames in the WAL, and how many of them are in the database file now. */
export interface CheckpointResult {
  walFrames: number;
  checkpointed: number;
}

export interface CheckpointerOptions {
  everyMs?: number;
  /** Called after each checkpoint (tests wait on it). */
  onCheckpoint?: (result: CheckpointResult) => void;
}

export interface Checkpointer {
  /** Stops the worker (its last checkpoint done) and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Turns off the connection's own checkpoints and starts the worker that does them instead. */
export function startCheckpointer(
  db: BetterSqlite3.Database,
  log: Logger,
  { everyMs = CHECKPOINT_EVERY_MS, onCheckpoint }: CheckpointerOptions = {},
): Checkpointer {
  db.pragma('wal_autocheckpoint = 0');
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file: db.name, everyMs } });
  // A failed checkpoint is tried again at the next tick; the WAL only grows meanwhile.
  worker.on('message', (m: CheckpointResult | { failed: string }) => {
    if ('failed' in m) log.warn({ err: m.failed }, 'WAL checkpoint failed');
    else onCheckpoint?.(m);
  });
  worker.on('error', (err) => {
    log.error({ err }, 'WAL checkpointer stopped; the connection checkpoints by itself again');
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop() {
      // Unreferenced, the worker would let the process end before its exit is seen (the rest of shutdown
      // awaits this): referenced again until then.
      worker.ref();
      worker.postMessage('stop');
      return exited;
    },
  };
}
