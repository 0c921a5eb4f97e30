/**
 * The device_bindings table: which session a device id of a user belongs to.
 * A device id is bound to the first session that connects with it, so
 * another session of the same user cannot take over a device (and the call
 * bound to it). Rows go with their session (ON DELETE CASCADE).
 */
import type { Db } from './database.js';

/**
 * Device ids kept per session; the least recently used beyond this are
 * forgotten, so a client that invents a new id per connection cannot grow the
 * table without bound. Only the session itself can push its own ids out.
 */
export const BINDINGS_PER_SESSION = 100;

export class DeviceBindingsTable {
  private readonly bindTx;

  constructor(db: Db) {
    const upsert = db.prepare<[number, string, Buffer, number]>(
      `INSERT INTO device_bindings (user_id, device_id, token_hash, last_used_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, device_id) DO UPDATE SET last_used_at = excluded.last_used_at
        WHERE token_hash = excluded.token_hash`,
    );
    const owner = db.prepare<[number, string], { token_hash: Buffer }>(
      'SELECT token_hash FROM device_bindings WHERE user_id = ? AND device_id = ?',
    );
    const prune = db.prepare<[Buffer, Buffer, number]>(
      `DELETE FROM device_bindings WHERE token_hash = ? AND device_id NOT IN (
         SELECT device_id FROM device_bindings WHERE token_hash = ? ORDER BY last_used_at DESC LIMIT ?)`,
    );
    this.bindTx = db.transaction((userId: number, deviceId: string, tokenHash: Buffer, now: number) => {
      upsert.run(userId, deviceId, tokenHash, now);
      if (!owner.get(userId, deviceId)!.token_hash.equals(tokenHash)) return false;
      prune.run(tokenHash, tokenHash, BINDINGS_PER_SESSION);
      return true;
    });
  }

  /** Binds the device id to the session if it is free; returns whether it belongs to this session. */
  bind(userId: number, deviceId: string, tokenHash: Buffer, now: number): boolean {
    return this.bindTx(userId, deviceId, tokenHash, now);
  }
}
