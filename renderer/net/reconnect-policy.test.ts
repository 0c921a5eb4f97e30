// The default reconnect schedule: doubling delays up to a ceiling, a spread for transport failures, and
// longer waits for a server that closed or refused the connection.
import { describe, expect, it } from 'vitest';
import { BackoffPolicy } from './reconnect-policy.js';

const delays = (policy: BackoffPolicy, reason: 'transport' | 'server') =>
  [0, 1, 2, 3, 4, 5, 50].map((attempt) => policy.nextDelayMs({ attempt, reason }));

describe('BackoffPolicy', () => {
  it('doubles from 0.5 s to 5 s after a transport failure, and never gives up', () => {
    expect(delays(new BackoffPolicy(undefined, () => 0.5), 'transport')).toEqual([
      500, 1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });

  it('spreads transport retries by up to half either way, still within the ceiling', () => {
    expect(delays(new BackoffPolicy(undefined, () => 0), 'transport')).toEqual([
      250, 500, 1000, 2000, 2500, 2500, 2500,
    ]);
    expect(delays(new BackoffPolicy(undefined, () => 0.999999), 'transport').slice(0, 4)).toEqual([
      750, 1500, 3000, 5000,
    ]);
  });

  it('waits 1 s to 10 s, unspread, for a server that closed or refused the connection', () => {
    for (const random of [() => 0, () => 0.99]) {
      expect(delays(new BackoffPolicy(undefined, random), 'server')).toEqual([
        1000, 2000, 4000, 8000, 10000, 10000, 10000,
      ]);
    }
  });
});
