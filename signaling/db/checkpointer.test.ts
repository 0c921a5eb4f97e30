/**
 * The WAL is checkpointed by the worker, not by the connection's commits: the connection's own
 * checkpoints are off, and yet what it writes reaches the database file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { startCheckpointer, type Checkpointer, type CheckpointResult } from './checkpointer.js';
import { databaseFiles, openSqlite } from './sqlite.js';
import type BetterSqlite3 from 'better-sqlite3';

let dir: string;
let db: BetterSqlite3.Database;
let checkpointer: Checkpointer | undefined;
const results: CheckpointResult[] = [];
let waiting: (() => void) | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
  db = openSqlite(dir).native;
  db.exec('CREATE TABLE filler (data BLOB)');
});

afterEach(async () => {
  await checkpointer?.stop();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Resolves at the first checkpoint that found at least `frames` frames in the WAL and copied every one of
 * them into the database file. Results are messages from the worker: those of checkpoints it ran while
 * this thread was busy writing (which found the WAL without the write) arrive afterwards and are passed over.
 */
const caughtUp = (frames: number): Promise<void> =>
  new Promise((resolve) => {
    waiting = () => {
      const last = results.at(-1)!;
      if (last.walFrames < frames || last.checkpointed !== last.walFrames) return;
      waiting = undefined;
      resolve();
    };
  });

it('checkpoints from its worker: the connection does not, and its writes reach the database file', async () => {
  checkpointer = startCheckpointer(db, createLogger('silent'), {
    everyMs: 50,
    onCheckpoint: (result) => {
      results.push(result);
      waiting?.();
    },
  });
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

  const insert = db.prepare('INSERT INTO filler (data) VALUES (?)');
  const rows = 2_000; // about 2,000 pages: twice the WAL at which SQLite would checkpoint by itself
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(Buffer.alloc(4000, 1));
  })();
  await caughtUp(rows);
  // The pages are in the database file: copied there by the worker, since this connection does not.
  expect(fs.statSync(databaseFiles(dir)[0]!).size).toBeGreaterThan(rows * 4000);
  expect(results.at(-1)!.checkpointed).toBeGreaterThan(rows / 2);
  // Two checkpoints 50 ms apart, one copying 8 MB: well under a second idle, a few at a load average of 40.
}, 30_000);
