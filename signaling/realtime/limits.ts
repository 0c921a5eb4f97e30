/**
 * Per-user limits of every client request, in one table. The table is typed
 * by `ClientRequestName`, so a request added to `clientRequests` does not
 * compile until it has a limit here. The defaults are far above what a person
 * does by hand (or a client does for them) and far below what a script can
 * send: they stop probing and floods, not people. Only the two an operator
 * may want to tune are settings.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { limitersInMemory, type MakeLimiter } from '../accounts/rate-limits.js';
import type { ServerConfig } from '../config.js';
import type { ClientRequestName } from '../protocol/index.js';

export interface RequestLimit {
  /** Requests allowed per user (all devices together) in one window. */
  points: number;
  /** Length of the fixed window, from the first request in it. */
  seconds: number;
}

/** Generous for anything a person does: an answer, a page of history, a status change. */
const ORDINARY: RequestLimit = { points: 60, seconds: 60 };

export function requestLimits(
  config: Pick<ServerConfig, 'invitesPerMinute' | 'relayPer10s'>,
): Record<ClientRequestName, RequestLimit> {
  return {
    // Reveals whether a username exists (E_NOT_FOUND), so it gets the tightest fixed limit.
    'contacts.request': { points: 30, seconds: 60 },
    'contacts.accept': ORDINARY,
    'contacts.decline': ORDINARY,
    'contacts.remove': ORDINARY,
    // Idle detection and do-not-disturb clicks; bursts are also coalesced before they reach contacts.
    'presence.update': ORDINARY,
    'call.invite': { points: config.invitesPerMinute, seconds: 60 },
    'call.accept': ORDINARY,
    'call.decline': ORDINARY,
    'call.cancel': ORDINARY,
    'call.hangup': ORDINARY,
    // Once per call that ended while the server was away.
    'call.reportEnd': ORDINARY,
    // One call's offer, answer and trickled candidates, plus renegotiations.
    'call.signal': { points: config.relayPer10s, seconds: 10 },
    'history.list': ORDINARY,
    'history.markSeen': ORDINARY,
    // Asked once per call (and per ICE restart).
    'ice.servers': ORDINARY,
  };
}

/** One limiter per request, counting per user id (in memory, or on every node's behalf in Redis). */
export function requestLimiters(
  limits: Record<ClientRequestName, RequestLimit>,
  makeLimiter: MakeLimiter = limitersInMemory,
): Record<ClientRequestName, RateLimiterAbstract> {
  const entries = Object.entries(limits) as [ClientRequestName, RequestLimit][];
  return Object.fromEntries(
    entries.map(([name, { points, seconds }]) => [
      name,
      makeLimiter({ points, duration: seconds, keyPrefix: `request:${name}` }),
    ]),
  ) as Record<ClientRequestName, RateLimiterAbstract>;
}
