/** The sessions table. Only a SHA-256 of each token is stored. */
import type { Db } from './database.js';

export class SessionsTable {
  private readonly insertRow;
  private readonly lookup;
  private readonly touchStmt;
  private readonly deleteOne;
  private readonly deleteForUser;

  constructor(db: Db) {
    this.insertRow = db.prepare<[Buffer, number, number, number]>(
      'INSERT INTO sessions (token_hash, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?)',
    );
    this.lookup = db.prepare<[Buffer], { user_id: number }>(
      'SELECT user_id FROM sessions WHERE token_hash = ?',
    );
    this.touchStmt = db.prepare<[number, Buffer]>(
      'UPDATE sessions SET last_used_at = ? WHERE token_hash = ?',
    );
    this.deleteOne = db.prepare<[Buffer]>('DELETE FROM sessions WHERE token_hash = ?');
    this.deleteForUser = db.prepare<[number]>('DELETE FROM sessions WHERE user_id = ?');
  }

  insert(tokenHash: Buffer, userId: number, now: number): void {
    this.insertRow.run(tokenHash, userId, now, now);
  }

  /** The user id a token hash belongs to, marking the session as used. */
  use(tokenHash: Buffer, now: number): number | undefined {
    const row = this.lookup.get(tokenHash);
    if (row) this.touchStmt.run(now, tokenHash);
    return row?.user_id;
  }

  /** Returns whether a session was deleted. */
  delete(tokenHash: Buffer): boolean {
    return this.deleteOne.run(tokenHash).changes > 0;
  }

  deleteAllForUser(userId: number): number {
    return this.deleteForUser.run(userId).changes;
  }
}
