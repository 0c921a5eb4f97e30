/**
 * The registry of live calls (ringing or active). Shared between server
 * nodes, hence async and with atomic operations; the database implementation
 * keeps answered calls across a restart (the Redis one, realtime/cluster.ts,
 * serves several nodes). Ended calls leave the registry
 * and live on in the history table.
 */
import type { LiveCallsTable } from '../db/live-calls.js';
import type { LiveCall } from './machine.js';

export type ClaimResult = 'ok' | 'caller-in-call' | 'callee-in-call';

export interface CallRegistry {
  /**
   * Adds a call if neither party has a live call, atomically, so that two
   * people calling each other at once cannot both get through.
   */
  claim(call: LiveCall): Promise<ClaimResult>;
  get(callId: string): Promise<LiveCall | undefined>;
  /**
   * Applies `change` atomically to the current call. `change` returns the
   * next call, `null` to remove it (ended), or `undefined` to leave it.
   */
  update<R>(
    callId: string,
    change: (call: LiveCall) => { next: LiveCall | null | undefined; result: R },
  ): Promise<R | undefined>;
  /** Live calls a user is a party to (at most one today; a list leaves room for call waiting). */
  callsOf(userId: number): Promise<LiveCall[]>;
  /** Every live call (for shutdown and start-up). */
  all(): Promise<LiveCall[]>;
  /** How many live calls are in each state (for the metrics). */
  countByState(): Promise<Record<LiveCall['state'], number>>;
}

/**
 * The registry kept in the database (the live_calls table), so that answered calls outlive a restart of
 * the server. Each step runs in one transaction that holds both parties' calls (claim) or the call
 * (update), so claim and update are atomic.
 */
export class DatabaseCallRegistry implements CallRegistry {
  constructor(private readonly table: LiveCallsTable) {}

  async claim(call: LiveCall): Promise<ClaimResult> {
    const users = [call.caller.userId, call.callee.userId];
    return this.table.atomically({ users }, async (table) => {
      if ((await table.ofUser(call.caller.userId)).length > 0) return 'caller-in-call';
      if ((await table.ofUser(call.callee.userId)).length > 0) return 'callee-in-call';
      await table.put(call);
      return 'ok';
    });
  }

  async get(callId: string): Promise<LiveCall | undefined> {
    return this.table.get(callId);
  }

  async update<R>(
    callId: string,
    change: (call: LiveCall) => { next: LiveCall | null | undefined; result: R },
  ): Promise<R | undefined> {
    return this.table.atomically({ call: callId }, async (table) => {
      const call = await table.get(callId);
      if (!call) return undefined;
      const { next, result } = change(call);
      if (next === null) await table.delete(callId);
      else if (next !== undefined) await table.put(next);
      return result;
    });
  }

  async callsOf(userId: number): Promise<LiveCall[]> {
    return this.table.ofUser(userId);
  }

  async all(): Promise<LiveCall[]> {
    return this.table.all();
  }

  async countByState(): Promise<Record<LiveCall['state'], number>> {
    return this.table.countByState();
  }
}
