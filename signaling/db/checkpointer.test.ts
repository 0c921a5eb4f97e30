/**
 * The WAL is checkpointed by the worker, not by the connection's commits: the connection's own
 * checkpoints are off, and yet what it writes reaches the database file. Under a steady stream of
 * commits the WAL still starts again from its beginning, rather than growing for as long as they last.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { startCheckpointer, type Checkpointer, type CheckpointResult } from './checkpointer.js';
import { databaseFiles, openSqlite, type SqliteDatabase } from './sqlite.js';

let dir: string;
let database: SqliteDatabase;
let checkpointer: Checkpointer | undefined;
const results: CheckpointResult[] = [];
let waiting: (() => void) | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
  database = openSqlite(dir);
  database.native.exec('CREATE TABLE filler (data BLOB)');
  results.length = 0;
});

afterEach(async () => {
  await checkpointer?.stop();
  checkpointer = undefined;
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const start = (options: { catchUpPages?: number; holdAtMostMs?: number } = {}) =>
  (checkpointer = startCheckpointer(database, createLogger('silent'), {
    everyMs: 50,
    ...options,
    onCheckpoint: (result) => {
      results.push(result);
      waiting?.();
    },
  }));

/** Resolves at the first checkpoint result for which `done` is true. */
const checkpointWhere = (done: (last: CheckpointResult) => boolean): Promise<void> =>
  new Promise((resolve) => {
    waiting = () => {
      if (!done(results.at(-1)!)) return;
      waiting = undefined;
      resolve();
    };
  });

/**
 * The first checkpoint that found at least `pages` pages in the WAL and copied every one of them into the
 * database file. Results are messages from the worker: those of checkpoints it ran while this thread
 * was busy writing (which found the WAL without the write) arrive afterwards and are passed over.
 */
const caughtUp = (pages: number) =>
  checkpointWhere((last) => last.walPages >= pages && last.checkpointed === last.walPages);

it('checkpoints from its worker: the connection does not, and its writes reach the database file', async () => {
  start();
  const db = database.native;
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

it('under commits that never stop, catches up while holding the connection, and the WAL starts again', async () => {
  const catchUpPages = 500;
  // This writer commits far faster than a server does, so a catch-up copies more (20-40 ms here); a
  // loaded machine must not end the hold before the copy (which would only leave the WAL to the next).
  start({ catchUpPages, holdAtMostMs: 10_000 });
  // Commits one after another, each a row of about a page, as the server's would under load: some
  // always land while a checkpoint copies, so without a catch-up the WAL would only grow.
  let rows = 0;
  let writing = true;
  const writer = (async () => {
    while (writing) {
      await database.run('INSERT INTO filler (data) VALUES (?)', [Buffer.alloc(3000, rows % 256)]);
      if (++rows % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  // Five catch-ups: the writer writes several times the catch-up length between two.
  let catchUps = 0;
  await checkpointWhere((last) => last.catchUp && ++catchUps === 5);
  writing = false;
  await writer;

  const caughtUp = results.filter((r) => r.catchUp);
  // Each was asked for by the checkpoint before it, which found the WAL at least that long.
  expect(results.every((r, i) => !r.catchUp || results[i - 1]!.walPages >= catchUpPages)).toBe(true);
  expect(caughtUp.every((r) => r.heldMs! > 0)).toBe(true);
  // The WAL started again: a WAL that only grows never shows fewer pages than at the checkpoint before.
  expect(results.some((r, i) => i > 0 && r.walPages < results[i - 1]!.walPages)).toBe(true);
  // Every commit is there.
  const { n } = database.native.prepare('SELECT count(*) AS n FROM filler').get() as { n: number };
  expect(n).toBe(rows);
  // The WAL file is reused from its start, not appended to: no longer than the longest the WAL was
  // found (a frame is a page and a 24-byte header; a tenth more for what came after the last look).
  const longest = Math.max(...results.map((r) => r.walPages));
  expect(fs.statSync(databaseFiles(dir)[1]!).size).toBeLessThan(longest * (4096 + 24) * 1.1);
}, 60_000);

it('holds the connection: statements from elsewhere wait until the holder is done', async () => {
  let release!: () => void;
  const held = database.hold(() => new Promise<void>((resolve) => (release = resolve)));
  let inserted = false;
  const insert = database
    .run('INSERT INTO filler (data) VALUES (?)', [Buffer.alloc(10)])
    .then(() => (inserted = true));
  await new Promise((resolve) => setImmediate(resolve));
  expect(inserted).toBe(false);
  expect(database.native.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 0 });
  release();
  await Promise.all([held, insert]);
  expect(database.native.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 1 });
});
