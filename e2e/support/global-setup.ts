/**
 * Global setup of the end-to-end suites: measures the machine's pace (support/pace.ts), then starts one
 * coturn and one signaling server (in this process, through the integration-test harness) serving the
 * built web client. Workers find the server through PARLEY_E2E_URL and the pace through
 * PARLEY_E2E_SLOWNESS (environment variables set here reach them, and their copy of playwright.config.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../../signaling/test-support/harness.js';
import { startCoturn } from './coturn.js';
import { E2E_URL_ENV, ringTimeoutS, GRACE_PERIOD_S, setRunning } from './environment.js';
import { measurePace } from './measure-pace.js';

const WEB_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

export default async function globalSetup(): Promise<void> {
  if (!existsSync(`${WEB_DIR}index.html`)) {
    throw new Error(`The web client is not built (${WEB_DIR}index.html is missing): run npm run build:web`);
  }
  await measurePace(WEB_DIR);
  const coturn = await startCoturn();
  try {
    const server = await startTestServer({
      webDir: WEB_DIR,
      ringTimeout: ringTimeoutS(),
      gracePeriod: GRACE_PERIOD_S,
      turnUrls: coturn.urls,
      turnSecret: coturn.secret,
      // Every test registers its own people from 127.0.0.1: no limit may get in the way.
      registrationsPerHour: 100_000,
      // The desktop app's pages come from app://parley (e2e/desktop.spec.ts).
      allowedOrigins: ['app://parley'],
      invitesPerMinute: 1000,
      relayPer10s: 10_000,
      loginFailuresPerAccountAddress: 1000,
      loginFailuresPerAddress: 100_000,
    });
    process.env[E2E_URL_ENV] = server.url;
    setRunning({ server, coturn });
  } catch (err) {
    await coturn.stop();
    throw err;
  }
}
