import { afterEach, expect, test } from 'vitest';
import { createLogger } from './log.js';
import { watchStalls } from './stall-watch.js';
import { LogCapture } from './test-support/log-capture.js';

const EVERY_MS = 20;
const STALL_MS = 200;
let stop: (() => void) | undefined;
afterEach(() => stop?.());

/** Holds the event loop for `ms`, as a long synchronous task does. */
const holdLoop = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** Lets the loop turn until the watch has checked at least a few times. */
const turns = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a hold-up of the event loop is logged once, with how long it lasted', async () => {
  const capture = new LogCapture();
  stop = watchStalls(createLogger('info', capture), { stallMs: STALL_MS, everyMs: EVERY_MS });

  await turns(EVERY_MS * 5);
  holdLoop(400);
  await turns(EVERY_MS * 3);

  // The check after the hold-up sees all of it, less at most one check interval. (A machine this busy
  // may hold the process up by itself too, in a shorter line of its own.)
  const lines = capture.withMessage('event loop held up').filter((l) => Number(l.heldMs) >= 400 - EVERY_MS);
  expect(lines).toHaveLength(1);
  expect(lines[0]!.level).toBe(40);
});

test('once stopped, nothing is logged', async () => {
  const capture = new LogCapture();
  stop = watchStalls(createLogger('info', capture), { stallMs: STALL_MS, everyMs: EVERY_MS });
  stop();
  holdLoop(300);
  await turns(EVERY_MS * 3);
  expect(capture.withMessage('event loop held up')).toEqual([]);
});
