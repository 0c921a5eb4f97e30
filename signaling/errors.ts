/** The server's error type: a stable protocol code plus a developer message. */
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

/** Any thrown value as a protocol error; unexpected ones become E_INTERNAL without details. */
export const toProtocolError = (err: unknown): ProtocolError =>
  err instanceof AppError ? err.toProtocol() : { code: 'E_INTERNAL', message: 'internal error' };
