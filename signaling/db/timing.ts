/**
 * Times every statement a database runs, for the metrics (`parley_db_statement_duration_seconds`):
 * `timeStatements` returns the database with its `all`, `get` and `run` timed, named by verb and table
 * (`select users`, `update calls`), and its transactions too (`transaction`, from asking for one to its
 * commit, a wait for the lock included). A server without metrics never calls this.
 *
 * The cost on the hot path is two clock reads and one histogram observation per statement (measured
 * in bench/README.md), next to the statement's own microseconds.
 */
import type { Database, Sql } from './sql.js';

/** Where a statement's durations go: the histogram's series for that statement. */
export type StatementTimer = (statement: string) => { observe(seconds: number): void };

/**
 * `select users`, `insert calls`, `delete live_calls`: the verb and the first table a statement names
 * (after FROM, INTO or UPDATE), so that a slow table shows without a series per statement.
 */
export function statementName(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? 'statement';
  const table = /\b(?:from|into|update)\s+(?:or\s+\w+\s+)?["`]?(\w+)/i.exec(sql)?.[1]?.toLowerCase();
  return table ? `${verb} ${table}` : verb;
}

export function timeStatements(db: Database, timer: StatementTimer): Database {
  const names = new Map<string, ReturnType<StatementTimer>>();
  const seriesOf = (sql: string) => {
    let series = names.get(sql);
    if (!series) names.set(sql, (series = timer(statementName(sql))));
    return series;
  };
  const transactions = timer('transaction');
  const timedSql = (inner: Sql): Sql => ({
    dialect: inner.dialect,
    cache: inner.cache,
    all: (sql, params) => timed(seriesOf(sql), () => inner.all(sql, params)),
    get: (sql, params) => timed(seriesOf(sql), () => inner.get(sql, params)),
    run: (sql, params) => timed(seriesOf(sql), () => inner.run(sql, params)),
    transaction: (work) => timed(transactions, () => inner.transaction((tx) => work(timedSql(tx)))),
  });
  return { ...timedSql(db), location: db.location, close: () => db.close() };
}

/** `run`'s promise, with its duration observed whether it resolves or rejects. */
async function timed<T>(series: { observe(seconds: number): void }, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    series.observe((performance.now() - started) / 1000);
  }
}
