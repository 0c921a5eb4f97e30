/**
 * The call-setup benchmark's arithmetic: per-row summaries and tables, the longest stall in one call's
 * setup, and the issue-10 targets checked against the figures. Pure functions (figures.test.ts).
 */

/** One call's figures, per row key; a row the call has no value for (a mark it never made) is absent. */
export type Sample = Record<string, number | undefined>;

export interface Summary {
  /** How many calls had a value. */
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

/** Median (mean of the middle two for even n) and p90 by nearest rank (the 9th of 10); null for no values. */
export function summarise(values: number[]): Summary | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return {
    n: s.length,
    median,
    p90: s[Math.ceil(0.9 * s.length) - 1]!,
    min: s[0]!,
    max: s[s.length - 1]!,
  };
}

export function summariseAll<K extends string>(
  labels: Record<K, string>,
  samples: Sample[],
): Record<K, Summary | null> {
  return Object.fromEntries(
    (Object.keys(labels) as K[]).map((k) => [
      k,
      summarise(samples.map((s) => s[k]).filter((v): v is number => v !== undefined)),
    ]),
  ) as Record<K, Summary | null>;
}

/** a - b, or undefined when either is missing. */
export const minus = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a - b;

const ms = (v: number) => {
  const tenths = Math.round(v * 10) / 10;
  return tenths.toFixed(Number.isInteger(tenths) ? 0 : 1);
};

/** A table of rows: median, p90, min, max, and n when some calls lacked the row. */
export function table<K extends string>(
  title: string,
  labels: Record<K, string>,
  rows: Record<K, Summary | null>,
  calls: number,
): string {
  const width = Math.max(...Object.values<string>(labels).map((l) => l.length));
  const header = `${'stage (ms)'.padEnd(width)}  ${['median', 'p90', 'min', 'max'].map((h) => h.padStart(7)).join(' ')}`;
  const lines = (Object.keys(labels) as K[]).map((k) => {
    const r = rows[k];
    const cells = r ? [r.median, r.p90, r.min, r.max].map((v) => ms(v).padStart(7)) : ['-'.padStart(7)];
    const missing = r === null ? '  (no call had it)' : r.n < calls ? `  (${r.n} of ${calls} calls)` : '';
    return `${labels[k].padEnd(width)}  ${cells.join(' ')}${missing}`;
  });
  return [title, header, '-'.repeat(header.length), ...lines].join('\n');
}

// ---- stalls ---------------------------------------------------------------------------------------

export interface TimelineEvent {
  /** Date.now() in the page that saw it. */
  at: number;
  /** Who saw what: "callee: connected (pc 2)", "caller engine: offer". */
  what: string;
}

export interface Gap {
  ms: number;
  from: TimelineEvent;
  to: TimelineEvent;
}

/**
 * The longest gap between consecutive setup events of one call, both sides merged, from the start of the
 * call to the end of setup. The gap that ends at the accept click (`driver`) is the test driver's own
 * delay (it waits for the dialog, then clicks) and does not count. Null when fewer than two events are left.
 */
export function longestGap(
  events: TimelineEvent[],
  window: { start: number; end: number },
  driver?: TimelineEvent,
): Gap | null {
  const inside = [...events, ...(driver ? [driver] : [])]
    .filter((e) => e.at >= window.start && e.at <= window.end)
    .sort((x, y) => x.at - y.at);
  let longest: Gap | null = null;
  for (let i = 1; i < inside.length; i++) {
    const [from, to] = [inside[i - 1]!, inside[i]!];
    if (to === driver) continue;
    const gap = to.at - from.at;
    if (!longest || gap > longest.ms) longest = { ms: gap, from, to };
  }
  return longest;
}

/** A stall, as the issue counts them: a gap of a second or more anywhere in setup. */
export const STALL_MS = 1_000;

// ---- targets --------------------------------------------------------------------------------------

export interface TargetLine {
  what: string;
  /** The target, in words: "p50 <= 60 ms". */
  target: string;
  /** What was measured, in words. */
  measured: string;
  met: boolean;
}

/** "not measured" when a figure is missing (no call had the row). */
export function atMost(what: string, summary: Summary | null, limit: number, limitWords: string): TargetLine {
  if (!summary) return { what, target: `p50 <= ${limitWords}`, measured: 'not measured', met: false };
  return {
    what,
    target: `p50 <= ${limitWords}`,
    measured: `p50 ${ms(summary.median)} ms`,
    met: summary.median <= limit,
  };
}

export function formatTargets(lines: TargetLine[]): string {
  const what = Math.max(...lines.map((l) => l.what.length));
  const target = Math.max(...lines.map((l) => l.target.length));
  const measured = Math.max(...lines.map((l) => l.measured.length));
  return lines
    .map(
      (l) =>
        `  ${l.what.padEnd(what)}  ${l.target.padEnd(target)}  ${l.measured.padEnd(measured)}  ${l.met ? 'met' : 'NOT MET'}`,
    )
    .join('\n');
}

export { ms as formatMs };
