/**
 * The WAL is checkpointed by the worker, not by the connection's commits: the connection's own
 * checkpoints are off, and yet the WAL file stays small however much is written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { startCheckpointer, type Checkpointer, type CheckpointResult } from './checkpointer.js';
import { databaseFiles, openDatabase, type Db } from './database.js';

let dir: string;
let db: Db;
let checkpointer: Checkpointer | undefined;
const results: CheckpointResult[] = [];
let waiting: (() => void) | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
  db = openDatabase(dir);
  db.exec('CREATE TABLE filler (data BLOB)');
});

afterEach(async () => {
  await checkpointer?.stop();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Resolves at the first checkpoint that started after this call and has every frame of the WAL in the
 * database file (the next result may come from one that was running already: it is skipped).
 */
const caughtUp = (): Promise<void> =>
  new Promise((resolve) => {
    let skip = 1;
    waiting = () => {
      const last = results.at(-1)!;
      if (skip-- > 0 || last.checkpointed !== last.walFrames) return;
      waiting = undefined;
      resolve();
    };
  });

it('checkpoints from its worker: the connection does not, and the WAL stays small', async () => {
  checkpointer = startCheckpointer(db, createLogger('silent'), {
    everyMs: 100,
    onCheckpoint: (result) => {
      results.push(result);
      waiting?.();
    },
  });
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

  const insert = db.prepare('INSERT INTO filler (data) VALUES (?)');
  const page = Buffer.alloc(4000, 1);
  const [batches, rowsPerBatch] = [20, 200]; // about 4,000 pages, four times the WAL SQLite would keep
  for (let batch = 0; batch < batches; batch++) {
    db.transaction(() => {
      for (let i = 0; i < rowsPerBatch; i++) insert.run(page);
    })();
    await caughtUp();
  }
  // A write after a complete checkpoint starts the WAL from its beginning again; one that meets a
  // checkpoint still running goes on at its end. So the file is a few batches long, far from all of them.
  const walPages = fs.statSync(databaseFiles(dir)[1]!).size / 4096;
  expect(walPages).toBeLessThan((batches * rowsPerBatch) / 3);
  expect(results.some((r) => r.checkpointed > 0)).toBe(true);
});
