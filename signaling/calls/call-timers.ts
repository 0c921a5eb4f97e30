/**
 * A call's ring and grace timers: each one, when due, applies an action (`timeout`, `connection-lost`)
 * to its call through `fire`. If `fire` fails (the registry could not be updated), the failure is logged
 * and the timer is tried again, so no call rings or waits forever. Applying an action twice is safe: the
 * registry update is atomic and a call that moved on refuses it.
 *
 * `LocalCallTimers` keeps them in this process (one node); `RedisCallTimers` (redis-timers.ts) in Redis,
 * where any node fires them, also when the node that armed them is gone.
 */
import type { Logger } from '../log.js';
import type { CallAction } from './machine.js';
import { Timers } from './timers.js';

/** The actions a timer applies. */
export type TimerAction = Extract<CallAction, { type: 'timeout' } | { type: 'connection-lost' }>;

export type FireTimer = (callId: string, action: TimerAction) => Promise<void>;

export interface CallTimers {
  /** Starts firing due timers through `fire`. */
  start(fire: FireTimer): void;
  /** Arms (or re-arms) the timer `name`, due in `ms`. */
  arm(name: string, ms: number, callId: string, action: TimerAction): Promise<void>;
  /** Cancels the timer `name`; resolves whether it was pending. */
  clear(name: string): Promise<boolean>;
  /** Stops firing. Local timers are dropped; shared ones stay for the other nodes. */
  stop(): Promise<void>;
}

/** How soon a timer whose action failed is tried again. */
export const TIMER_RETRY_MS = 1_000;

export const logTimerFailure = (log: Logger, err: unknown, callId: string, action: TimerAction): void =>
  log.error({ err, callId, action: action.type }, 'call timer failed; trying again');

export class LocalCallTimers implements CallTimers {
  private readonly timers = new Timers();
  private fire: FireTimer = async () => {};
  private stopped = false;

  constructor(private readonly log: Logger) {}

  start(fire: FireTimer): void {
    this.fire = fire;
  }

  async arm(name: string, ms: number, callId: string, action: TimerAction): Promise<void> {
    if (this.stopped) return;
    this.timers.set(name, ms, () => {
      this.fire(callId, action).catch((err: unknown) => {
        logTimerFailure(this.log, err, callId, action);
        void this.arm(name, TIMER_RETRY_MS, callId, action);
      });
    });
  }

  async clear(name: string): Promise<boolean> {
    return this.timers.clear(name);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearAll();
  }
}
