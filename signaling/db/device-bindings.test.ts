/** Device bindings, in SQLite and PostgreSQL: first session wins, signing out frees, a session keeps its most recent ids. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasesPerFile } from '../test-support/databases.js';
import { openDatabase, type Database } from './database.js';
import { BINDINGS_PER_SESSION, DeviceBindingsTable } from './device-bindings.js';
import { SessionsTable } from './sessions.js';
import { UsersTable } from './users.js';

let dir: string;
let db: Database;
let bindings: DeviceBindingsTable;
let sessions: SessionsTable;
let userId: number;
const sessionA = Buffer.alloc(32, 1);
const sessionB = Buffer.alloc(32, 2);

describe.each(databasesPerFile())('on $name', (database) => {
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
    db = await openDatabase({ dataDir: dir, ...(await database.fresh()) });
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
