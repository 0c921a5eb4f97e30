/**
 * The registry of live calls (ringing or active). Shared between server
 * nodes, hence async and with atomic operations; the in-memory
 * implementation serves a single node. Ended calls leave the registry and
 * live on in the history table.
 */
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
  /** Every live call (for shutdown). */
  all(): Promise<LiveCall[]>;
}

export class MemoryCallRegistry implements CallRegistry {
  private readonly calls = new Map<string, LiveCall>();
  private readonly byUser = new Map<number, Set<string>>();

  async claim(call: LiveCall): Promise<ClaimResult> {
    if (this.byUser.get(call.caller.userId)?.size) return 'caller-in-call';
    if (this.byUser.get(call.callee.userId)?.size) return 'callee-in-call';
    this.calls.set(call.id, call);
    this.index(call.caller.userId).add(call.id);
    this.index(call.callee.userId).add(call.id);
    return 'ok';
  }

  async get(callId: string): Promise<LiveCall | undefined> {
    return this.calls.get(callId);
  }

  async update<R>(
    callId: string,
    change: (call: LiveCall) => { next: LiveCall | null | undefined; result: R },
  ): Promise<R | undefined> {
    const call = this.calls.get(callId);
    if (!call) return undefined;
    const { next, result } = change(call);
    if (next === null) this.remove(call);
    else if (next !== undefined) this.calls.set(callId, next);
    return result;
  }

  async callsOf(userId: number): Promise<LiveCall[]> {
    return [...(this.byUser.get(userId) ?? [])].map((id) => this.calls.get(id)!);
  }

  async all(): Promise<LiveCall[]> {
    return [...this.calls.values()];
  }

  private index(userId: number): Set<string> {
    let ids = this.byUser.get(userId);
    if (!ids) this.byUser.set(userId, (ids = new Set()));
    return ids;
  }

  private remove(call: LiveCall): void {
    this.calls.delete(call.id);
    for (const userId of [call.caller.userId, call.callee.userId]) {
      const ids = this.byUser.get(userId);
      ids?.delete(call.id);
      if (ids?.size === 0) this.byUser.delete(userId);
    }
  }
}
