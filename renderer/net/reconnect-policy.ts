/**
 * When the signaling client tries to connect again after losing (or failing to open) its connection: a
 * small interface (like LiveKit's ReconnectPolicy) so the schedule can change, or be stubbed in a test,
 * without touching the client, which asks it on every drop and nowhere else.
 */

/** Why the connection is down. */
export type DropReason =
  /** The network or the transport failed (no answer, connection reset): Socket.IO's usual case. */
  | 'transport'
  /** The server closed the connection on purpose or refused the handshake (restarting, full). */
  | 'server';

export interface ReconnectContext {
  /** 0 for the first retry since the last connection was up. */
  attempt: number;
  reason: DropReason;
}

export interface ReconnectPolicy {
  /** Milliseconds until the next attempt, or null to stop trying. */
  nextDelayMs(context: ReconnectContext): number | null;
}

interface Backoff {
  firstMs: number;
  maxMs: number;
  /** Each delay is moved by up to this share of itself, either way, so that clients spread out. */
  jitter: number;
}

/**
 * Doubling delays, forever. A failed transport is retried soon (what Socket.IO does by itself: 0.5 s up to
 * 5 s, ±50 %); a server that closed or refused us is given longer (1 s up to 10 s), since it said so.
 */
export class BackoffPolicy implements ReconnectPolicy {
  constructor(
    private readonly schedules: Record<DropReason, Backoff> = {
      transport: { firstMs: 500, maxMs: 5_000, jitter: 0.5 },
      server: { firstMs: 1_000, maxMs: 10_000, jitter: 0 },
    },
    private readonly random: () => number = Math.random,
  ) {}

  nextDelayMs({ attempt, reason }: ReconnectContext): number {
    const { firstMs, maxMs, jitter } = this.schedules[reason];
    const delay = Math.min(maxMs, firstMs * 2 ** Math.min(attempt, 30));
    return Math.round(Math.min(maxMs, delay * (1 + jitter * (2 * this.random() - 1))));
  }
}
