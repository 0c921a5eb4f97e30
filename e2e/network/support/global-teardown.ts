/** Global teardown of the network suite: stops the server and coturn, removes the bridge and namespaces. */
import { takeRunning } from './environment.js';

export default async function globalTeardown(): Promise<void> {
  await takeRunning()?.stop();
}
