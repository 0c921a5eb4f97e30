/**
 * Opens the server's database and brings its schema up to date: embedded SQLite in the data folder by
 * default, PostgreSQL when a `--database-url` is given (several nodes then share it).
 */
import { createLogger, type Logger } from '../log.js';
import { openPostgres } from './postgres.js';
import type { Database } from './sql.js';
import { openSqlite } from './sqlite.js';

export { DATABASE_FILE, databaseFiles } from './sqlite.js';
export type { Database, Sql } from './sql.js';

export interface DatabaseLocation {
  dataDir: string;
  /** `postgres://…`; none: SQLite in `dataDir`. */
  databaseUrl?: string;
}

export async function openDatabase(
  { dataDir, databaseUrl }: DatabaseLocation,
  log: Logger = createLogger('silent'),
): Promise<Database> {
  return databaseUrl ? openPostgres(databaseUrl, log) : openSqlite(dataDir);
}
