/**
 * Says in the log when the event loop was held up: for that long the server ran no timer (no ring timeout,
 * no presence tick). Either something held the loop and the server answered nobody (a long synchronous
 * task, a database statement waiting out a lock held by another process, a machine out of CPU), or it was
 * answering connections the whole time: Node takes every connection that is ready before it runs a timer,
 * so thousands arriving or leaving at once (a reconnect storm after a restart, a crowd gone with a network)
 * hold the timers back for as long as their handshakes and disconnects take. The line tells the two apart by
 * how many of those the server took meanwhile. The metrics' event-loop lag says how often; this line says
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
  /** Connections come and gone so far (counts that only grow): the line says how many during a hold-up. */
  churn?: ConnectionChurn;
}

/** Handshakes begun and disconnects taken so far, counted by their owner (realtime/connection.ts). */
export interface ConnectionChurn {
  handshakes: number;
  disconnects: number;
}

/** Starts watching; returns the function that stops it. The watch never keeps the process alive. */
export function watchStalls(
  log: Logger,
  {
    stallMs = STALL_MS,
    everyMs = CHECK_EVERY_MS,
    churn = { handshakes: 0, disconnects: 0 },
  }: StallWatchOptions = {},
): () => void {
  let last = performance.now();
  let before = { ...churn };
  const timer = setInterval(() => {
    const now = performance.now();
    const heldMs = now - last - everyMs;
    last = now;
    if (heldMs >= stallMs)
      log.warn(
        {
          heldMs: Math.round(heldMs),
          handshakesMeanwhile: churn.handshakes - before.handshakes,
          disconnectsMeanwhile: churn.disconnects - before.disconnects,
        },
        'event loop held up',
      );
    before = { ...churn };
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
