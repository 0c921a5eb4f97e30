/** The server benchmark's arithmetic: percentiles, presence receipts matched to their toggles, the table. */
import { describe, expect, it } from 'vitest';
import {
  heapTrendKibPerMinute,
  matchPresence,
  percentile,
  perSecond,
  table,
  timeForShare,
} from './figures.js';

describe('percentile', () => {
  it('takes the nearest rank of unsorted values', () => {
    const values = [7, 3, 10, 1, 5, 2, 9, 4, 8, 6];
    expect([50, 90, 99, 100].map((p) => percentile(values, p))).toEqual([5, 9, 10, 10]);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('timeForShare', () => {
  it('takes the nearest rank among all, counting those that never happened against the share', () => {
    const times = [300, NaN, 100, 200, NaN, 400, 500, 600, 700, 800];
    expect([50, 80, 90, 100].map((p) => timeForShare(times, 10, p))).toEqual([500, 800, NaN, NaN]);
    expect(timeForShare([5, 1, 3, 2], 4, 100)).toBe(5);
    expect(timeForShare([], 0, 50)).toBeNaN();
  });
});

describe('perSecond', () => {
  it('counts the times in each whole second, empty seconds included, skipping NaN', () => {
    expect(perSecond([999, 1000, 3500, NaN, 3999, 0])).toEqual([2, 1, 0, 2]);
    expect(perSecond([])).toEqual([]);
  });
});

describe('matchPresence', () => {
  // Accounts 0 and 1 are each other's contacts, and 2's.
  const contactsOf = (index: number) =>
    [
      [1, 2],
      [0, 2],
      [0, 1],
    ][index]!;

  it("matches each receipt to its sender's latest toggle to that state, and counts the unexplained", () => {
    const sends = [
      Float64Array.of(0, 1, 100, 0, 0, 200), // account 0: away at 100, online at 200
      Float64Array.of(1, 1, 150), // account 1: away at 150
    ];
    const receipts = [
      // Account 1 hears 0 go away (5 ms) and come back (30 ms); 2 hears the away late, after the online.
      Float64Array.of(0, 1, 105, 1, 0, 0, 230, 1, 0, 0, 205, 2, 0, 1, 210, 2),
      // 0 and 2 hear 1 go away; then two receipts nothing explains: 1 never went online, 2 never toggled.
      Float64Array.of(1, 1, 151, 0, 1, 1, 152, 2, 1, 0, 300, 0, 2, 1, 50, 0),
    ];
    const match = matchPresence(sends, receipts, contactsOf);
    expect([...match.latencies].sort((a, b) => a - b)).toEqual([1, 2, 5, 5, 30, 105]);
    expect(match).toMatchObject({ expected: 6, superseded: 0, strays: 2 });
  });

  it('counts a toggle as delivered when a later state of the account arrives instead, and not otherwise', () => {
    const sends = [Float64Array.of(0, 1, 100, 0, 0, 150, 0, 1, 400)]; // away, online (coalesced), away
    // Account 1 hears only the online (at 180); account 2 hears nothing after the first away.
    const receipts = [Float64Array.of(0, 0, 180, 1, 0, 1, 120, 2)];
    const match = matchPresence(sends, receipts, contactsOf);
    // 1: the away of 100 counts (superseded, 80 ms), the online 30 ms; 2: the away of 100 only.
    expect([...match.latencies].sort((a, b) => a - b)).toEqual([20, 30, 80]);
    expect(match).toMatchObject({ expected: 6, superseded: 1, strays: 0 });
  });
});

describe('table', () => {
  it('shows Parley, bare and their ratio, and no ratio where there is nothing to compare', () => {
    const text = table([
      { label: 'cost', parley: 3, bare: 2 },
      { label: 'count', parley: 10, bare: 10, digits: 0, noRatio: true },
      { label: 'parley only', parley: 1 },
    ]);
    expect(text.split('\n').map((l) => l.split(/\s{2,}/))).toEqual([
      ['figure', 'Parley', 'bare', 'ratio'],
      [
        expect.stringMatching(/^-+$/),
        expect.stringMatching(/^-+$/),
        expect.stringMatching(/^-+$/),
        expect.stringMatching(/^-+$/),
      ],
      ['cost', '3.0', '2.0', '1.50x'],
      ['count', '10', '10', ''],
      ['parley only', '1.0', '-', ''],
    ]);
  });
});

describe('heapTrendKibPerMinute', () => {
  it('gives the least-squares slope in KiB per minute, and nothing from fewer than two samples', () => {
    const at = (atSeconds: number, kib: number) => ({ atSeconds, heapUsed: kib * 1024 });
    // 3 KiB over 30 s, unevenly: the fitted line rises 0.08 KiB a second (covariance 40 over variance 500).
    expect(heapTrendKibPerMinute([at(0, 100), at(10, 102), at(20, 101), at(30, 103)])).toBeCloseTo(4.8);
    expect(heapTrendKibPerMinute([at(0, 100), at(60, 100), at(120, 100)])).toBe(0);
    expect(heapTrendKibPerMinute([at(0, 100)])).toBeUndefined();
  });
});
