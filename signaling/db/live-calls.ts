/**
 * The live_calls table: the answered calls of a node without Redis, so that they outlive a restart of
 * the server (calls/registry.ts keeps every live call in memory and writes the answered ones here).
 * Rows a crash or an older version left of ringing calls are read at start like the others, and ended.
 */
import type { LiveCall } from '../domain.js';
import type { Media } from '../protocol/index.js';
import type { Sql } from './sql.js';

interface RawRow {
  id: string;
  media: Media;
  caller_id: number;
  caller_device: string;
  callee_id: number;
  callee_device: string | null;
  state: 'ringing' | 'active';
  created_at: number;
  answered_at: number | null;
}

const fromRaw = (r: RawRow): LiveCall => ({
  id: r.id,
  media: r.media,
  caller: { userId: r.caller_id, deviceId: r.caller_device },
  callee: { userId: r.callee_id, deviceId: r.callee_device },
  state: r.state,
  createdAt: r.created_at,
  answeredAt: r.answered_at,
});

export class LiveCallsTable {
  constructor(private readonly sql: Sql) {}

  /** Adds the call, or replaces the row with its id. */
  async put(call: LiveCall): Promise<void> {
    await this.sql.run(
      `INSERT INTO live_calls
              (id, media, caller_id, caller_device, callee_id, callee_device, state, created_at, answered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET media = excluded.media, caller_id = excluded.caller_id,
         caller_device = excluded.caller_device, callee_id = excluded.callee_id,
         callee_device = excluded.callee_device, state = excluded.state, created_at = excluded.created_at,
         answered_at = excluded.answered_at`,
      [
        call.id,
        call.media,
        call.caller.userId,
        call.caller.deviceId,
        call.callee.userId,
        call.callee.deviceId,
        call.state,
        call.createdAt,
        call.answeredAt,
      ],
    );
  }

  async delete(id: string): Promise<void> {
    await this.sql.run('DELETE FROM live_calls WHERE id = ?', [id]);
  }

  /** Every row, oldest first. */
  async all(): Promise<LiveCall[]> {
    return (await this.sql.all<RawRow>('SELECT * FROM live_calls ORDER BY created_at, id')).map(fromRaw);
  }
}
