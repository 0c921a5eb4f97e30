/**
 * Failures on demand, to test what a server does when its database or a registry fails underneath it:
 * `faulty(part)` forwards every call to `part`, except that after `failNext(method)` the next call of
 * that method fails as SQLite does when the database stays locked (`SQLITE_BUSY`), as a rejected
 * promise (every table and registry is async). Also a recorder of unhandled rejections and uncaught
 * exceptions, the ones that would stop a real server process.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach } from 'vitest';

export type Faulty<T extends object> = T & {
  /** Makes the next `times` calls of `method` fail. */
  failNext(method: keyof T & string, times?: number): void;
  /** How many calls have failed so far. */
  readonly failures: number;
};

export const databaseLocked = (): Error => new Database.SqliteError('database is locked', 'SQLITE_BUSY');

export function faulty<T extends object>(part: T): Faulty<T> {
  const pending = new Map<string | symbol, number>();
  let failures = 0;
  const controls = {
    failNext(method: string, times = 1) {
      pending.set(method, (pending.get(method) ?? 0) + times);
    },
    get failures() {
      return failures;
    },
  };
  return new Proxy(part, {
    get(target, name, receiver) {
      if (name in controls) return Reflect.get(controls, name);
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const left = pending.get(name) ?? 0;
        if (left === 0) return (value as (...a: unknown[]) => unknown).apply(target, args);
        pending.set(name, left - 1);
        failures++;
        return Promise.reject(databaseLocked());
      };
    },
  }) as Faulty<T>;
}

/**
 * Records what would crash a real server (Node stops on an unhandled rejection or an uncaught
 * exception) during each test of the file that calls it; assert that `crashes` stays empty.
 */
export function recordCrashes(): { crashes: unknown[] } {
  const recorder = { crashes: [] as unknown[] };
  const record = (err: unknown) => recorder.crashes.push(err);
  beforeEach(() => {
    recorder.crashes.length = 0;
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
  });
  afterEach(() => {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  });
  return recorder;
}
