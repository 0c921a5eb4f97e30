/**
 * What global setup shares: the server settings the specs rely on, the
 * environment variable that carries the server URL to the workers, and the
 * running servers (setup and teardown run in the same runner process).
 */
import type { TestServer } from '../../signaling/test-support/harness.js';
import type { Coturn } from './coturn.js';
import { paced } from './pace.js';

export const E2E_URL_ENV = 'PARLEY_E2E_URL';
/**
 * Seconds an unanswered call rings before the server records it as missed: 10 at a quiet machine's pace.
 * Short, so the missed-call test is quick; paced (support/pace.ts), so that a busy machine still answers
 * in time in every other test. Read it after global setup has measured the pace.
 */
export const ringTimeoutS = (): number => Math.round(paced(10_000) / 1000);
/** Seconds a device in a call may stay disconnected before the call ends as connection lost. */
export const GRACE_PERIOD_S = 3;

/**
 * A slot for what a global setup started, for its global teardown (both run in the runner process, but
 * Playwright loads them as separate modules, so the slot lives on globalThis under `name`).
 */
export function runningSlot<T>(name: string): { set(running: T): void; take(): T | undefined } {
  const key = Symbol.for(name);
  const holder = globalThis as { [key: symbol]: T | undefined };
  return {
    set: (running) => void (holder[key] = running),
    take: () => {
      const running = holder[key];
      delete holder[key];
      return running;
    },
  };
}

const running = runningSlot<{ server: TestServer; coturn: Coturn }>('parley.e2e.running');
export const setRunning = running.set;
export const takeRunning = running.take;

/** The server URL, in a worker. */
export function serverUrl(): string {
  const url = process.env[E2E_URL_ENV];
  if (!url) throw new Error(`${E2E_URL_ENV} is not set: run the suites with playwright test (global setup)`);
  return url;
}
