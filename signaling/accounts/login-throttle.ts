/**
 * Sign-in throttling. Every attempt is reserved before its password is checked (rate-limiter-flexible's
 * `consume` counts and compares in one step), so parallel guesses cannot all pass a check made before any
 * of them failed; the reservation is given back when the password was right or the attempt was refused
 * unchecked. So the counters count checked wrong passwords (and unknown or disabled accounts):
 *
 * - per client address, across accounts (`perAddress` in the window);
 * - per account and address (`perAccountAddress` in the window): reaching it blocks that address for that
 *   account only, so failures elsewhere never lock the owner out;
 * - per account, from anywhere: past ACCOUNT_FREE_FAILURES in the window, addresses that have not signed
 *   in to the account in the last TRUST_SECONDS get through one at a time, with a pause that doubles with
 *   each further failure up to ACCOUNT_MAX_PAUSE_SECONDS. A guesser spread over many addresses gets about
 *   one guess a minute; the owner's own addresses skip the pause.
 *
 * Counters live behind rate-limiter-flexible: in memory, or with `--redis-url` in Redis (rate-limits.ts),
 * shared by every node.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { limitersInMemory, type MakeLimiter } from './rate-limits.js';

export interface LoginThrottleLimits {
  /** Failed attempts allowed per account from one client address in `windowSeconds`. */
  perAccountAddress: number;
  /** Failed attempts allowed per client address (any accounts) in `windowSeconds`. */
  perAddress: number;
  windowSeconds: number;
}

/** Failures on one account, from anywhere, before its pauses start. */
export const ACCOUNT_FREE_FAILURES = 10;
/** The longest pause between two attempts on an account under attack. */
export const ACCOUNT_MAX_PAUSE_SECONDS = 60;
/** How long an address stays exempt from the account's pauses after signing in to it (< 24.8 days: timers). */
const TRUST_SECONDS = 14 * 24 * 3600;

/** Which counter refused an attempt. */
export type ThrottleScope = 'address' | 'account-address' | 'account';

/** An attempt refused before its password was checked. */
export class Throttled extends Error {
  constructor(
    readonly scope: ThrottleScope,
    readonly retryAfterMs: number,
  ) {
    super(`sign-in throttled (${scope})`);
  }
}

/** A reserved attempt. It stays counted as a failure unless `succeeded` is called. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

/** The pause after an account's `failures`-th failure in the window: 1 s, 2 s, 4 s ... up to the cap. */
const pauseSeconds = (failures: number): number =>
  Math.min(ACCOUNT_MAX_PAUSE_SECONDS, 2 ** (failures - ACCOUNT_FREE_FAILURES - 1));

export class LoginThrottle {
  private readonly byAddress: RateLimiterAbstract;
  private readonly byAccountAddress: RateLimiterAbstract;
  /** Only counts: its points are never reached. */
  private readonly byAccount: RateLimiterAbstract;
  /** One attempt per pause on an account past its free failures; the pause is the key's lifetime. */
  private readonly accountGate: RateLimiterAbstract;
  /** Account-address pairs that signed in successfully. */
  private readonly trusted: RateLimiterAbstract;

  constructor(limits: LoginThrottleLimits, makeLimiter: MakeLimiter = limitersInMemory) {
    const duration = limits.windowSeconds;
    this.byAddress = makeLimiter({
      keyPrefix: 'login-address',
      points: limits.perAddress,
      duration,
    });
    this.byAccountAddress = makeLimiter({
      keyPrefix: 'login-account-address',
      points: limits.perAccountAddress,
      duration,
    });
    this.byAccount = makeLimiter({
      keyPrefix: 'login-account',
      points: Number.MAX_SAFE_INTEGER,
      duration,
    });
    this.accountGate = makeLimiter({ keyPrefix: 'login-account-gate', points: 1, duration: 1 });
    this.trusted = makeLimiter({ keyPrefix: 'login-trusted', points: 1, duration: TRUST_SECONDS });
  }

  /** Reserves an attempt on `account` from `address`, or throws Throttled. */
  async reserve(account: string, address: string): Promise<LoginAttempt> {
    const pair = JSON.stringify([account, address]);
    const taken: [RateLimiterAbstract, string][] = [];
    const take = async (limiter: RateLimiterAbstract, key: string, scope: ThrottleScope) => {
      taken.push([limiter, key]); // a refused consume counts too, so it is given back like the others
      try {
        return await limiter.consume(key);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        throw new Throttled(scope, err.msBeforeNext);
      }
    };
    try {
      await take(this.byAddress, address, 'address');
      await take(this.byAccountAddress, pair, 'account-address');
      const { consumedPoints } = await take(this.byAccount, account, 'account');
      if (consumedPoints > ACCOUNT_FREE_FAILURES && (await this.trusted.get(pair)) === null) {
        await this.passGate(account, consumedPoints);
      }
    } catch (err) {
      await Promise.all(taken.map(([limiter, key]) => limiter.reward(key)));
      throw err;
    }
    return {
      succeeded: async () => {
        await Promise.all([
          this.byAddress.reward(address),
          this.byAccount.reward(account),
          this.byAccountAddress.delete(pair),
          this.trusted.set(pair, 1, TRUST_SECONDS),
        ]);
      },
    };
  }

  private async passGate(account: string, failures: number): Promise<void> {
    try {
      await this.accountGate.consume(account, 1, { customDuration: pauseSeconds(failures) });
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new Throttled('account', err.msBeforeNext);
    }
  }
}
