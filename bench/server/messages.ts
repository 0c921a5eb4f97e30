/**
 * The messages the benchmark's processes exchange over their IPC channels: the orchestrator (main.ts)
 * with the measured server's probe (probe.ts) and with each load worker (load-worker.ts). Times are
 * `monotonicMs()` (proc.ts), comparable across processes.
 */

export interface ProbeRequest {
  id: number;
  /** Collect garbage first. */
  gc: boolean;
  /** Write a heap snapshot to this file (after the GC) before replying. */
  heapSnapshot?: string;
}

export interface ProbeReply {
  id: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  rss: number;
  /** Event-loop delay since the previous reply (monitorEventLoopDelay, less its 5 ms sampling interval). */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** The garbage collector's pauses since the previous reply (the GC this request made is not among them). */
  gcPauses: { count: number; totalMs: number; maxMs: number };
}

/** One seeded account a worker connects as. */
export interface Account {
  index: number;
  username: string;
  token: string;
}

export interface WorkerSetup {
  url: string;
  /** Usernames are `${prefix}${index}` (users seed). */
  prefix: string;
  /** Accounts in the run and contacts each; the contact ring is `forEachContactPair`'s. */
  count: number;
  contacts: number;
  /** This worker's accounts: consecutive indexes, an even number of them (ring pairs are 2j, 2j+1). */
  accounts: Account[];
}

export type WorkerCommand =
  /** Connect the worker's clients after those connected so far, up to index `upTo` of its share. */
  | { type: 'connect'; concurrency: number; upTo: number }
  /** Close every client's connection (not counted as a disconnect); the next `connect` starts again from the first. */
  | { type: 'disconnect-all' }
  | { type: 'ring'; rate: number; seconds: number }
  | { type: 'presence'; rate: number; seconds: number }
  /** After the presence phase: the last state each toggled account sent (index -> 1 away, 0 online). */
  | { type: 'presence-collect'; finalStates: Int8Array }
  /** During the presence drain: how many contacts' views still differ from these last states. */
  | { type: 'presence-check'; finalStates: Int8Array }
  | { type: 'count-disconnects' }
  /**
   * The restart phase (restart-clients.ts): connect a SignalingClient per account, each back on
   * `session.ready` (Parley) or on its connect (bare, whose session.ready is empty).
   */
  | { type: 'restart-connect'; url: string; concurrency: number; backOn: 'session.ready' | 'connect' }
  /** From now on, record when each client is back and when its view of its contacts' presence settles. */
  | { type: 'restart-mark' }
  /** With the clients' happenings since the mark only at the end (reading them all costs the worker CPU). */
  | { type: 'restart-report'; happenings: boolean }
  | { type: 'restart-close' }
  | { type: 'exit' };

export type ErrorCounts = Record<string, number>;

export type WorkerReport =
  | { type: 'ready' }
  | { type: 'connected'; connected: number; errors: ErrorCounts; latencies: Float64Array }
  | { type: 'disconnected-all'; closed: number }
  | {
      type: 'ring-done';
      sent: number;
      /** Invites due while every pair of the worker was still in a call: the rate was not met. */
      skipped: number;
      /** Invites whose `call.incoming` never came within the pair timeout. */
      timedOut: number;
      errors: ErrorCounts;
      latencies: Float64Array;
      /** The worker's event-loop delay p99 during the phase (ms, less the 5 ms sampling interval). */
      loopDelayP99Ms: number;
    }
  /** Sends as triples (index, state 1 away / 0 online, time). */
  | { type: 'presence-sent'; sends: Float64Array; errors: ErrorCounts }
  | {
      type: 'presence-received';
      /** Receipts as quadruples (sender index, state, time, receiver index). */
      receipts: Float64Array;
      /** (receiver, contact) views checked against the contact's last state, and how many were wrong. */
      finalChecked: number;
      finalWrong: number;
      /** The worker's event-loop delay p99 during the phase and its drain. */
      loopDelayP99Ms: number;
    }
  | { type: 'presence-checked'; finalWrong: number; receipts: number }
  | { type: 'disconnects'; disconnected: number; shutdownNotices: number }
  | { type: 'restart-connected'; connected: number; errors: ErrorCounts }
  | { type: 'restart-marked' }
  | { type: 'restart-closed' }
  | {
      type: 'restart-reported';
      /** Per client, since the mark: when it was back, and when its presence view last became right (NaN: not). */
      backAt: Float64Array;
      settledAt: Float64Array;
      /**
       * Its drops and failed attempts since the mark, by the client's words ("disconnected: transport
       * close", "attempt failed: websocket error"): how each was closed decides its reconnect schedule.
       */
      happenings: ErrorCounts;
    };
