/**
 * Times every statement a database runs, for the metrics (`parley_db_statement_duration_seconds`):
 * statements prepared from here on get their `run`, `get` and `all` wrapped, named by verb
 * and table (`select users`, `update calls`), and so do transactions (`transaction`, from BEGIN to
 * COMMIT, a wait for the lock included). Only this database object changes: the tables keep preparing
 * statements as before, and a server without metrics never calls this.
 *
 * The cost on the hot path is two clock reads and one histogram observation per statement (measured
 * in bench/README.md), next to the statement's own microseconds.
 */
import type { Db } from './database.js';

/** Where a statement's durations go: the histogram's series for that statement. */
export type StatementTimer = (statement: string) => { observe(seconds: number): void };

// Not `iterate`: its work happens as the caller steps through it, after it has returned.
const TIMED_METHODS = ['run', 'get', 'all'] as const;
type TimedMethod = (typeof TIMED_METHODS)[number];

/**
 * `select users`, `insert calls`, `delete live_calls`: the verb and the first table a statement names
 * (after FROM, INTO or UPDATE), so that a slow table shows without a series per statement.
 */
export function statementName(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? 'statement';
  const table = /\b(?:from|into|update)\s+(?:or\s+\w+\s+)?["`]?(\w+)/i.exec(sql)?.[1]?.toLowerCase();
  return table ? `${verb} ${table}` : verb;
}

export function timeStatements(db: Db, timer: StatementTimer): void {
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const statement = prepare(sql) as unknown as Record<TimedMethod, Run>;
    const series = timer(statementName(sql));
    for (const method of TIMED_METHODS) statement[method] = timed(statement[method].bind(statement), series);
    return statement;
  }) as Db['prepare'];

  const transaction = db.transaction.bind(db);
  const series = timer('transaction');
  db.transaction = ((work: Run) => {
    const tx = transaction(work);
    return Object.assign(timed(tx, series), {
      default: timed(tx.default, series),
      deferred: timed(tx.deferred, series),
      immediate: timed(tx.immediate, series),
      exclusive: timed(tx.exclusive, series),
    });
  }) as Db['transaction'];
}

type Run = (...args: unknown[]) => unknown;

/** `run`, with its duration observed whether it returns or throws. */
function timed(run: Run, series: { observe(seconds: number): void }): Run {
  return (...args) => {
    const started = performance.now();
    try {
      return run(...args);
    } finally {
      series.observe((performance.now() - started) / 1000);
    }
  };
}
