/**
 * Throttles failed sign-ins per account and per client address. Counters
 * live behind rate-limiter-flexible, which has Redis-backed twins for a
 * multi-node deployment.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface LoginThrottleLimits {
  /** Failed attempts allowed per account in `windowSeconds`. */
  perAccount: number;
  /** Failed attempts allowed per client address in `windowSeconds`. */
  perAddress: number;
  windowSeconds: number;
}

export class LoginThrottle {
  private readonly byAccount: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;

  constructor(limits: LoginThrottleLimits) {
    const common = { duration: limits.windowSeconds, blockDuration: limits.windowSeconds };
    this.byAccount = new RateLimiterMemory({
      ...common,
      keyPrefix: 'login-account',
      points: limits.perAccount,
    });
    this.byAddress = new RateLimiterMemory({
      ...common,
      keyPrefix: 'login-address',
      points: limits.perAddress,
    });
  }

  /** Milliseconds to wait before another attempt is allowed, or 0. */
  async retryAfterMs(account: string, address: string): Promise<number> {
    const [a, b] = await Promise.all([this.byAccount.get(account), this.byAddress.get(address)]);
    return Math.max(this.blockedFor(a, this.byAccount.points), this.blockedFor(b, this.byAddress.points));
  }

  async recordFailure(account: string, address: string): Promise<void> {
    await Promise.all([this.consume(this.byAccount, account), this.consume(this.byAddress, address)]);
  }

  async recordSuccess(account: string): Promise<void> {
    await this.byAccount.delete(account);
  }

  private blockedFor(res: RateLimiterRes | null, points: number): number {
    return res && res.consumedPoints >= points ? res.msBeforeNext : 0;
  }

  private async consume(limiter: RateLimiterMemory, key: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err; // over the limit: already counted and blocked
    }
  }
}
