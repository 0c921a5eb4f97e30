/**
 * The contacts table: mutual contacts and pending requests, one row per side. Each user's accepted
 * contact ids (read by every presence announcement) are cached; this table's writes drop both sides'.
 * Reading a user's list also fills that cache, so a connect (which needs both the list, for
 * `session.ready`, and the ids, to announce the user online) reads the rows once.
 */
import type { ContactState } from '../protocol/index.js';
import type { CacheMap } from './read-cache.js';
import type { Sql } from './sql.js';

export interface ContactRow {
  peerId: number;
  username: string;
  displayName: string;
  state: ContactState;
}

const UPSERT = `INSERT INTO contacts (owner_id, peer_id, state, created_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (owner_id, peer_id) DO UPDATE SET state = excluded.state`;
const DELETE = 'DELETE FROM contacts WHERE owner_id = ? AND peer_id = ?';

export class ContactsTable {
  private readonly acceptedCache: CacheMap<number, readonly number[]>;

  constructor(private readonly sql: Sql) {
    this.acceptedCache = sql.cache.map('accepted contact ids');
  }

  /** Every relation of the user, by display name; use `acceptedPeerIds` for the ids of its accepted ones. */
  async list(ownerId: number): Promise<ContactRow[]> {
    const ticket = this.acceptedCache.ticket();
    // lower(): case-insensitive in both databases (SQLite's NOCASE is not PostgreSQL's).
    const rows = await this.sql.all<ContactRow>(
      `SELECT c.peer_id AS "peerId", u.username, u.display_name AS "displayName", c.state
         FROM contacts c JOIN users u ON u.id = c.peer_id
        WHERE c.owner_id = ? ORDER BY lower(u.display_name), u.username`,
      [ownerId],
    );
    this.acceptedCache.set(ownerId, acceptedPeerIds(rows), ticket);
    return rows;
  }

  /** The relation as `ownerId` sees it. */
  async stateOf(ownerId: number, peerId: number): Promise<ContactState | undefined> {
    const row = await this.sql.get<{ state: ContactState }>(
      'SELECT state FROM contacts WHERE owner_id = ? AND peer_id = ?',
      [ownerId, peerId],
    );
    return row?.state;
  }

  /** Whether the two are mutual contacts: from the cached accepted ids when they are at hand (a caller online). */
  async isAccepted(ownerId: number, peerId: number): Promise<boolean> {
    const hit = this.acceptedCache.get(ownerId);
    if (hit) return hit.includes(peerId);
    return (await this.stateOf(ownerId, peerId)) === 'accepted';
  }

  async acceptedIds(ownerId: number): Promise<readonly number[]> {
    const hit = this.acceptedCache.get(ownerId);
    if (hit) return hit;
    const ticket = this.acceptedCache.ticket();
    const rows = await this.sql.all<{ peer_id: number }>(
      "SELECT peer_id FROM contacts WHERE owner_id = ? AND state = 'accepted'",
      [ownerId],
    );
    const ids = rows.map((r) => r.peer_id);
    this.acceptedCache.set(ownerId, ids, ticket);
    return ids;
  }

  /** Writes both sides of a relation at once. */
  async setPair(
    fromId: number,
    toId: number,
    fromState: ContactState,
    toState: ContactState,
    now: number,
  ): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.run(UPSERT, [fromId, toId, fromState, now]);
      await tx.run(UPSERT, [toId, fromId, toState, now]);
    });
    this.forget(fromId, toId);
  }

  async deletePair(a: number, b: number): Promise<boolean> {
    const removed = await this.sql.transaction(
      async (tx) => (await tx.run(DELETE, [a, b])) + (await tx.run(DELETE, [b, a])),
    );
    this.forget(a, b);
    return removed > 0;
  }

  private forget(a: number, b: number): void {
    this.acceptedCache.delete(a);
    this.acceptedCache.delete(b);
  }
}

/** The ids of the accepted contacts among a user's `list`: what `acceptedIds` answers, from rows already read. */
export function acceptedPeerIds(rows: readonly ContactRow[]): number[] {
  // map() allocates exactly its length; an array grown by push() would keep up to half as much again
  // spare, and the cache keeps one of these per connected user (0.2 KiB each at 50 contacts).
  return rows.filter((row) => row.state === 'accepted').map((row) => row.peerId);
}
