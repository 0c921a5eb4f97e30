/** The server's error type: a stable protocol code plus a developer message. */
import type { z } from 'zod';
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

/** Any thrown value as a protocol error; unexpected ones become E_INTERNAL without details. */
export const toProtocolError = (err: unknown): ProtocolError =>
  err instanceof AppError ? err.toProtocol() : { code: 'E_INTERNAL', message: 'internal error' };
