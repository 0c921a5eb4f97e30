/**
 * Who is whose contact among seeded accounts (`users seed`, seed.ts), in a module of its own so that the
 * server benchmark's load workers and baseline server can derive the same contacts without loading the
 * server: account i is a mutual contact of accounts i ± 1 .. i ± contacts/2, around the ring, so each
 * has exactly `contacts` of them (an even number below `count`) and neighbours share most of theirs.
 */

/** Calls `pair(a, b)` once for each contact pair. */
export function forEachContactPair(
  count: number,
  contacts: number,
  pair: (a: number, b: number) => void,
): void {
  for (let i = 0; i < count; i++) {
    for (let d = 1; d <= contacts / 2; d++) pair(i, (i + d) % count);
  }
}
