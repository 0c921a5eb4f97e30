/**
 * The users table: accounts, their do-not-disturb flag and disabled state. Enabled users' rows are
 * cached by id (read on every connect, request and presence recompute); this table's writes drop them.
 */
import type { CacheMap } from './read-cache.js';
import { isUniqueViolation, type Sql } from './sql.js';

/** A user as everything but sign-in reads it (and the cache keeps it): no password hash. */
export interface UserRow {
  id: number;
  username: string;
  displayName: string;
  dnd: boolean;
  disabledAt: number | null;
  createdAt: number;
}

/** A user as sign-in reads it. */
export interface UserWithPassword extends UserRow {
  passwordHash: string;
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

/** The columns of a UserRow: the password hash (120 bytes a cached user) is read only to sign in. */
const USER_COLUMNS = 'id, username, display_name, dnd, disabled_at, created_at';

const toUser = (r: Omit<RawUser, 'password_hash'>): UserRow => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  dnd: r.dnd === 1,
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
});

const withPassword = (r: RawUser): UserWithPassword => ({ ...toUser(r), passwordHash: r.password_hash });

export class UsersTable {
  /** Enabled users by id (a disabled one is read each time: it is rare, and enabling it must show). */
  private readonly cached: CacheMap<number, UserRow>;

  constructor(private readonly sql: Sql) {
    this.cached = sql.cache.map('users');
  }

  async findByUsername(username: string): Promise<UserWithPassword | undefined> {
    const row = await this.sql.get<RawUser>('SELECT * FROM users WHERE username = ?', [username]);
    return row && withPassword(row);
  }

  async findById(id: number): Promise<UserRow | undefined> {
    const hit = this.cached.get(id);
    if (hit) return hit;
    const ticket = this.cached.ticket();
    const raw = await this.sql.get<RawUser>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]);
    const user = raw && toUser(raw);
    if (user?.disabledAt === null) this.cached.set(id, user, ticket);
    return user;
  }

  /** Returns the new user, or undefined when the username is taken. */
  async insert(
    username: string,
    displayName: string,
    passwordHash: string,
    now: number,
  ): Promise<UserRow | undefined> {
    try {
      const row = await this.sql.get<RawUser>(
        `INSERT INTO users (username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)
         RETURNING ${USER_COLUMNS}`,
        [username, displayName, passwordHash, now],
      );
      return toUser(row!);
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  async list(): Promise<UserRow[]> {
    return (await this.sql.all<RawUser>(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`)).map(toUser);
  }

  async setDnd(id: number, dnd: boolean): Promise<void> {
    await this.sql.run('UPDATE users SET dnd = ? WHERE id = ?', [dnd ? 1 : 0, id]);
    this.cached.delete(id);
  }

  async setDisabled(id: number, disabledAt: number | null): Promise<void> {
    await this.sql.run('UPDATE users SET disabled_at = ? WHERE id = ?', [disabledAt, id]);
    this.cached.delete(id);
  }
}
