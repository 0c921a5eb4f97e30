/**
 * The contacts table: mutual contacts and pending requests, one row per side. Each user's accepted
 * contact ids (read by every presence announcement) are cached; this table's writes drop both sides'.
 */
import type { ContactState } from '../protocol/index.js';
import type { Db } from './database.js';
import { readCacheOf, type CacheMap } from './read-cache.js';

export interface ContactRow {
  peerId: number;
  username: string;
  displayName: string;
  state: ContactState;
}

export class ContactsTable {
  private readonly listStmt;
  private readonly getStmt;
  private readonly acceptedIdsStmt;
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly acceptedCache: CacheMap<number, readonly number[]>;

  constructor(private readonly db: Db) {
    this.acceptedCache = readCacheOf(db).map('accepted contact ids');
    this.listStmt = db.prepare<[number], ContactRow>(
      `SELECT c.peer_id AS peerId, u.username, u.display_name AS displayName, c.state
         FROM contacts c JOIN users u ON u.id = c.peer_id
        WHERE c.owner_id = ? ORDER BY u.display_name COLLATE NOCASE, u.username`,
    );
    this.getStmt = db.prepare<[number, number], { state: ContactState }>(
      'SELECT state FROM contacts WHERE owner_id = ? AND peer_id = ?',
    );
    this.acceptedIdsStmt = db.prepare<[number], { peer_id: number }>(
      "SELECT peer_id FROM contacts WHERE owner_id = ? AND state = 'accepted'",
    );
    this.upsertStmt = db.prepare<[number, number, ContactState, number]>(
      `INSERT INTO contacts (owner_id, peer_id, state, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (owner_id, peer_id) DO UPDATE SET state = excluded.state`,
    );
    this.deleteStmt = db.prepare<[number, number]>('DELETE FROM contacts WHERE owner_id = ? AND peer_id = ?');
  }

  list(ownerId: number): ContactRow[] {
    return this.listStmt.all(ownerId);
  }

  /** The relation as `ownerId` sees it. */
  stateOf(ownerId: number, peerId: number): ContactState | undefined {
    return this.getStmt.get(ownerId, peerId)?.state;
  }

  acceptedIds(ownerId: number): readonly number[] {
    let ids = this.acceptedCache.get(ownerId);
    if (!ids)
      this.acceptedCache.set(ownerId, (ids = this.acceptedIdsStmt.all(ownerId).map((r) => r.peer_id)));
    return ids;
  }

  /** Writes both sides of a relation at once. */
  setPair(fromId: number, toId: number, fromState: ContactState, toState: ContactState, now: number): void {
    this.db.transaction(() => {
      this.upsertStmt.run(fromId, toId, fromState, now);
      this.upsertStmt.run(toId, fromId, toState, now);
    })();
    this.forget(fromId, toId);
  }

  deletePair(a: number, b: number): boolean {
    return this.db.transaction(() => {
      const removed = this.deleteStmt.run(a, b).changes + this.deleteStmt.run(b, a).changes;
      this.forget(a, b);
      return removed > 0;
    })();
  }

  private forget(a: number, b: number): void {
    this.acceptedCache.delete(a);
    this.acceptedCache.delete(b);
  }
}
