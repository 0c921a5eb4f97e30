/** The call-setup benchmark's arithmetic: summaries, the longest gap in a call's setup, targets, first frames. */
import { describe, expect, it } from 'vitest';
import { firstDecodedAt, type CaptureEvent } from './capture.js';
import { atMost, longestGap, summarise, summariseAll, table, type TimelineEvent } from './figures.js';

describe('summarise', () => {
  it('gives the median (mean of the middle two) and p90 by nearest rank, and null for no values', () => {
    expect(summarise([7, 3, 10, 1, 5, 2, 9, 4, 8, 6])).toEqual({
      n: 10,
      median: 5.5,
      p90: 9,
      min: 1,
      max: 10,
    });
    expect(summarise([3, 1, 2])).toMatchObject({ median: 2, p90: 3 });
    expect(summarise([])).toBeNull();
  });

  it('summarises each row over the calls that have it, and the table says how many did', () => {
    const rows = summariseAll({ a: 'row a', b: 'row b', c: 'row c' }, [
      { a: 1, b: 10 },
      { a: 3, b: undefined },
    ]);
    expect(rows).toEqual({
      a: { n: 2, median: 2, p90: 3, min: 1, max: 3 },
      b: { n: 1, median: 10, p90: 10, min: 10, max: 10 },
      c: null,
    });
    const lines = table('T', { a: 'row a', b: 'row b', c: 'row c' }, rows, 2).split('\n');
    expect(lines[3]).toMatch(/^row a +2 +3 +1 +3$/);
    expect(lines[4]).toMatch(/^row b +10 +10 +10 +10 {2}\(1 of 2 calls\)$/);
    expect(lines[5]).toMatch(/^row c +- {2}\(no call had it\)$/);
    // Tenths, and no ".0" on a value that rounds to a whole number.
    expect(table('T', { a: 'row a' }, { a: summarise([769.99, 12.34]) }, 2)).toMatch(
      /row a +391\.2 +770 +12\.3 +770$/,
    );
  });
});

describe('longestGap', () => {
  const at = (t: number, what: string): TimelineEvent => ({ at: t, what });
  const accept = at(300, 'accept click');

  it('leaves out the gap that ends at the accept click (the test driver waiting and clicking)', () => {
    const events = [at(0, 'click'), at(20, 'ringing'), at(400, 'offer'), at(500, 'frame')];
    expect(longestGap(events, { start: 0, end: 500 }, accept)).toEqual({
      ms: 100,
      from: accept,
      to: events[2],
    });
  });

  it('counts a stall while ringing that does not end at the accept click', () => {
    const events = [at(0, 'click'), at(20, 'offer'), at(1_250, 'connected'), at(1_300, 'frame')];
    const slowDriver = at(1_280, 'accept click');
    expect(longestGap(events, { start: 0, end: 1_300 }, slowDriver)).toMatchObject({
      ms: 1_230,
      from: { what: 'offer' },
      to: { what: 'connected' },
    });
  });

  it('looks only between the call click and the end of setup', () => {
    const events = [at(-5_000, 'last call'), at(0, 'click'), at(50, 'frame'), at(5_000, 'late mark')];
    expect(longestGap(events, { start: 0, end: 400 }, accept)?.ms).toBe(50);
    expect(longestGap([], { start: 0, end: 400 }, accept)).toBeNull();
  });

  it('without a driver (the bare link), every gap counts', () => {
    const events = [at(0, 'createOffer'), at(900, 'connected'), at(1_000, 'frame')];
    expect(longestGap(events, { start: 0, end: 1_000 })).toMatchObject({
      ms: 900,
      to: { what: 'connected' },
    });
  });
});

describe('atMost', () => {
  it('compares the median with the limit, and a missing figure is not met', () => {
    const s = summarise([10, 20, 30])!;
    expect(atMost('x', s, 20, '20 ms')).toEqual({
      what: 'x',
      target: 'p50 <= 20 ms',
      measured: 'p50 20 ms',
      met: true,
    });
    expect(atMost('x', s, 19.9, '19.9 ms').met).toBe(false);
    expect(atMost('x', null, 20, '20 ms')).toMatchObject({ measured: 'not measured', met: false });
  });
});

describe('firstDecodedAt', () => {
  const polled: CaptureEvent = { kind: 'first-frame', at: 500 };
  const shown = (presentationTime: number): CaptureEvent => ({
    kind: 'frame-shown',
    at: presentationTime + 16,
    detail: { presentedFrames: 3, presentationTime },
  });

  it('takes the earlier of the stats poll and the first presented frame, both of which follow the decode', () => {
    expect(firstDecodedAt([polled, shown(460)])).toBe(460);
    expect(firstDecodedAt([shown(540), polled])).toBe(500);
    expect(firstDecodedAt([shown(540)])).toBe(540);
    expect(firstDecodedAt([{ kind: 'first-packet', label: 'video', at: 100 }])).toBeUndefined();
  });
});
