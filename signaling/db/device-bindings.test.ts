/** Device bindings, in SQLite and PostgreSQL: first session wins, signing out frees, a session keeps its most recent ids. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasesPerFile } from '../test-support/databases.js';
import { openDatabase, type Database } from './database.js';
import { BINDING_REFRESH_MS, BINDINGS_PER_SESSION, DeviceBindingsTable } from './device-bindings.js';
import { SessionsTable } from './sessions.js';
import { UsersTable } from './users.js';

let dir: string;
let settings: { databaseUrl?: string };
let db: Database;
let bindings: DeviceBindingsTable;
let sessions: SessionsTable;
let userId: number;
const sessionA = Buffer.alloc(32, 1);
const sessionB = Buffer.alloc(32, 2);

describe.each(databasesPerFile())('on $name', (database) => {
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
    settings = await database.fresh();
    db = await openDatabase({ dataDir: dir, ...settings });
    bindings = new DeviceBindingsTable(db);
    sessions = new SessionsTable(db);
    userId = (await new UsersTable(db).insert('alice', 'Alice', 'hash', 1))!.id;
    await sessions.insert(sessionA, userId, 1);
    await sessions.insert(sessionB, userId, 1);
  });

  afterEach(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('binds a device id to the first session that uses it; deleting the session frees it', async () => {
    expect(await bindings.bind(userId, 'laptop-0001', sessionA, 10)).toBe(true);
    expect(await bindings.bind(userId, 'laptop-0001', sessionA, 11)).toBe(true);
    expect(await bindings.bind(userId, 'laptop-0001', sessionB, 12)).toBe(false);
    expect(await bindings.bind(userId, 'phone-00001', sessionB, 13)).toBe(true);

    await sessions.delete(sessionA);
    expect(await db.get('SELECT count(*) AS n FROM device_bindings')).toEqual({ n: 1 });
    expect(await bindings.bind(userId, 'laptop-0001', sessionB, 14)).toBe(true);
  });

  it('after a restart, confirms a recent binding of the session by reading it; an older one is written again', async () => {
    const lastUsed = async (deviceId: string) =>
      (
        await db.get<{ at: number }>(
          'SELECT last_used_at AS at FROM device_bindings WHERE user_id = ? AND device_id = ?',
          [userId, deviceId],
        )
      )?.at;
    const restart = async () => {
      await db.close();
      db = await openDatabase({ dataDir: dir, ...settings });
      bindings = new DeviceBindingsTable(db);
    };
    const t0 = 1_000_000;
    expect(await bindings.bind(userId, 'laptop-0001', sessionA, t0)).toBe(true);

    await restart();
    expect(await bindings.bind(userId, 'laptop-0001', sessionA, t0 + 5_000)).toBe(true);
    expect(await bindings.bind(userId, 'laptop-0001', sessionB, t0 + 5_001)).toBe(false);
    if (database.name === 'sqlite') {
      // Read, not written: the row is as the first server left it, and the use is remembered...
      expect(await lastUsed('laptop-0001')).toBe(t0);
      // ...and written with the session's next write, before it prunes.
      expect(await bindings.bind(userId, 'phone-00001', sessionA, t0 + 6_000)).toBe(true);
      expect(await lastUsed('laptop-0001')).toBe(t0 + 5_000);
    } else {
      // PostgreSQL's cache keeps nothing to remember a use in: every connect writes.
      expect(await lastUsed('laptop-0001')).toBe(t0 + 5_000);
    }

    await restart();
    const later = t0 + 5_000 + BINDING_REFRESH_MS;
    expect(await bindings.bind(userId, 'laptop-0001', sessionA, later)).toBe(true);
    expect(await lastUsed('laptop-0001')).toBe(later);
  });

  it('keeps the most recently used ids of a session and forgets older ones beyond the limit', async () => {
    for (let i = 0; i <= BINDINGS_PER_SESSION; i++) {
      expect(await bindings.bind(userId, `device-${String(i).padStart(4, '0')}`, sessionA, 100 + i)).toBe(
        true,
      );
    }
    // device-0000 was the least recently used: forgotten, so another session may have it now.
    expect(await bindings.bind(userId, 'device-0000', sessionB, 1000)).toBe(true);
    // Using an id again keeps it: device-0001 is used now, and then a new id pushes out device-0002.
    expect(await bindings.bind(userId, 'device-0001', sessionA, 1001)).toBe(true);
    expect(await bindings.bind(userId, 'device-new1', sessionA, 1002)).toBe(true);
    expect(await bindings.bind(userId, 'device-0001', sessionB, 1003)).toBe(false);
    expect(await bindings.bind(userId, 'device-0002', sessionB, 1004)).toBe(true);
  });
});
