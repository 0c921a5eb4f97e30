/** logLimited: a few lines of a kind per window, then one line with the count left out. */
import { afterEach, expect, it, vi } from 'vitest';
import { createLogger, LOG_LINES_PER_WINDOW, LOG_WINDOW_MS, logLimited } from './log.js';
import { LogCapture } from './test-support/log-capture.js';

afterEach(() => void vi.useRealTimers());

it('writes the first lines of a kind, counts the rest, and sums them up when the window ends', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const capture = new LogCapture();
  const log = createLogger('info', capture);

  for (let i = 0; i < 1_000; i++) logLimited(log, 'warn', 'bad-message', { i }, 'bad message');
  logLimited(log, 'info', 'other-kind', {}, 'something else');

  expect(capture.lines().filter((l) => l.kind === 'bad-message')).toHaveLength(LOG_LINES_PER_WINDOW);
  expect(capture.lines().map((l) => l.i)).toEqual([0, 1, 2, 3, 4, undefined]);
  expect(capture.lines().at(-1)).toMatchObject({ kind: 'other-kind', msg: 'something else' });

  await vi.advanceTimersByTimeAsync(LOG_WINDOW_MS);
  const summary = capture.lines().at(-1);
  expect(summary).toMatchObject({
    level: 40,
    kind: 'bad-message',
    suppressed: 1_000 - LOG_LINES_PER_WINDOW,
    msg: `bad message (${1_000 - LOG_LINES_PER_WINDOW} more not logged)`,
  });
  // The kind with nothing left out gets no summary; a new window writes lines again.
  expect(capture.lines().filter((l) => l.kind === 'other-kind')).toHaveLength(1);
  logLimited(log, 'warn', 'bad-message', { i: 'next' }, 'bad message');
  expect(capture.lines().at(-1)).toMatchObject({ kind: 'bad-message', i: 'next' });
});
