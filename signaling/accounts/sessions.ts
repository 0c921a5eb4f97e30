/**
 * Session lifetime: tokens, idle and absolute expiry, and the revocation log. Every way a session ends
 * (sign-out, a disabled account, expiry) deletes it and appends to the revocations table in one
 * transaction; servers read that log to close the session's open connections (realtime/revocations.ts).
 */
import type { Sql } from '../db/sql.js';
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
    private readonly db: Sql,
    private readonly lifetime: SessionLifetime,
    private readonly now: () => number,
  ) {
    this.table = new SessionsTable(db);
    this.revocations = new RevocationsTable(db);
    this.touchEveryMs = Math.min(HOUR_MS, lifetime.idleMs / 10);
  }

  /** Starts a session (in transaction `tx` if given); returns its token (shown once, stored only as a hash). */
  async create(userId: number, tx?: Sql): Promise<string> {
    const token = newSessionToken();
    await (tx ? new SessionsTable(tx) : this.table).insert(hashToken(token), userId, this.now());
    return token;
  }

  /**
   * The user id of a live (unexpired) session, marking it as used. `tokenHash` and `tokenHashHex`: the
   * token's hash (and in hex) when the caller has it already (a handshake keeps both), which saves
   * hashing it twice and keeps one copy of the hex string, not two.
   */
  async use(token: string, tokenHash = hashToken(token), tokenHashHex?: string): Promise<number | undefined> {
    const now = this.now();
    const session = await this.table.find(tokenHash, tokenHashHex);
    if (!session || this.expired(session.createdAt, session.lastUsedAt, now)) return undefined;
    await this.table.touch(tokenHash, now, now - this.touchEveryMs, tokenHashHex);
    return session.userId;
  }

  /** Signs a live session out. Returns whether there was one (an expired session is not). */
  async signOut(token: string): Promise<boolean> {
    const tokenHash = hashToken(token);
    const session = await this.table.find(tokenHash);
    if (!session || this.expired(session.createdAt, session.lastUsedAt, this.now())) return false;
    await this.db.transaction(async (tx) => {
      await new SessionsTable(tx).delete(tokenHash);
      await new RevocationsTable(tx).append(session.userId, tokenHash, 'signed-out', this.now());
    });
    return true;
  }

  /** Ends every session of a disabled user; `tx` is the transaction that disables it. */
  async endAllOfDisabledUser(tx: Sql, userId: number): Promise<void> {
    await new SessionsTable(tx).deleteAllForUser(userId);
    await new RevocationsTable(tx).append(userId, null, 'disabled', this.now());
  }

  /**
   * Marks the sessions of open connections as used, so that a device that stays connected does not
   * idle out; at most one write per session per touch interval. `tokenHashesHex`: as the connections
   * keep them (and the sessions cache is keyed).
   */
  async keepAlive(tokenHashesHex: Iterable<string>): Promise<void> {
    const now = this.now();
    await this.db.transaction(async (tx) => {
      const sessions = new SessionsTable(tx);
      for (const hex of tokenHashesHex)
        await sessions.touch(Buffer.from(hex, 'hex'), now, now - this.touchEveryMs, hex);
    });
  }

  /** Deletes expired sessions, logging each as revoked, and prunes old revocations. Returns how many expired. */
  sweep(): Promise<number> {
    const now = this.now();
    return this.db.transaction(async (tx) => {
      const revocations = new RevocationsTable(tx);
      const expired = await new SessionsTable(tx).deleteExpired(
        now - this.lifetime.idleMs,
        now - this.lifetime.maxMs,
      );
      for (const { tokenHash, userId } of expired)
        await revocations.append(userId, tokenHash, 'expired', now);
      await revocations.prune(now - REVOCATION_KEEP_MS);
      return expired.length;
    });
  }

  /** Revocations after `id`, oldest first, at most `limit`. */
  revokedAfter(id: number, limit: number): Promise<Revocation[]> {
    return this.revocations.after(id, limit);
  }

  /** The id of the newest revocation (0 when there is none): where a starting server begins reading. */
  lastRevocationId(): Promise<number> {
    return this.revocations.lastId();
  }

  private expired(createdAt: number, lastUsedAt: number, now: number): boolean {
    return now - lastUsedAt >= this.lifetime.idleMs || now - createdAt >= this.lifetime.maxMs;
  }
}
