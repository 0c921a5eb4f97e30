/**
 * Session lifetime: tokens, idle and absolute expiry, and the revocation log. Every way a session ends
 * (sign-out, a disabled account, expiry) deletes it and appends to the revocations table in one
 * transaction; servers read that log to close the session's open connections (realtime/revocations.ts).
 */
import type { Db } from '../db/database.js';
import { RevocationsTable, type Revocation } from '../db/revocations.js';
import { SessionsTable } from '../db/sessions.js';
import { hashToken, newSessionToken } from './tokens.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface SessionLifetime {
  /** A session unused for this long has expired. */
  idleMs: number;
  /** A session this old has expired, however much it is used. */
  maxMs: number;
}

export const DEFAULT_SESSION_LIFETIME: SessionLifetime = { idleMs: 30 * DAY_MS, maxMs: 180 * DAY_MS };

/** How long revocations stay in the log: far longer than any server takes to read it. */
const REVOCATION_KEEP_MS = HOUR_MS;

export class Sessions {
  private readonly table: SessionsTable;
  private readonly revocations: RevocationsTable;
  /**
   * last_used_at is written at most this often per session (it was a write on every connect): idle
   * expiry may then come up to this much early, a small share of the idle time.
   */
  private readonly touchEveryMs: number;

  constructor(
    private readonly db: Db,
    private readonly lifetime: SessionLifetime,
    private readonly now: () => number,
  ) {
    this.table = new SessionsTable(db);
    this.revocations = new RevocationsTable(db);
    this.touchEveryMs = Math.min(HOUR_MS, lifetime.idleMs / 10);
  }

  /** Starts a session; returns its token (shown once, stored only as a hash). */
  create(userId: number): string {
    const token = newSessionToken();
    this.table.insert(hashToken(token), userId, this.now());
    return token;
  }

  /** The user id of a live (unexpired) session, marking it as used. */
  use(token: string): number | undefined {
    const tokenHash = hashToken(token);
    const now = this.now();
    const session = this.table.find(tokenHash);
    if (!session || this.expired(session.createdAt, session.lastUsedAt, now)) return undefined;
    this.table.touch(tokenHash, now, now - this.touchEveryMs);
    return session.userId;
  }

  /** Signs a live session out. Returns whether there was one (an expired session is not). */
  signOut(token: string): boolean {
    const tokenHash = hashToken(token);
    const session = this.table.find(tokenHash);
    if (!session || this.expired(session.createdAt, session.lastUsedAt, this.now())) return false;
    this.db.transaction(() => {
      this.table.delete(tokenHash);
      this.revocations.append(session.userId, tokenHash, 'signed-out', this.now());
    })();
    return true;
  }

  /** Ends every session of a disabled user; to be called inside the transaction that disables it. */
  endAllOfDisabledUser(userId: number): void {
    this.table.deleteAllForUser(userId);
    this.revocations.append(userId, null, 'disabled', this.now());
  }

  /**
   * Marks the sessions of open connections as used, so that a device that stays connected does not
   * idle out; at most one write per session per touch interval.
   */
  keepAlive(tokenHashes: Iterable<Buffer>): void {
    const now = this.now();
    this.db.transaction(() => {
      for (const tokenHash of tokenHashes) this.table.touch(tokenHash, now, now - this.touchEveryMs);
    })();
  }

  /** Deletes expired sessions, logging each as revoked, and prunes old revocations. Returns how many expired. */
  sweep(): number {
    const now = this.now();
    return this.db.transaction(() => {
      const expired = this.table.deleteExpired(now - this.lifetime.idleMs, now - this.lifetime.maxMs);
      for (const { tokenHash, userId } of expired) this.revocations.append(userId, tokenHash, 'expired', now);
      this.revocations.prune(now - REVOCATION_KEEP_MS);
      return expired.length;
    })();
  }

  /** Revocations after `id`, oldest first, at most `limit`. */
  revokedAfter(id: number, limit: number): Revocation[] {
    return this.revocations.after(id, limit);
  }

  /** The id of the newest revocation (0 when there is none): where a starting server begins reading. */
  lastRevocationId(): number {
    return this.revocations.lastId();
  }

  private expired(createdAt: number, lastUsedAt: number, now: number): boolean {
    return now - lastUsedAt >= this.lifetime.idleMs || now - createdAt >= this.lifetime.maxMs;
  }
}
