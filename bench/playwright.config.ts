// Playwright config of the benchmarks in bench/ (see bench/README.md). The signaling server, coturn and
// Chromium launch options are the e2e suites' own, taken from the root config, so the benchmark measures
// exactly what the suites test. Differences: one worker (nothing else competes for the 2 cores), no retries,
// no trace (tracing every action would slow the clicks being measured), and a timeout that grows with N.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import e2e from '../playwright.config.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The root config's paths are relative to the repository root; this config lives one folder down. */
function fromRoot<T extends string | string[] | undefined>(paths: T): T {
  if (paths === undefined) return paths;
  return (Array.isArray(paths) ? paths.map((p) => resolve(ROOT, p)) : resolve(ROOT, paths)) as T;
}

/** Calls per run (`PARLEY_BENCH_CALLS`), read here only to size the timeout. */
const calls = Number(process.env.PARLEY_BENCH_CALLS ?? 10) || 10;

export default defineConfig({
  testDir: '.',
  // `*.bench.ts`: Playwright's default match (*.spec.ts, *.test.ts) would find nothing here, and the root
  // config (testDir e2e) never looks in bench/, so `playwright test` never runs a benchmark.
  testMatch: '**/*.bench.ts',
  outputDir: resolve(ROOT, 'test-results/bench'),
  globalSetup: fromRoot(e2e.globalSetup),
  globalTeardown: fromRoot(e2e.globalTeardown),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  // Per call of each kind, a few seconds at most; a warm-up call each, people to register, and slack.
  timeout: 120_000 + calls * 60_000,
  expect: { timeout: 15_000 },
  reporter: 'list',
  use: {
    ...e2e.use,
    trace: 'off',
    video: 'off',
    screenshot: 'only-on-failure',
  },
});
