/**
 * Accounts: register, sign in, sign out, session lookup and the admin
 * actions. Transport-free: the HTTP routes, the Socket.IO handshake and the
 * admin command call into this.
 */
import { hash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RegisterRequest, SessionGrant } from '../protocol/index.js';
import type { Sql } from '../db/sql.js';
import { summaryOf, UsersTable, type UserRow } from '../db/users.js';
import { AppError } from '../errors.js';
import { createLogger, logLimited, type Logger } from '../log.js';
import { LoginThrottle, Throttled, type LoginAttempt, type LoginThrottleLimits } from './login-throttle.js';
import { limitersInMemory, type MakeLimiter } from './rate-limits.js';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import { DEFAULT_SESSION_LIFETIME, Sessions, type SessionLifetime } from './sessions.js';

export interface AccountsOptions {
  openRegistration: boolean;
  /** Self-service registrations allowed per client address per hour. */
  registrationsPerHour?: number;
  loginThrottle: LoginThrottleLimits;
  sessionLifetime?: SessionLifetime;
  now?: () => number;
  /** Where failed and throttled sign-ins are logged (at info); silent without one. */
  log?: Logger;
  /** Where the registration limit and the sign-in throttle count (in memory without one). */
  makeLimiter?: MakeLimiter;
}

/** A username in logs: a short SHA-256 prefix, enough to tell attempts apart without writing it down. */
export const usernameTag = (username: string): string => hash('sha256', username).slice(0, 12);

export class Accounts {
  readonly users: UsersTable;
  readonly sessions: Sessions;
  private readonly throttle: LoginThrottle;
  private readonly registrations: RateLimiterAbstract;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(
    private readonly db: Sql,
    private readonly options: AccountsOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.users = new UsersTable(db);
    this.sessions = new Sessions(db, options.sessionLifetime ?? DEFAULT_SESSION_LIFETIME, this.now);
    const makeLimiter = options.makeLimiter ?? limitersInMemory;
    this.throttle = new LoginThrottle(options.loginThrottle, makeLimiter);
    this.registrations = makeLimiter({
      keyPrefix: 'register',
      points: options.registrationsPerHour ?? 20,
      duration: 3600,
    });
    this.log = options.log ?? createLogger('silent');
  }

  /** Creates an account. `viaAdmin` bypasses the open-registration setting. */
  async register(req: RegisterRequest, viaAdmin = false): Promise<UserRow> {
    if (!viaAdmin && !this.options.openRegistration) {
      throw new AppError('E_REGISTRATION_CLOSED', 'registration is closed on this server');
    }
    if (await this.users.findByUsername(req.username))
      throw new AppError('E_USERNAME_TAKEN', 'username is taken');
    const passwordHash = await hashPassword(req.password);
    const user = await this.users.insert(req.username, req.displayName, passwordHash, this.now());
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
   * E_AUTH_FAILED after the same argon2 work; the attempt is reserved with
   * the throttle before that work starts.
   */
  async signIn(username: string, password: string, address: string): Promise<SessionGrant> {
    const who = { user: usernameTag(username), address };
    let attempt: LoginAttempt;
    try {
      attempt = await this.throttle.reserve(username, address);
    } catch (err) {
      if (!(err instanceof Throttled)) throw err;
      const fields = { ...who, scope: err.scope, retryAfterMs: err.retryAfterMs };
      logLimited(this.log, 'info', 'sign-in-throttled', fields, 'sign-in throttled');
      throw new AppError('E_RATE_LIMITED', 'too many failed sign-ins', err.retryAfterMs);
    }
    const user = await this.users.findForSignIn(username);
    const matches = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
    if (!user || !matches || user.disabledAt !== null) {
      this.log.info(who, 'sign-in failed');
      throw new AppError('E_AUTH_FAILED', 'wrong username or password');
    }
    await attempt.succeeded();
    return this.grant(user);
  }

  /**
   * The active user a live (unexpired) session token belongs to, if any; the token's hash (and in hex),
   * if the caller has it (`Sessions.use`).
   */
  async authenticate(token: string, tokenHash?: Buffer, tokenHashHex?: string): Promise<UserRow | undefined> {
    const userId = await this.sessions.use(token, tokenHash, tokenHashHex);
    const user = userId === undefined ? undefined : await this.users.findById(userId);
    return user && user.disabledAt === null ? user : undefined;
  }

  /** Revokes one live session. Returns whether there was one. */
  signOut(token: string): Promise<boolean> {
    return this.sessions.signOut(token);
  }

  /** Disables an account and revokes all of its sessions (open connections included, via the revocation log). */
  async disable(username: string): Promise<UserRow> {
    const user = await this.requireUser(username);
    const at = this.now();
    await this.db.transaction(async (tx) => {
      await new UsersTable(tx).setDisabled(user.id, at);
      await this.sessions.endAllOfDisabledUser(tx, user.id);
    });
    return { ...user, disabledAt: at };
  }

  async enable(username: string): Promise<UserRow> {
    const user = await this.requireUser(username);
    await this.users.setDisabled(user.id, null);
    return { ...user, disabledAt: null };
  }

  private async requireUser(username: string): Promise<UserRow> {
    const user = await this.users.findByUsername(username);
    if (!user) throw new AppError('E_NOT_FOUND', `no user ${username}`);
    return user;
  }

  private async grant(user: UserRow): Promise<SessionGrant> {
    const token = await this.sessions.create(user.id);
    return { token, user: summaryOf(user) };
  }
}
