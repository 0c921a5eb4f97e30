/**
 * The sessions table. Only a SHA-256 of each token is stored. Rows are cached by that hash (looked up on
 * every connect); this table's writes keep the cache in step.
 */
import type { CacheMap } from './read-cache.js';
import type { Sql } from './sql.js';

export interface SessionRow {
  userId: number;
  createdAt: number;
  lastUsedAt: number;
}

export class SessionsTable {
  /** By token hash, hex. */
  private readonly cached: CacheMap<string, SessionRow>;

  constructor(private readonly sql: Sql) {
    this.cached = sql.cache.map('sessions');
  }

  async insert(tokenHash: Buffer, userId: number, now: number): Promise<void> {
    await this.sql.run(
      'INSERT INTO sessions (token_hash, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?)',
      [tokenHash, userId, now, now],
    );
  }

  /** `key`: the hash in hex, when the caller keeps that string too (one copy instead of two). */
  async find(tokenHash: Buffer, key = tokenHash.toString('hex')): Promise<SessionRow | undefined> {
    let row = this.cached.get(key);
    if (row) return row;
    const ticket = this.cached.ticket();
    row = await this.sql.get<SessionRow>(
      `SELECT user_id AS "userId", created_at AS "createdAt", last_used_at AS "lastUsedAt"
         FROM sessions WHERE token_hash = ?`,
      [tokenHash],
    );
    if (row) this.cached.set(key, row, ticket);
    return row;
  }

  /**
   * Sets last_used_at to `now` if it was last set at `staleAt` or before (saves a write per connect);
   * a session whose cached row says it is recent enough is not written at all.
   */
  async touch(
    tokenHash: Buffer,
    now: number,
    staleAt: number,
    key = tokenHash.toString('hex'),
  ): Promise<void> {
    const row = this.cached.get(key);
    if (row && row.lastUsedAt > staleAt) return;
    await this.sql.run('UPDATE sessions SET last_used_at = ? WHERE token_hash = ? AND last_used_at <= ?', [
      now,
      tokenHash,
      staleAt,
    ]);
    if (row) this.cached.set(key, { ...row, lastUsedAt: now });
  }

  /** Deletes a session; returns its user id, or undefined when there was none. */
  async delete(tokenHash: Buffer): Promise<number | undefined> {
    this.cached.delete(tokenHash.toString('hex'));
    const row = await this.sql.get<{ user_id: number }>(
      'DELETE FROM sessions WHERE token_hash = ? RETURNING user_id',
      [tokenHash],
    );
    return row?.user_id;
  }

  async deleteAllForUser(userId: number): Promise<number> {
    // Rare (an account disabled): not worth an index of the cache by user.
    this.cached.clear();
    return this.sql.run('DELETE FROM sessions WHERE user_id = ?', [userId]);
  }

  /** Deletes sessions last used at or before `idleBefore` or created at or before `createdBefore`. */
  async deleteExpired(
    idleBefore: number,
    createdBefore: number,
  ): Promise<{ tokenHash: Buffer; userId: number }[]> {
    const expired = await this.sql.all<{ tokenHash: Buffer; userId: number }>(
      `DELETE FROM sessions WHERE last_used_at <= ? OR created_at <= ?
       RETURNING token_hash AS "tokenHash", user_id AS "userId"`,
      [idleBefore, createdBefore],
    );
    for (const { tokenHash } of expired) this.cached.delete(tokenHash.toString('hex'));
    return expired;
  }
}
