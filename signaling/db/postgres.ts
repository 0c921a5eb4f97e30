/**
 * PostgreSQL behind the async `Sql` interface (`--database-url postgres://…`): a pool of connections,
 * shared by every node that uses the same database. Statements are the tables' own, with their `?`
 * placeholders numbered for PostgreSQL; a transaction holds one pooled connection from BEGIN to COMMIT.
 *
 * Nothing is cached (`ReadCache.none()`): other nodes write to the same tables and PostgreSQL gives no
 * cheap way to notice that, so a cached row could be another node's stale one.
 *
 * While PostgreSQL cannot be reached, statements fail (a connection refused at once, one that does not
 * answer after CONNECT_TIMEOUT_MS, a statement after STATEMENT_TIMEOUT_MS): requests get E_UNAVAILABLE
 * (storage-unreachable.ts) rather than hang, and the pool connects again when it is back.
 */
import pg from 'pg';
import type { Logger } from '../log.js';
import { migrations } from './migrations.js';
import { ReadCache } from './read-cache.js';
import type { Database, Sql, SqlParam } from './sql.js';

export const CONNECT_TIMEOUT_MS = 5_000;
export const STATEMENT_TIMEOUT_MS = 10_000;

/** BIGINT (times in ms, counts) as a JS number: every value this schema holds is below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** `?` placeholders as PostgreSQL's `$1, $2, …` (no statement here has a `?` in a string literal). */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

type Queryable = pg.Pool | pg.PoolClient;

/** Statements through one queryable: the pool, or a transaction's connection. */
class PostgresSql implements Sql {
  readonly dialect = 'postgres';

  constructor(
    protected readonly target: Queryable,
    readonly cache: ReadCache,
  ) {}

  async all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return work(this);
  }

  private query(sql: string, params: readonly SqlParam[]): Promise<pg.QueryResult> {
    // Without values: the simple protocol, which also runs several statements (a migration).
    return params.length === 0
      ? this.target.query(sql)
      : this.target.query(numbered(sql), params as SqlParam[]);
  }
}

export class PostgresDatabase extends PostgresSql implements Database {
  readonly location: string;

  constructor(private readonly pool: pg.Pool) {
    super(pool, ReadCache.none());
    const { host, port, database } = pool.options;
    this.location = `postgres://${host ?? ''}:${port ?? 5432}/${database ?? ''}`;
  }

  override async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let failed: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(new PostgresSql(client, this.cache));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      failed = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      // A connection that failed mid-transaction may be broken: it is closed rather than reused.
      client.release(failed);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Connects (the first connection proves the URL), brings the schema up to date, and returns the pool. */
export async function openPostgres(url: string, log: Logger): Promise<PostgresDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    types,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
  });
  // An idle connection that breaks (PostgreSQL restarted) is dropped by the pool; without a listener the
  // error would end the process.
  pool.on('error', (err) => log.warn({ err: err.message }, 'PostgreSQL connection lost'));
  const db = new PostgresDatabase(pool);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/** pg_advisory_xact_lock's key for migrating: any number, the same on every node ("pars"). */
const MIGRATION_LOCK = 0x70617273;

/**
 * Applies the migrations the database has not had, in one transaction that holds an advisory lock: nodes
 * starting together wait for one another, and the second finds nothing left to do.
 */
export async function migrate(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
    await tx.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const applied = (await tx.get<{ version: number }>('SELECT version FROM schema_version'))?.version;
    if (applied === undefined) await tx.run('INSERT INTO schema_version (version) VALUES (0)');
    const from = applied ?? 0;
    if (from > migrations.length) {
      throw new Error(
        `database schema version ${from} is newer than this server (${migrations.length}); upgrade Parley`,
      );
    }
    for (let version = from; version < migrations.length; version++) {
      await tx.run(migrations[version]!.postgres);
      await tx.run('UPDATE schema_version SET version = ?', [version + 1]);
    }
  });
}
