/**
 * The server benchmark's arithmetic and output: percentiles, matching presence receipts to the toggles
 * that caused them, and the Parley / bare / ratio table.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: ArrayLike<number>): LatencySummary {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: percentile(values, 100),
  };
}

/**
 * When `p`% of `total` things had happened, from their times (NaN for one that never happened): the
 * nearest-rank time among all `total`, so the ones that never happened count against it; NaN when fewer
 * than that share happened.
 */
export function timeForShare(times: ArrayLike<number>, total: number, p: number): number {
  const happened = Float64Array.from(times)
    .filter((t) => !Number.isNaN(t))
    .sort();
  return happened[Math.max(0, Math.ceil((p / 100) * total) - 1)] ?? NaN;
}

/** How many of the times (ms, NaN skipped) fall in each whole second from 0 to the last one's. */
export function perSecond(times: ArrayLike<number>): number[] {
  const counts: number[] = [];
  for (const t of Array.from(times)) {
    if (Number.isNaN(t)) continue;
    const second = Math.max(0, Math.floor(t / 1000));
    while (counts.length <= second) counts.push(0);
    counts[second]!++;
  }
  return counts;
}

export interface PresenceMatch {
  /** Per toggle and contact: how long until the contact heard this state or a later one of that account. */
  latencies: Float64Array;
  /** Toggle-contact pairs expected (each toggle, once per contact of the account). */
  expected: number;
  /** Of those, the ones whose contact heard a later state instead (coalesced, counted as delivered). */
  superseded: number;
  /** Receipts that no earlier toggle of that account explains (should be 0). */
  strays: number;
}

/**
 * Matches presence receipts to toggles. Sends are (index, state, time) triples, receipts (sender, state,
 * time, receiver) quadruples, times on the shared monotonic clock. A receipt belongs to the latest toggle
 * of its sender to that state sent no later than it arrived. A toggle counts as delivered to a contact
 * when the contact heard it, or a later toggle of the same account (a coalesced change counts only if
 * the state that replaced it arrives); its latency runs until the first of those arrived.
 */
export function matchPresence(
  sends: Float64Array[],
  receipts: Float64Array[],
  contactsOf: (index: number) => readonly number[],
): PresenceMatch {
  const bySender = new Map<number, { state: number[]; time: number[] }>();
  for (const triples of sends) {
    for (let i = 0; i < triples.length; i += 3) {
      const sender = triples[i]!;
      let list = bySender.get(sender);
      if (!list) bySender.set(sender, (list = { state: [], time: [] }));
      list.state.push(triples[i + 1]!);
      list.time.push(triples[i + 2]!); // one worker sends for each account, in order
    }
  }
  /** sender -> receiver -> the earliest arrival of each toggle (by toggle number) heard there. */
  const heard = new Map<number, Map<number, Map<number, number>>>();
  let strays = 0;
  for (const quads of receipts) {
    for (let i = 0; i < quads.length; i += 4) {
      const [sender, state, at, receiver] = [quads[i]!, quads[i + 1]!, quads[i + 2]!, quads[i + 3]!];
      const list = bySender.get(sender);
      let k = list ? lastAtOrBefore(list.time, at) : -1;
      while (k >= 0 && list!.state[k] !== state) k--;
      if (k < 0) {
        strays++;
        continue;
      }
      const byReceiver = heard.get(sender) ?? heard.set(sender, new Map()).get(sender)!;
      const arrivals = byReceiver.get(receiver) ?? byReceiver.set(receiver, new Map()).get(receiver)!;
      arrivals.set(k, Math.min(arrivals.get(k) ?? Infinity, at));
    }
  }
  const latencies: number[] = [];
  let expected = 0;
  let superseded = 0;
  for (const [sender, { time }] of bySender) {
    for (const receiver of contactsOf(sender)) {
      expected += time.length;
      const arrivals = heard.get(sender)?.get(receiver);
      // From the last toggle back: the earliest arrival of this toggle or any later one.
      let firstLater = Infinity;
      for (let k = time.length - 1; k >= 0; k--) {
        const own = arrivals?.get(k) ?? Infinity;
        if (own === Infinity && firstLater !== Infinity) superseded++;
        firstLater = Math.min(firstLater, own);
        if (firstLater !== Infinity) latencies.push(firstLater - time[k]!);
      }
    }
  }
  return { latencies: Float64Array.from(latencies), expected, superseded, strays };
}

/** Index of the last time ≤ at in ascending times, or -1. */
function lastAtOrBefore(times: number[], at: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** One row of the table: a label, Parley's figure and the baseline's (ratio = Parley / bare). */
export interface Row {
  label: string;
  parley?: number;
  bare?: number;
  /** Digits after the point. */
  digits?: number;
  /** No ratio for this row (a setting or a count, not a cost). */
  noRatio?: boolean;
}

const show = (value: number | undefined, digits: number) =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);

export function table(rows: Row[]): string {
  const cells = rows.map((r) => {
    const digits = r.digits ?? 1;
    const ratio =
      r.noRatio || r.parley === undefined || r.bare === undefined || r.bare === 0
        ? ''
        : `${(r.parley / r.bare).toFixed(2)}x`;
    return [r.label, show(r.parley, digits), show(r.bare, digits), ratio];
  });
  const header = ['figure', 'Parley', 'bare', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** The slope of the JS heap over a soak's samples (least squares), in KiB per minute; undefined under 2. */
export function heapTrendKibPerMinute(
  samples: { atSeconds: number; heapUsed: number }[],
): number | undefined {
  if (samples.length < 2) return undefined;
  const n = samples.length;
  const meanT = samples.reduce((sum, s) => sum + s.atSeconds, 0) / n;
  const meanH = samples.reduce((sum, s) => sum + s.heapUsed, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const s of samples) {
    covariance += (s.atSeconds - meanT) * (s.heapUsed - meanH);
    variance += (s.atSeconds - meanT) ** 2;
  }
  return variance === 0 ? undefined : ((covariance / variance) * 60) / 1024;
}
