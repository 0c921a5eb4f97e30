/**
 * The users table: accounts, their do-not-disturb flag and disabled state. Enabled users' rows are
 * cached by id (read on every connect, request and presence recompute); this table's writes drop them.
 */
import type { UserSummary } from '../protocol/index.js';
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

/** The user as others see them (a contact, a caller, a call's peer in history). */
export const summaryOf = (user: UserRow): UserSummary => ({
  username: user.username,
  displayName: user.displayName,
});

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
  /**
   * The id of every user whose row was read, by username (usernames never change), so that naming a
   * user whose row is at hand (anyone connected: a callee, a contact asked) reads nothing.
   */
  private readonly ids: CacheMap<string, number>;

  constructor(private readonly sql: Sql) {
    this.cached = sql.cache.map('users');
    this.ids = sql.cache.map('user ids by username');
  }

  /** The user with this username, as `findById` finds it (from the cache when at hand). */
  async findByUsername(username: string): Promise<UserRow | undefined> {
    const id = this.ids.get(username);
    if (id !== undefined) return this.findById(id);
    const ticket = this.cached.ticket();
    const raw = await this.sql.get<RawUser>(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`, [
      username,
    ]);
    return raw && this.keep(raw, ticket);
  }

  /** For signing in: the row with its password hash, always read from the database. */
  async findForSignIn(username: string): Promise<UserWithPassword | undefined> {
    const row = await this.sql.get<RawUser>('SELECT * FROM users WHERE username = ?', [username]);
    return row && withPassword(row);
  }

  async findById(id: number): Promise<UserRow | undefined> {
    const hit = this.cached.get(id);
    if (hit) return hit;
    const ticket = this.cached.ticket();
    const raw = await this.sql.get<RawUser>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]);
    return raw && this.keep(raw, ticket);
  }

  /** Caches a row just read (`ticket` taken before the read) if the user is enabled, and its id. */
  private keep(raw: Omit<RawUser, 'password_hash'>, ticket: number): UserRow {
    const user = toUser(raw);
    this.ids.set(user.username, user.id);
    if (user.disabledAt === null) this.cached.set(user.id, user, ticket);
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
