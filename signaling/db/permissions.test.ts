/** The data folder and the database files are readable by the server's user only. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { databaseFiles, openSqlite, type SqliteDatabase } from './sqlite.js';
import { UsersTable } from './users.js';

let parent: string;
let db: SqliteDatabase | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
  rmSync(parent, { recursive: true, force: true });
});

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

/** Writes through the database, so that SQLite has made its -wal and -shm files. */
async function write(opened: SqliteDatabase): Promise<void> {
  await new UsersTable(opened).insert(`user${Date.now()}`, 'Someone', 'hash', Date.now());
}

it('makes a new data folder 0700 and the database, -wal and -shm files 0600', async () => {
  parent = mkdtempSync(join(tmpdir(), 'parley-perm-'));
  const dataDir = join(parent, 'nested', 'data');
  db = openSqlite(dataDir);
  await write(db);

  expect(mode(dataDir)).toBe('700');
  expect(databaseFiles(dataDir).map(mode)).toEqual(['600', '600', '600']);
});

it('corrects an existing 0755 folder and 0644 database files', async () => {
  parent = mkdtempSync(join(tmpdir(), 'parley-perm-'));
  const dataDir = join(parent, 'data');
  mkdirSync(dataDir, { mode: 0o755 });
  chmodSync(dataDir, 0o755);
  // A database made the way an older server made it, left with its WAL files (not checkpointed away).
  const old = new Database(databaseFiles(dataDir)[0]!);
  old.pragma('journal_mode = WAL');
  old.exec('CREATE TABLE t (x)');
  for (const f of databaseFiles(dataDir)) chmodSync(f, 0o644);
  expect(databaseFiles(dataDir).map(mode)).toEqual(['644', '644', '644']);

  db = openSqlite(dataDir);
  await write(db);
  old.close();

  expect(mode(dataDir)).toBe('700');
  expect(databaseFiles(dataDir).map(mode)).toEqual(['600', '600', '600']);
});
