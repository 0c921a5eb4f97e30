/** Opens the embedded SQLite database and brings its schema up to date. */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { migrations } from './migrations.js';

export type Db = Database.Database;

export const DATABASE_FILE = 'parley.sqlite';

/** The database and the WAL files SQLite keeps beside it. */
export const databaseFiles = (dataDir: string): string[] => {
  const file = join(dataDir, DATABASE_FILE);
  return [file, `${file}-wal`, `${file}-shm`];
};

export function openDatabase(dataDir: string): Db {
  restrictToOwner(dataDir);
  const db = new Database(join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > migrations.length) {
    throw new Error(
      `database schema version ${applied} is newer than this server (${migrations.length}); upgrade Parley`,
    );
  }
  for (let version = applied; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/**
 * Password hashes, session hashes and call history are for the server's user only: the data folder
 * becomes 0700 (also one that existed, which mkdir leaves as it was) and the database files 0600.
 * SQLite creates a new database 0644 but gives its -wal and -shm files the database file's mode, so
 * creating the file 0600 first covers those too; existing ones are corrected.
 */
function restrictToOwner(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const [file, ...wal] = databaseFiles(dataDir);
  closeSync(openSync(file!, 'a', 0o600));
  for (const f of [file!, ...wal]) if (existsSync(f)) chmodSync(f, 0o600);
}
