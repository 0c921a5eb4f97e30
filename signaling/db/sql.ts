/**
 * The database as the tables see it, whichever one is behind it: embedded SQLite (the default) or
 * PostgreSQL (`--database-url`). Statements are written once, with `?` placeholders, in the SQL both
 * understand; the few places where the two differ ask `dialect`.
 */
import type { ReadCache } from './read-cache.js';

export type SqlParam = string | number | Buffer | null;

export interface Sql {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows the tables may keep in memory: per-table maps, dropped on writes (see read-cache.ts). */
  readonly cache: ReadCache;
  all<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  /** Runs a statement; resolves with how many rows it changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
  /**
   * Runs `work` in one transaction: the statements it makes through `tx` commit together or not at all.
   * Nested calls (`tx.transaction`) join the outer one.
   */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

/** A database that can be closed: what `openDatabase` returns. */
export interface Database extends Sql {
  /** Where it is, for logs: the SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  close(): Promise<void>;
}

/** True when `err` is a unique-constraint violation (a username taken), in either database. */
export const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
};

/** `?, ?, ?` for a list of `n` values. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
