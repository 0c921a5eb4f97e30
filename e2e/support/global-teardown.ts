/** Global teardown of the end-to-end suites: stops the signaling server and coturn from global setup. */
import { takeRunning } from './environment.js';

export default async function globalTeardown(): Promise<void> {
  const running = takeRunning();
  if (!running) return;
  try {
    await running.server.stop();
  } finally {
    await running.coturn.stop();
  }
}
