// Playwright: end-to-end suites in e2e/ drive real Chromium (fake camera and microphone) against one real
// signaling server and one coturn, both started by e2e/support/global-setup.ts. See /e2e/README.md.
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import { paced } from './e2e/support/pace.js';

/** Debian's Chromium by default (browser downloads fail on our machines); PARLEY_CHROMIUM overrides it. */
const chromiumPath = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
// Where that path is missing, Playwright's own browser (if the user installed one) is used instead.
const executablePath = existsSync(chromiumPath) ? chromiumPath : undefined;

export default defineConfig({
  testDir: 'e2e',
  // The network suite has its own config (e2e/network/playwright.config.ts): it needs root and namespaces.
  testIgnore: 'network/**',
  outputDir: 'test-results',
  globalSetup: './e2e/support/global-setup.ts',
  globalTeardown: './e2e/support/global-teardown.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  // Waits at a quiet machine's pace, scaled by the pace global setup measured (e2e/support/pace.ts): this
  // file is read again in each worker, after global setup has set PARLEY_E2E_SLOWNESS.
  timeout: paced(60_000),
  expect: { timeout: paced(10_000) },
  // The list on the console only: no HTML report (traces of failed tests stay in test-results/).
  reporter: 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    permissions: ['camera', 'microphone'],
    // A click that cannot happen fails in seconds, not at the test timeout.
    actionTimeout: paced(10_000),
    navigationTimeout: paced(15_000),
    // No screencast in the trace: it encodes frames of up to four video pages, and with both workers in a
    // video call media took 2.3 to 11.4 s to start with it, 1.8 to 5.3 s without (e2e/video-call.spec.ts,
    // 2 cores). DOM snapshots stay, and so does the screenshot of a failure.
    trace: { mode: 'retain-on-failure', screenshots: false },
    screenshot: 'only-on-failure',
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Three fake cameras (and Chromium's three fake microphones), so a device switch changes device.
        '--use-fake-device-for-media-stream=device-count=3',
        '--use-fake-ui-for-media-stream',
        '--autoplay-policy=no-user-gesture-required',
      ],
    },
  },
});
