/** The revocations table: a log of ended sessions that every server reads by id. */
import type { ServerEventPayload } from '../protocol/index.js';
import type { Sql } from './sql.js';

export type RevocationReason = ServerEventPayload<'session.revoked'>['reason'];

export interface Revocation {
  id: number;
  userId: number;
  /** The ended session, or null for every session of the user. */
  tokenHash: Buffer | null;
  reason: RevocationReason;
}

export class RevocationsTable {
  constructor(private readonly sql: Sql) {}

  /** Appends one; made on a transaction's `Sql` (with PostgreSQL the lock below lasts until it ends). */
  async append(
    userId: number,
    tokenHash: Buffer | null,
    reason: RevocationReason,
    now: number,
  ): Promise<void> {
    // Readers go by "id > the last one seen": with PostgreSQL a later id could commit before an earlier
    // one and the earlier be skipped, so appenders take turns (reads are not blocked). SQLite's writers
    // take turns anyway.
    if (this.sql.dialect === 'postgres') await this.sql.run('LOCK TABLE revocations IN EXCLUSIVE MODE');
    await this.sql.run(
      'INSERT INTO revocations (user_id, token_hash, reason, created_at) VALUES (?, ?, ?, ?)',
      [userId, tokenHash, reason, now],
    );
  }

  /** Up to `limit` revocations with an id above `id`, oldest first (an index lookup). */
  after(id: number, limit: number): Promise<Revocation[]> {
    return this.sql.all<Revocation>(
      `SELECT id, user_id AS "userId", token_hash AS "tokenHash", reason FROM revocations
        WHERE id > ? ORDER BY id LIMIT ?`,
      [id, limit],
    );
  }

  /** The newest id, or 0. */
  async lastId(): Promise<number> {
    return (await this.sql.get<{ id: number | null }>('SELECT max(id) AS id FROM revocations'))?.id ?? 0;
  }

  /** Deletes revocations older than `before`; returns how many. */
  prune(before: number): Promise<number> {
    return this.sql.run('DELETE FROM revocations WHERE created_at < ?', [before]);
  }
}
