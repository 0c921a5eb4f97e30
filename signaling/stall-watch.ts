/**
 * Says in the log when the event loop was held up: for that long the server answered nobody, rang
 * nobody and ran no timer (a long synchronous task, a database statement waiting out a lock held by
 * another process, a machine out of CPU). The metrics' event-loop lag says how often; this line says
 * when, beside what else the log says happened then, with metrics on or off.
 */
import type { Logger } from './log.js';

/** A hold-up this long or longer is logged (a request answers in milliseconds). */
const STALL_MS = 1_000;
/** How often the loop is checked: a hold-up is seen at most this long after it ends. */
const CHECK_EVERY_MS = 500;

interface StallWatchOptions {
  stallMs?: number;
  everyMs?: number;
}

/** Starts watching; returns the function that stops it. The watch never keeps the process alive. */
export function watchStalls(
  log: Logger,
  { stallMs = STALL_MS, everyMs = CHECK_EVERY_MS }: StallWatchOptions = {},
): () => void {
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const heldMs = now - last - everyMs;
    last = now;
    if (heldMs >= stallMs) log.warn({ heldMs: Math.round(heldMs) }, 'event loop held up');
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
