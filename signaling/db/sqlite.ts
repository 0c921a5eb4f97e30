/**
 * The embedded database: one better-sqlite3 connection to `parley.sqlite` in the data folder, behind the
 * async `Sql` interface. Statements run synchronously (a resolved promise); each is prepared once.
 *
 * One connection means one transaction at a time, and a transaction's work awaits between its
 * statements: other code could then slip its own statements into it (and have them rolled back with
 * it). So while a transaction is open, statements from outside it wait until it ends, and so does the
 * next transaction; the tables' transactions only await their own statements, so the wait is short.
 * The WAL checkpointer holds the connection the same way for the few milliseconds it needs no new
 * commits (`hold`, checkpointer.ts).
 */
import BetterSqlite3 from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { migrations, type Migration } from './migrations.js';
import { ReadCache } from './read-cache.js';
import type { Database, Sql, SqlParam } from './sql.js';

export const DATABASE_FILE = 'parley.sqlite';

/** The database and the WAL files SQLite keeps beside it. */
export const databaseFiles = (dataDir: string): string[] => {
  const file = join(dataDir, DATABASE_FILE);
  return [file, `${file}-wal`, `${file}-shm`];
};

export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite';
  readonly cache: ReadCache;
  readonly location: string;
  private readonly statements = new Map<string, BetterSqlite3.Statement<unknown[]>>();
  /** The open transaction (or `hold`), settled when it ends. */
  private openTransaction: Promise<unknown> | undefined;
  /** The statements a transaction's work makes: they run inside it, without waiting. */
  private readonly insideTransaction: Sql;

  constructor(readonly native: BetterSqlite3.Database) {
    this.location = native.name;
    // Prepared once: `native.pragma()` prepares the statement again on every call, which costs twice
    // what running it does (checked once per event-loop turn, that is, on most connects).
    const dataVersion = native.prepare('PRAGMA data_version').pluck();
    this.cache = new ReadCache(() => dataVersion.get() as number);
    const inside = (run: () => unknown): Promise<unknown> => {
      try {
        return Promise.resolve(run());
      } catch (err) {
        return Promise.reject(err as Error);
      }
    };
    this.insideTransaction = {
      dialect: this.dialect,
      cache: this.cache,
      all: <T>(sql: string, params: readonly SqlParam[] = []) =>
        inside(() => this.statement(sql).all(...params)) as Promise<T[]>,
      get: <T>(sql: string, params: readonly SqlParam[] = []) =>
        inside(() => this.statement(sql).get(...params)) as Promise<T | undefined>,
      run: (sql, params = []) => inside(() => this.statement(sql).run(...params).changes) as Promise<number>,
      transaction: (work) => work(this.insideTransaction),
    };
  }

  async all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    while (this.openTransaction) await this.transactionEnd();
    return this.statement(sql).all(...params) as T[];
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    while (this.openTransaction) await this.transactionEnd();
    return this.statement(sql).get(...params) as T | undefined;
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    while (this.openTransaction) await this.transactionEnd();
    return this.statement(sql).run(...params).changes;
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.hold(async () => {
      // IMMEDIATE: the write lock now, so that another process's writer cannot make this one fail later.
      this.statement('BEGIN IMMEDIATE').run();
      try {
        const result = await work(this.insideTransaction);
        this.statement('COMMIT').run();
        return result;
      } catch (err) {
        if (this.native.inTransaction) this.statement('ROLLBACK').run();
        throw err;
      }
    });
  }

  /** Runs `work` with the connection to itself: statements and transactions from elsewhere wait until it settles. */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    // Checked and claimed with no await in between: two waiting holders cannot both start.
    while (this.openTransaction) await this.transactionEnd();
    const done = work();
    this.openTransaction = done;
    try {
      return await done;
    } finally {
      if (this.openTransaction === done) this.openTransaction = undefined;
    }
  }

  async close(): Promise<void> {
    this.native.close();
  }

  /** Settles when the open transaction ends, however it ends. */
  private transactionEnd(): Promise<unknown> {
    return this.openTransaction!.catch(() => undefined);
  }

  private statement(sql: string): BetterSqlite3.Statement<unknown[]> {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.native.prepare(sql)));
    return statement;
  }
}

export function openSqlite(dataDir: string): SqliteDatabase {
  restrictToOwner(dataDir);
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteDatabase(db);
}

/**
 * Applies the migrations this file has not had; `PRAGMA user_version` counts those it has. `list`: the
 * list to apply (the tests build a database as an older server left it).
 */
export function migrate(db: BetterSqlite3.Database, list: readonly Migration[] = migrations): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > list.length) {
    throw new Error(
      `database schema version ${applied} is newer than this server (${list.length}); upgrade Parley`,
    );
  }
  for (let version = applied; version < list.length; version++) {
    db.transaction(() => {
      db.exec(list[version]!.sqlite);
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
