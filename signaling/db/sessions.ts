/** The sessions table. Only a SHA-256 of each token is stored. */
import type { Db } from './database.js';

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

  constructor(db: Db) {
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
    return this.lookup.get(tokenHash);
  }

  /** Sets last_used_at to `now` if it was last set at `staleAt` or before (saves a write per connect). */
  touch(tokenHash: Buffer, now: number, staleAt: number): void {
    this.touchStmt.run({ tokenHash, now, staleAt });
  }

  /** Deletes a session; returns its user id, or undefined when there was none. */
  delete(tokenHash: Buffer): number | undefined {
    return this.deleteOne.get(tokenHash)?.user_id;
  }

  deleteAllForUser(userId: number): number {
    return this.deleteForUser.run(userId).changes;
  }

  /** Deletes sessions last used at or before `idleBefore` or created at or before `createdBefore`. */
  deleteExpired(idleBefore: number, createdBefore: number): { tokenHash: Buffer; userId: number }[] {
    return this.deleteExpiredStmt.all({ idleBefore, createdBefore });
  }
}
