/**
 * Whether an error means that the server could not reach its storage (PostgreSQL or Redis: refused,
 * cut off, restarting, not answering in time) rather than that something is wrong in Parley. Requests
 * that fail so answer E_UNAVAILABLE ("try again") instead of E_INTERNAL, so that clients retry and
 * people and operators can tell an outage from a bug. The drivers say so in their own ways: Node's
 * socket error codes, PostgreSQL's SQLSTATE classes, pg's and ioredis's own messages and error names.
 */

/** Socket errors of a connection that could not be made or broke. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01-57P03 (shut down by an administrator,
 * crashed, not accepting connections yet), 53300 (too many connections).
 */
const unreachableSqlState = (code: string): boolean =>
  code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code);

/**
 * pg: a connection that broke, or a pool that got none in time, or a statement without an answer in
 * time; ioredis: a command given up after its retries, or on a connection that closed.
 */
const UNREACHABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection is closed|Stream isn't writeable|Command aborted due to connection close)/;
const UNREACHABLE_NAMES = new Set(['MaxRetriesPerRequestError']);

export function isStorageUnreachable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 3) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || unreachableSqlState(code))) return true;
  if (UNREACHABLE_NAMES.has(err.name) || UNREACHABLE_MESSAGE.test(err.message)) return true;
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  if (err instanceof AggregateError && err.errors.some((e) => isStorageUnreachable(e, depth + 1)))
    return true;
  return isStorageUnreachable(err.cause, depth + 1);
}
