/**
 * The device_bindings table: which session a device id of a user belongs to.
 * A device id is bound to the first session that connects with it, so
 * another session of the same user cannot take over a device (and the call
 * bound to it). Rows go with their session (ON DELETE CASCADE).
 *
 * Every connect binds, which was a write transaction each time. A binding
 * this table wrote within the last BINDING_REFRESH_MS is remembered per
 * session and confirmed from memory instead; its use is noted in memory and
 * written before the session's bindings are next pruned, so the pruning keeps
 * the same ids as if every use had been written. A binding of another session
 * is never confirmed from memory (that session may have ended and its rows
 * gone with it): the database decides. One that memory does not hold (the
 * server started since) is read first: this session's, written within
 * BINDING_REFRESH_MS, is confirmed and remembered as if this table had
 * written it, so a restart's reconnect storm reads rather than writes.
 */
import type { CacheMap } from './read-cache.js';
import type { Sql } from './sql.js';

/**
 * Device ids kept per session; the least recently used beyond this are
 * forgotten, so a client that invents a new id per connection cannot grow the
 * table without bound. Only the session itself can push its own ids out.
 */
export const BINDINGS_PER_SESSION = 100;

/** How long a binding written by this table is confirmed without writing it again. */
export const BINDING_REFRESH_MS = 3_600_000;

interface KnownBinding {
  userId: number;
  deviceId: string;
  writtenAt: number;
  /** Last use; written before the next prune when later than writtenAt. */
  usedAt: number;
}

/**
 * A session's remembered bindings: a list, not a Map, since a session has one or two devices (an empty
 * Map's table alone is some 200 bytes, per connected session) and at most BINDINGS_PER_SESSION.
 */
type SessionBindings = KnownBinding[];

export class DeviceBindingsTable {
  /** By token hash, hex. */
  private readonly known: CacheMap<string, SessionBindings>;

  constructor(private readonly sql: Sql) {
    this.known = sql.cache.map('device bindings');
  }

  /**
   * Binds the device id to the session if it is free; returns whether it belongs to this session.
   * `session`: the token hash in hex, when the caller keeps that string too (one copy instead of two).
   */
  async bind(
    userId: number,
    deviceId: string,
    tokenHash: Buffer,
    now: number,
    session = tokenHash.toString('hex'),
  ): Promise<boolean> {
    const mine = this.known.get(session);
    const known = mine?.find((b) => b.userId === userId && b.deviceId === deviceId);
    if (known && now - known.writtenAt < BINDING_REFRESH_MS) {
      known.usedAt = Math.max(known.usedAt, now);
      return true;
    }
    if (!known && this.known.keeps && (await this.confirmStored(userId, deviceId, tokenHash, now, session)))
      return true;
    if (!(await this.write(userId, deviceId, tokenHash, now, mine ?? []))) return false;
    if (known) Object.assign(known, { writtenAt: now, usedAt: now });
    else this.remember(session, { userId, deviceId, writtenAt: now, usedAt: now });
    return true;
  }

  /**
   * A binding this session has in the database, written within BINDING_REFRESH_MS, that memory does
   * not hold (the server started since, or another process's write emptied the cache): confirmed by
   * reading it rather than writing it again, so that a restart's reconnects read instead of each
   * committing a write. Returns false, leaving it to `write`, for none, an older one, or another
   * session's (which `write` refuses atomically). Not for a cache that keeps nothing (PostgreSQL): it
   * could not remember this use, which the next prune must write, so there every connect writes.
   */
  private async confirmStored(
    userId: number,
    deviceId: string,
    tokenHash: Buffer,
    now: number,
    session: string,
  ): Promise<boolean> {
    const ticket = this.known.ticket();
    const stored = await this.sql.get<{ tokenHash: Buffer; lastUsedAt: number }>(
      `SELECT token_hash AS "tokenHash", last_used_at AS "lastUsedAt" FROM device_bindings
        WHERE user_id = ? AND device_id = ?`,
      [userId, deviceId],
    );
    if (!stored?.tokenHash.equals(tokenHash) || now - stored.lastUsedAt >= BINDING_REFRESH_MS) return false;
    this.remember(session, { userId, deviceId, writtenAt: stored.lastUsedAt, usedAt: now }, ticket);
    return true;
  }

  /**
   * Adds a binding to the session's list (looked up again: another connect of the session may have
   * started one meanwhile). A new list is made holding the binding: an empty array's first push
   * reserves room for 17, which would be 128 spare bytes per connected session. `ticket`: for a binding
   * read rather than written, taken before the read; if the cache was emptied since, it is not kept.
   */
  private remember(session: string, binding: KnownBinding, ticket?: number): void {
    const mine = this.known.get(session);
    if (ticket !== undefined && ticket !== this.known.ticket()) return;
    if (mine) mine.push(binding);
    else this.known.set(session, [binding]);
  }

  /** Binds (or refreshes) the id, writes the session's remembered uses, and prunes its oldest ids. */
  private write(
    userId: number,
    deviceId: string,
    tokenHash: Buffer,
    now: number,
    mine: SessionBindings,
  ): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      // One row changed: inserted, or this session's own row refreshed. None: the id is another
      // session's (the update's WHERE held it back), in both databases.
      const changed = await tx.run(
        `INSERT INTO device_bindings (user_id, device_id, token_hash, last_used_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, device_id) DO UPDATE SET last_used_at = excluded.last_used_at
          WHERE device_bindings.token_hash = excluded.token_hash`,
        [userId, deviceId, tokenHash, now],
      );
      if (changed === 0) return false;
      for (const known of mine) {
        if (known.usedAt > known.writtenAt)
          await tx.run('UPDATE device_bindings SET last_used_at = ? WHERE user_id = ? AND device_id = ?', [
            known.usedAt,
            known.userId,
            known.deviceId,
          ]);
        known.writtenAt = known.usedAt;
      }
      // Most sessions have a device or two, and counting their ids costs a fraction of the delete below
      // (its subquery and RETURNING), which finds nothing to delete until a session has more.
      const bound = await tx.get<{ n: number }>(
        'SELECT count(*) AS n FROM device_bindings WHERE token_hash = ?',
        [tokenHash],
      );
      if (bound!.n <= BINDINGS_PER_SESSION) return true;
      const pruned = await tx.all<{ deviceKey: string }>(
        `DELETE FROM device_bindings WHERE token_hash = ? AND device_id NOT IN (
           SELECT device_id FROM device_bindings WHERE token_hash = ? ORDER BY last_used_at DESC LIMIT ?)
         RETURNING user_id || ':' || device_id AS "deviceKey"`,
        [tokenHash, tokenHash, BINDINGS_PER_SESSION],
      );
      if (pruned.length > 0) {
        const gone = new Set(pruned.map((p) => p.deviceKey));
        const kept = mine.filter((b) => !gone.has(`${b.userId}:${b.deviceId}`));
        mine.splice(0, mine.length, ...kept);
      }
      return true;
    });
  }
}
