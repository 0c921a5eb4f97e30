/**
 * Global setup of the network suite: the bridge (netbed.ts), a test
 * certificate for TURN over TLS, coturn and one signaling server listening on
 * the bridge's address. Workers find them through PARLEY_E2E_URL and
 * PARLEY_NETBED. Where namespaces cannot be made, it prints why and sets
 * PARLEY_NETBED_SKIP instead, and every test skips with that reason.
 *
 * Everything is removed in global teardown, and also when the run is
 * interrupted (SIGINT, SIGTERM): the handler below removes the namespaces
 * (killing the browsers in them) and the bridge synchronously.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../../../signaling/test-support/harness.js';
import { startCoturn } from '../../support/coturn.js';
import { E2E_URL_ENV, GRACE_PERIOD_S, ringTimeoutS } from '../../support/environment.js';
import { makeTestCertificate } from './certificate.js';
import { BED_ENV, createBed, removeRun, sweepLeftovers, whyUnavailable } from './netbed.js';
import { SKIP_ENV, setRunning, type NetEnvironment } from './environment.js';

const WEB_DIR = fileURLToPath(new URL('../../../dist/renderer/', import.meta.url));

export default async function globalSetup(): Promise<void> {
  const why = whyUnavailable();
  if (why) {
    console.log(`network suite skipped: ${why}`);
    process.env[SKIP_ENV] = why;
    return;
  }
  if (!existsSync(`${WEB_DIR}index.html`)) {
    throw new Error(`The web client is not built (${WEB_DIR}index.html is missing): run npm run build:web`);
  }
  sweepLeftovers();
  const bed = await createBed(process.pid);
  const stops: (() => Promise<void>)[] = [];
  let killCoturn = () => {};
  const onSignal = (signal: NodeJS.Signals) => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    try {
      killCoturn();
      removeRun(bed);
    } catch (err) {
      // Never throw from here: the runner's own handling (stop workers, global teardown) must go on.
      console.error(`network suite: cleanup after ${signal} failed:`, err);
    }
    // Alone, end the way the signal would have.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    const certificate = await makeTestCertificate(bed.dir, bed.gateway);
    const coturn = await startCoturn({ host: bed.gateway, tls: certificate });
    stops.push(coturn.stop);
    killCoturn = coturn.kill;
    const server = await startTestServer({
      host: bed.gateway,
      webDir: WEB_DIR,
      ringTimeout: ringTimeoutS(),
      gracePeriod: GRACE_PERIOD_S,
      turnUrls: coturn.urls,
      turnSecret: coturn.secret,
      registrationsPerHour: 100_000,
      invitesPerMinute: 1000,
      relayPer10s: 10_000,
    });
    stops.unshift(() => server.stop());
    const env: NetEnvironment = {
      ...bed,
      signalingPort: Number(new URL(server.url).port),
      turnPort: coturn.port,
      certificateSpki: certificate.spki,
    };
    process.env[E2E_URL_ENV] = server.url;
    process.env[BED_ENV] = JSON.stringify(env);
    setRunning({
      async stop() {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        try {
          for (const stop of stops) await stop();
        } finally {
          removeRun(bed);
        }
      },
    });
  } catch (err) {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    for (const stop of stops) await stop();
    removeRun(bed);
    throw err;
  }
}
