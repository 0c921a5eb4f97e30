/** The server's error type: a stable protocol code plus a developer message. */
import type { z } from 'zod';
import { isStorageUnreachable } from './storage-unreachable.js';
import type { ErrorCode, ProtocolError } from './protocol/index.js';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toProtocol(): ProtocolError {
    return this.retryAfterMs === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, retryAfterMs: this.retryAfterMs };
  }
}

/** A zod failure in one line: `field.path: what is wrong` for the first issue. */
export function describeInvalid(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/** What a client is told when the server's storage cannot be reached: an outage, not a bug. */
export const UNAVAILABLE: ProtocolError = {
  code: 'E_UNAVAILABLE',
  message: 'the server cannot reach its storage right now; try again',
};

/**
 * Any thrown value as a protocol error: storage out of reach becomes E_UNAVAILABLE, anything else
 * unexpected E_INTERNAL, both without details.
 */
export const toProtocolError = (err: unknown): ProtocolError => {
  if (err instanceof AppError) return err.toProtocol();
  return isStorageUnreachable(err) ? UNAVAILABLE : { code: 'E_INTERNAL', message: 'internal error' };
};
