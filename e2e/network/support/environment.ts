/**
 * What the network suite's global setup shares with its workers (through the
 * environment) and with its teardown (in the runner process).
 */
import { BED_ENV, type Bed } from './netbed.js';
import { runningSlot } from '../../support/environment.js';

/** Set instead of everything else when the machine cannot run the suite; the value says why. */
export const SKIP_ENV = 'PARLEY_NETBED_SKIP';

export interface NetEnvironment extends Bed {
  signalingPort: number;
  /** coturn's port for TURN over UDP and TCP. */
  turnPort: number;
  /** The SPKI hash of coturn's test certificate, for Chromium to trust. */
  certificateSpki: string;
}

export function netEnvironment(): NetEnvironment {
  const raw = process.env[BED_ENV];
  if (!raw) throw new Error(`${BED_ENV} is not set: run the suite with its config (global setup)`);
  return JSON.parse(raw) as NetEnvironment;
}

export const skipReason = (): string | null => process.env[SKIP_ENV] ?? null;

const running = runningSlot<{ stop(): Promise<void> }>('parley.e2e.network.running');
export const setRunning = running.set;
export const takeRunning = running.take;
