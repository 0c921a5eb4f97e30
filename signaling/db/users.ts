/** The users table: accounts, their do-not-disturb flag and disabled state. */
import type { Db } from './database.js';

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

  constructor(db: Db) {
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
    const row = this.byId.get(id);
    return row && toUser(row);
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
  }

  setDisabled(id: number, disabledAt: number | null): void {
    this.setDisabledStmt.run(disabledAt, id);
  }
}
