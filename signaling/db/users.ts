/**
 * The users table: accounts, their do-not-disturb flag and disabled state. Enabled users' rows are
 * cached by id (read on every connect, request and presence recompute); this table's writes drop them.
 */
import type { Db } from './database.js';
import { readCacheOf, type CacheMap } from './read-cache.js';

export interface UserRow {
  id: number;
  username: string;
  displayName: string;
  passwordHash: string;
  dnd: boolean;
  disabledAt: number | null;
  createdAt: number;
}

interface RawUser {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  dnd: number;
  disabled_at: number | null;
  created_at: number;
}

const toUser = (r: RawUser): UserRow => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  dnd: r.dnd === 1,
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
});

export class UsersTable {
  private readonly byName;
  private readonly byId;
  private readonly insertRow;
  private readonly all;
  private readonly setDndStmt;
  private readonly setDisabledStmt;
  /** Enabled users by id (a disabled one is read each time: it is rare, and enabling it must show). */
  private readonly cached: CacheMap<number, UserRow>;

  constructor(db: Db) {
    this.cached = readCacheOf(db).map('users');
    this.byName = db.prepare<[string], RawUser>('SELECT * FROM users WHERE username = ?');
    this.byId = db.prepare<[number], RawUser>('SELECT * FROM users WHERE id = ?');
    this.insertRow = db.prepare<[string, string, string, number]>(
      'INSERT INTO users (username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)',
    );
    this.all = db.prepare<[], RawUser>('SELECT * FROM users ORDER BY username');
    this.setDndStmt = db.prepare<[number, number]>('UPDATE users SET dnd = ? WHERE id = ?');
    this.setDisabledStmt = db.prepare<[number | null, number]>(
      'UPDATE users SET disabled_at = ? WHERE id = ?',
    );
  }

  findByUsername(username: string): UserRow | undefined {
    const row = this.byName.get(username);
    return row && toUser(row);
  }

  findById(id: number): UserRow | undefined {
    const hit = this.cached.get(id);
    if (hit) return hit;
    const raw = this.byId.get(id);
    const user = raw && toUser(raw);
    if (user?.disabledAt === null) this.cached.set(id, user);
    return user;
  }

  /** Returns the new user, or undefined when the username is taken. */
  insert(username: string, displayName: string, passwordHash: string, now: number): UserRow | undefined {
    try {
      const { lastInsertRowid } = this.insertRow.run(username, displayName, passwordHash, now);
      return this.findById(Number(lastInsertRowid));
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return undefined;
      throw err;
    }
  }

  list(): UserRow[] {
    return this.all.all().map(toUser);
  }

  setDnd(id: number, dnd: boolean): void {
    this.setDndStmt.run(dnd ? 1 : 0, id);
    this.cached.delete(id);
  }

  setDisabled(id: number, disabledAt: number | null): void {
    this.setDisabledStmt.run(disabledAt, id);
    this.cached.delete(id);
  }
}
