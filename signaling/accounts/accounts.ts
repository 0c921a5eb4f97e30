/**
 * Accounts: register, sign in, sign out, session lookup and the admin
 * actions. Transport-free: HTTP routes and the CLI call into this.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RegisterRequest, SessionGrant } from '../protocol/index.js';
import type { Db } from '../db/database.js';
import { SessionsTable } from '../db/sessions.js';
import { UsersTable, type UserRow } from '../db/users.js';
import { AppError } from '../errors.js';
import { LoginThrottle, type LoginThrottleLimits } from './login-throttle.js';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import { hashToken, newSessionToken } from './tokens.js';

export interface AccountsOptions {
  openRegistration: boolean;
  /** Self-service registrations allowed per client address per hour. */
  registrationsPerHour?: number;
  loginThrottle: LoginThrottleLimits;
  now?: () => number;
}

export class Accounts {
  readonly users: UsersTable;
  private readonly sessions: SessionsTable;
  private readonly throttle: LoginThrottle;
  private readonly registrations: RateLimiterMemory;
  private readonly now: () => number;

  constructor(
    db: Db,
    private readonly options: AccountsOptions,
  ) {
    this.users = new UsersTable(db);
    this.sessions = new SessionsTable(db);
    this.throttle = new LoginThrottle(options.loginThrottle);
    this.registrations = new RateLimiterMemory({
      keyPrefix: 'register',
      points: options.registrationsPerHour ?? 20,
      duration: 3600,
    });
    this.now = options.now ?? Date.now;
  }

  /** Creates an account. `viaAdmin` bypasses the open-registration setting. */
  async register(req: RegisterRequest, viaAdmin = false): Promise<UserRow> {
    if (!viaAdmin && !this.options.openRegistration) {
      throw new AppError('E_REGISTRATION_CLOSED', 'registration is closed on this server');
    }
    if (this.users.findByUsername(req.username)) throw new AppError('E_USERNAME_TAKEN', 'username is taken');
    const passwordHash = await hashPassword(req.password);
    const user = this.users.insert(req.username, req.displayName, passwordHash, this.now());
    if (!user) throw new AppError('E_USERNAME_TAKEN', 'username is taken');
    return user;
  }

  /** Self-service registration from a client address (each costs an argon2 hash, hence the limit). */
  async registerAndSignIn(req: RegisterRequest, address: string): Promise<SessionGrant> {
    try {
      await this.registrations.consume(address);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new AppError('E_RATE_LIMITED', 'too many registrations from this address', err.msBeforeNext);
    }
    return this.grant(await this.register(req));
  }

  /**
   * Signs in. Unknown user, wrong password and disabled account all give
   * E_AUTH_FAILED after the same argon2 work.
   */
  async signIn(username: string, password: string, address: string): Promise<SessionGrant> {
    const retryAfterMs = await this.throttle.retryAfterMs(username, address);
    if (retryAfterMs > 0) throw new AppError('E_RATE_LIMITED', 'too many failed sign-ins', retryAfterMs);
    const user = this.users.findByUsername(username);
    const matches = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
    if (!user || !matches || user.disabledAt !== null) {
      await this.throttle.recordFailure(username, address);
      throw new AppError('E_AUTH_FAILED', 'wrong username or password');
    }
    await this.throttle.recordSuccess(username);
    return this.grant(user);
  }

  /** The active user a session token belongs to, if any. */
  authenticate(token: string): UserRow | undefined {
    const userId = this.sessions.use(hashToken(token), this.now());
    const user = userId === undefined ? undefined : this.users.findById(userId);
    return user && user.disabledAt === null ? user : undefined;
  }

  /** Revokes one session. Returns whether it existed. */
  signOut(token: string): boolean {
    return this.sessions.delete(hashToken(token));
  }

  /** Disables an account and revokes all of its sessions. */
  disable(username: string): UserRow {
    const user = this.requireUser(username);
    this.users.setDisabled(user.id, this.now());
    this.sessions.deleteAllForUser(user.id);
    return { ...user, disabledAt: this.now() };
  }

  enable(username: string): UserRow {
    const user = this.requireUser(username);
    this.users.setDisabled(user.id, null);
    return { ...user, disabledAt: null };
  }

  private requireUser(username: string): UserRow {
    const user = this.users.findByUsername(username);
    if (!user) throw new AppError('E_NOT_FOUND', `no user ${username}`);
    return user;
  }

  private grant(user: UserRow): SessionGrant {
    const token = newSessionToken();
    this.sessions.insert(hashToken(token), user.id, this.now());
    return { token, user: { username: user.username, displayName: user.displayName } };
  }
}
