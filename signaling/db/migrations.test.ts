/**
 * A migration that rebuilds a table keeps what was in it: the contacts table, made clustered by its
 * primary key, on a database written by the server before that migration.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrations } from './migrations.js';
import { DATABASE_FILE, migrate, openSqlite } from './sqlite.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const CONTACTS = 'SELECT owner_id, peer_id, state, created_at FROM contacts ORDER BY owner_id, peer_id';
type ContactRaw = { owner_id: number; peer_id: number; state: string; created_at: number };

it('makes the contacts table clustered and keeps every row, its key and its cascades', async () => {
  const clustering = migrations.findIndex((m) => m.sqlite.includes('contacts_clustered'));
  expect(clustering).toBeGreaterThan(0);
  // A database as the server before it left it, with contacts written in no particular order.
  const old = new Database(path.join(dir, DATABASE_FILE));
  migrate(old, migrations.slice(0, clustering));
  const addUser = old.prepare(
    "INSERT INTO users (username, display_name, password_hash, created_at) VALUES (?, ?, 'x', 0)",
  );
  for (const name of ['alice', 'bob', 'carol', 'dave']) addUser.run(name, name);
  const addContact = old.prepare(
    'INSERT INTO contacts (owner_id, peer_id, state, created_at) VALUES (?, ?, ?, ?)',
  );
  for (const [owner, peer, state, at] of [
    [3, 1, 'accepted', 30],
    [1, 3, 'accepted', 30],
    [2, 4, 'outgoing', 20],
    [4, 2, 'incoming', 20],
    [1, 2, 'accepted', 10],
    [2, 1, 'accepted', 10],
  ] as const)
    addContact.run(owner, peer, state, at);
  const before = old.prepare(CONTACTS).all() as ContactRaw[];
  old.close();

  const database = openSqlite(dir);
  const db = database.native;
  expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
  expect(db.prepare(CONTACTS).all()).toEqual(before);
  const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'contacts'").get() as {
    sql: string;
  };
  expect(sql).toMatch(/WITHOUT ROWID\s*$/);
  expect(db.pragma('foreign_key_check')).toEqual([]);
  // The primary key still refuses a second row for a pair, and the state's check still holds.
  expect(() => db.prepare("INSERT INTO contacts VALUES (1, 2, 'accepted', 0)").run()).toThrow(
    /UNIQUE|PRIMARY KEY/,
  );
  expect(() => db.prepare("INSERT INTO contacts VALUES (3, 4, 'friends', 0)").run()).toThrow(/CHECK/);
  // A user's rows go with the user, from both sides (foreign keys are on in the server's connection).
  db.prepare('DELETE FROM users WHERE id = 1').run();
  expect(db.prepare(CONTACTS).all()).toEqual(before.filter((r) => r.owner_id !== 1 && r.peer_id !== 1));
  await database.close();
});
