/**
 * Measures the machine's pace for global setup (support/pace.ts explains what and why), on a throwaway
 * signaling server serving the built web client, with the suites' own Chromium options.
 *
 * Run on its own to re-derive QUIET_ROUND_MS on a quiet machine (after `npm run build:web`):
 *   npx tsx e2e/support/measure-pace.ts
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startTestServer } from '../../signaling/test-support/harness.js';
import config from '../../playwright.config.js';
import { measureRounds, slowness, slownessOf, SLOWNESS_ENV } from './pace.js';

/** Sets PARLEY_E2E_SLOWNESS for this process and the workers it starts, unless it is set already. */
export async function measurePace(webDir: string): Promise<void> {
  if (process.env[SLOWNESS_ENV]) {
    console.log(`e2e pace: ${SLOWNESS_ENV}=${process.env[SLOWNESS_ENV]} given, not measured`);
    return;
  }
  const rounds = await measure(webDir);
  process.env[SLOWNESS_ENV] = slownessOf(rounds).toFixed(2);
  console.log(`e2e pace: rounds of ${rounds.join(', ')} ms; waits ×${slowness().toFixed(2)}`);
}

async function measure(webDir: string): Promise<number[]> {
  const server = await startTestServer({ webDir });
  try {
    return await measureRounds(server.url, { ...config.use?.launchOptions, headless: true });
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const webDir = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
  console.log(`rounds (ms): ${(await measure(webDir)).join(', ')}`);
}
