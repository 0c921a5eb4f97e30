/** The revocations table: a log of ended sessions that every server reads by id. */
import type { ServerEventPayload } from '../protocol/index.js';
import type { Db } from './database.js';

export type RevocationReason = ServerEventPayload<'session.revoked'>['reason'];

export interface Revocation {
  id: number;
  userId: number;
  /** The ended session, or null for every session of the user. */
  tokenHash: Buffer | null;
  reason: RevocationReason;
}

export class RevocationsTable {
  private readonly insertRow;
  private readonly afterStmt;
  private readonly lastStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.insertRow = db.prepare<[number, Buffer | null, RevocationReason, number]>(
      'INSERT INTO revocations (user_id, token_hash, reason, created_at) VALUES (?, ?, ?, ?)',
    );
    this.afterStmt = db.prepare<[number, number], Revocation>(
      `SELECT id, user_id AS userId, token_hash AS tokenHash, reason FROM revocations
        WHERE id > ? ORDER BY id LIMIT ?`,
    );
    this.lastStmt = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM revocations');
    this.pruneStmt = db.prepare<[number]>('DELETE FROM revocations WHERE created_at < ?');
  }

  append(userId: number, tokenHash: Buffer | null, reason: RevocationReason, now: number): void {
    this.insertRow.run(userId, tokenHash, reason, now);
  }

  /** Up to `limit` revocations with an id above `id`, oldest first (the id is the rowid: an index lookup). */
  after(id: number, limit: number): Revocation[] {
    return this.afterStmt.all(id, limit);
  }

  /** The newest id, or 0. */
  lastId(): number {
    return this.lastStmt.get()?.id ?? 0;
  }

  /** Deletes revocations older than `before`; returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }
}
