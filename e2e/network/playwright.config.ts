// Playwright config of the network suite (e2e/network/, see docs/testing.md): each person's Chromium in a
// network namespace of its own, the signaling server and coturn on a bridge, faults injected with iptables
// and tc. Needs root; elsewhere every test is skipped with the reason printed. Chromium's flags are the
// root config's; one worker, because the scenarios measure media rates and timings that two parallel video
// calls on a 2-core machine would distort.
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import e2e from '../../playwright.config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export default defineConfig({
  testDir: '.',
  // The soak (scenario 9) runs for minutes: only `npm run test:soak` (soak.config.ts) runs it.
  testIgnore: 'soak.spec.ts',
  outputDir: `${ROOT}test-results/network`,
  globalSetup: './support/global-setup.ts',
  globalTeardown: './support/global-teardown.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  // One scenario may take 90 s at most (the bound), setup included.
  timeout: 90_000,
  // Call setup on a busy 2-core machine took up to 15 s here (accept to media); the e2e helpers wait this long.
  expect: { timeout: 20_000 },
  reporter: 'list',
  use: { ...e2e.use },
});
