/**
 * The registry of live calls (ringing or active). Shared between server
 * nodes, hence async and with atomic operations; the local implementation
 * serves one node and keeps answered calls across a restart (the Redis one,
 * calls/redis-registry.ts, serves several nodes). Ended calls leave the
 * registry and live on in the history table.
 */
import type { LiveCallsTable } from '../db/live-calls.js';
import { KeyedQueue } from '../keyed-queue.js';
import type { LiveCall } from '../domain.js';

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

const byCreation = (a: LiveCall, b: LiveCall): number =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The registry of a node without Redis: every live call in memory, where claims and updates are decided
 * (a claim checks and adds with nothing in between, so it is atomic; updates of one call take turns).
 * Answered calls are also written to the database (the live_calls table), so that they outlive a
 * restart: a deploy does not end them, since their media is peer-to-peer. A ringing call is never
 * written: a restart ends it as interrupted whatever was kept (its history row, open, says so), so
 * placing, declining, cancelling or missing a call costs the database nothing here.
 *
 * An update that must write waits for the write before it changes the call in memory, and a failed
 * write leaves the call as it was. Meanwhile the call is still the one before the update (a claim for
 * either party is refused, as it was a moment before).
 */
export class LocalCallRegistry implements CallRegistry {
  private readonly calls = new Map<string, LiveCall>();
  /** Each party's calls, by user id. */
  private readonly byUser = new Map<number, LiveCall[]>();
  /** Ids of the calls that have a row in the table. */
  private readonly stored = new Set<string>();
  private readonly updates = new KeyedQueue<string>();

  private constructor(private readonly table: LiveCallsTable) {}

  /** The registry with the calls the table kept (answered calls of the previous run, or a crash's). */
  static async open(table: LiveCallsTable): Promise<LocalCallRegistry> {
    const registry = new LocalCallRegistry(table);
    for (const call of await table.all()) {
      registry.stored.add(call.id);
      registry.add(call);
    }
    return registry;
  }

  async claim(call: LiveCall): Promise<ClaimResult> {
    if (this.byUser.has(call.caller.userId)) return 'caller-in-call';
    if (this.byUser.has(call.callee.userId)) return 'callee-in-call';
    this.add(call);
    // Placing a call claims it ringing, which is not written; one claimed answered would be.
    if (call.state === 'active') {
      try {
        await this.write(call);
      } catch (err) {
        this.remove(call);
        throw err;
      }
    }
    return 'ok';
  }

  async get(callId: string): Promise<LiveCall | undefined> {
    return this.calls.get(callId);
  }

  update<R>(
    callId: string,
    change: (call: LiveCall) => { next: LiveCall | null | undefined; result: R },
  ): Promise<R | undefined> {
    return this.updates.run(callId, async () => {
      const current = this.calls.get(callId);
      if (!current) return undefined;
      const { next, result } = change(current);
      if (next === undefined) return result;
      if (next === null) {
        if (this.stored.has(callId)) {
          await this.table.delete(callId);
          this.stored.delete(callId);
        }
        this.remove(current);
        return result;
      }
      if (next.state === 'active' || this.stored.has(callId)) await this.write(next);
      this.remove(current);
      this.add(next);
      return result;
    });
  }

  async callsOf(userId: number): Promise<LiveCall[]> {
    return [...(this.byUser.get(userId) ?? [])];
  }

  async all(): Promise<LiveCall[]> {
    return [...this.calls.values()].sort(byCreation);
  }

  async countByState(): Promise<Record<LiveCall['state'], number>> {
    const counts = { ringing: 0, active: 0 };
    for (const call of this.calls.values()) counts[call.state]++;
    return counts;
  }

  private async write(call: LiveCall): Promise<void> {
    await this.table.put(call);
    this.stored.add(call.id);
  }

  private add(call: LiveCall): void {
    this.calls.set(call.id, call);
    for (const userId of parties(call)) {
      const calls = this.byUser.get(userId);
      if (calls) calls.push(call);
      else this.byUser.set(userId, [call]);
    }
  }

  private remove(call: LiveCall): void {
    this.calls.delete(call.id);
    for (const userId of parties(call)) {
      const rest = (this.byUser.get(userId) ?? []).filter((c) => c.id !== call.id);
      if (rest.length > 0) this.byUser.set(userId, rest);
      else this.byUser.delete(userId);
    }
  }
}

/** The users a call is between (one, for a call a user somehow placed to themselves). */
const parties = (call: LiveCall): number[] =>
  call.caller.userId === call.callee.userId ? [call.caller.userId] : [call.caller.userId, call.callee.userId];
