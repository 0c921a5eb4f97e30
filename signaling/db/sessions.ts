/**
 * The sessions table. Only a SHA-256 of each token is stored. Rows are cached by that hash (looked up on
 * every connect); this table's writes keep the cache in step.
 */
import type { Db } from './database.js';
import { readCacheOf, type CacheMap } from './read-cache.js';

export interface SessionRow {
  userId: number;
  createdAt: number;
  lastUsedAt: number;
}

export class SessionsTable {
  private readonly insertRow;
  private readonly lookup;
  private readonly touchStmt;
  private readonly deleteOne;
  private readonly deleteForUser;
  private readonly deleteExpiredStmt;
  /** By token hash, hex. */
  private readonly cached: CacheMap<string, SessionRow>;

  constructor(db: Db) {
    this.cached = readCacheOf(db).map('sessions');
    this.insertRow = db.prepare<[Buffer, number, number, number]>(
      'INSERT INTO sessions (token_hash, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?)',
    );
    this.lookup = db.prepare<[Buffer], SessionRow>(
      `SELECT user_id AS userId, created_at AS createdAt, last_used_at AS lastUsedAt
         FROM sessions WHERE token_hash = ?`,
    );
    this.touchStmt = db.prepare<{ tokenHash: Buffer; now: number; staleAt: number }>(
      'UPDATE sessions SET last_used_at = @now WHERE token_hash = @tokenHash AND last_used_at <= @staleAt',
    );
    this.deleteOne = db.prepare<[Buffer], { user_id: number }>(
      'DELETE FROM sessions WHERE token_hash = ? RETURNING user_id',
    );
    this.deleteForUser = db.prepare<[number]>('DELETE FROM sessions WHERE user_id = ?');
    this.deleteExpiredStmt = db.prepare<
      { idleBefore: number; createdBefore: number },
      { tokenHash: Buffer; userId: number }
    >(
      `DELETE FROM sessions WHERE last_used_at <= @idleBefore OR created_at <= @createdBefore
       RETURNING token_hash AS tokenHash, user_id AS userId`,
    );
  }

  insert(tokenHash: Buffer, userId: number, now: number): void {
    this.insertRow.run(tokenHash, userId, now, now);
  }

  find(tokenHash: Buffer): SessionRow | undefined {
    const key = tokenHash.toString('hex');
    let row = this.cached.get(key);
    if (!row && (row = this.lookup.get(tokenHash))) this.cached.set(key, row);
    return row;
  }

  /**
   * Sets last_used_at to `now` if it was last set at `staleAt` or before (saves a write per connect);
   * a session whose cached row says it is recent enough is not written at all.
   */
  touch(tokenHash: Buffer, now: number, staleAt: number): void {
    const key = tokenHash.toString('hex');
    const row = this.cached.get(key);
    if (row && row.lastUsedAt > staleAt) return;
    this.touchStmt.run({ tokenHash, now, staleAt });
    if (row) this.cached.set(key, { ...row, lastUsedAt: now });
  }

  /** Deletes a session; returns its user id, or undefined when there was none. */
  delete(tokenHash: Buffer): number | undefined {
    this.cached.delete(tokenHash.toString('hex'));
    return this.deleteOne.get(tokenHash)?.user_id;
  }

  deleteAllForUser(userId: number): number {
    // Rare (an account disabled): not worth an index of the cache by user.
    this.cached.clear();
    return this.deleteForUser.run(userId).changes;
  }

  /** Deletes sessions last used at or before `idleBefore` or created at or before `createdBefore`. */
  deleteExpired(idleBefore: number, createdBefore: number): { tokenHash: Buffer; userId: number }[] {
    const expired = this.deleteExpiredStmt.all({ idleBefore, createdBefore });
    for (const { tokenHash } of expired) this.cached.delete(tokenHash.toString('hex'));
    return expired;
  }
}
