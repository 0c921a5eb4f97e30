/**
 * Says in the log when the event loop was held up: for that long the server ran no timer (no ring timeout,
 * no presence tick). Either something held the loop and the server answered nobody (a long synchronous
 * task, a database statement waiting out a lock held by another process, a machine out of CPU), or it was
 * answering connections the whole time: Node takes every connection that is ready before it runs a timer,
 * so thousands arriving at once (a reconnect storm after a restart) hold the timers back for as long as
 * their handshakes take. The line tells the two apart by how many handshakes were done meanwhile. The
 * metrics' event-loop lag says how often; this line says when, beside what else the log says happened
 * then, with metrics on or off.
 */
import type { Logger } from './log.js';

/** A hold-up this long or longer is logged (a request answers in milliseconds). */
const STALL_MS = 1_000;
/** How often the loop is checked: a hold-up is seen at most this long after it ends. */
const CHECK_EVERY_MS = 500;

interface StallWatchOptions {
  stallMs?: number;
  everyMs?: number;
  /** Handshakes done so far (a count that only grows): the line says how many were done during a hold-up. */
  handshakesSoFar?: () => number;
}

/** Starts watching; returns the function that stops it. The watch never keeps the process alive. */
export function watchStalls(
  log: Logger,
  { stallMs = STALL_MS, everyMs = CHECK_EVERY_MS, handshakesSoFar = () => 0 }: StallWatchOptions = {},
): () => void {
  let last = performance.now();
  let handshakesBefore = handshakesSoFar();
  const timer = setInterval(() => {
    const now = performance.now();
    const heldMs = now - last - everyMs;
    const handshakes = handshakesSoFar();
    last = now;
    if (heldMs >= stallMs)
      log.warn(
        { heldMs: Math.round(heldMs), handshakesMeanwhile: handshakes - handshakesBefore },
        'event loop held up',
      );
    handshakesBefore = handshakes;
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
