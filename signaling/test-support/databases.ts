/**
 * The databases a test file runs its tests against: SQLite always, and PostgreSQL where it is installed
 * (skipped, saying why, where it is not). A file wraps its tests in
 * `describe.each(databasesPerFile())('on $name', (database) => { useDatabase(database); ... })`: every
 * test server those tests start (harness.ts) then uses that database, a new empty one per test. The
 * PostgreSQL server is started on first use and stopped after the file's last test.
 */
import { afterAll, beforeEach } from 'vitest';
import { postgresUnavailable, startPostgres, type TestPostgres } from './postgres-server.js';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Settings for a new empty database: none for SQLite (the server's data folder is new already). */
  fresh(): Promise<{ databaseUrl?: string }>;
  /** The PostgreSQL server (started if it was not yet); undefined for SQLite. */
  postgres(): Promise<TestPostgres | undefined>;
}

/** The databases to run this file's tests on. */
export function databasesPerFile(): TestDatabase[] {
  const sqlite: TestDatabase = { name: 'sqlite', fresh: async () => ({}), postgres: async () => undefined };
  const unavailable = postgresUnavailable();
  if (unavailable) {
    console.warn(`skipping the PostgreSQL variant of these tests: ${unavailable}`);
    return [sqlite];
  }
  let server: Promise<TestPostgres> | undefined;
  afterAll(async () => {
    await (await server?.catch(() => undefined))?.stop();
  });
  const postgres = () => (server ??= startPostgres());
  return [
    sqlite,
    {
      name: 'postgres',
      fresh: async () => ({ databaseUrl: await (await postgres()).freshDatabase() }),
      postgres,
    },
  ];
}

let current: { databaseUrl?: string } = {};

/** Every test server started by the tests of this block gets a new database of this kind per test. */
export function useDatabase(database: TestDatabase): void {
  beforeEach(async () => {
    current = await database.fresh();
  });
}

/** The database settings of the test running now (harness.ts merges them into every test server's). */
export const testDatabase = (): { databaseUrl?: string } => current;
