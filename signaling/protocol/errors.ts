/**
 * Error codes of the wire contract. Codes are stable; the UI maps them to
 * words. `message` is for logs and developers, never shown as-is to users.
 */
import { z } from 'zod';

export const errorCodes = [
  'E_INVALID', // payload failed validation (over HTTP also: body is not JSON)
  'E_UNKNOWN_EVENT', // an event name the server does not know
  'E_UNAUTHORIZED', // missing, unknown or revoked session token
  'E_AUTH_FAILED', // wrong username or password (deliberately not which)
  'E_RATE_LIMITED', // too many attempts; see retryAfterMs
  'E_REGISTRATION_CLOSED', // open registration is off on this server
  'E_USERNAME_TAKEN',
  'E_NOT_FOUND', // no such user
  'E_SELF', // the action names yourself
  'E_ALREADY_CONTACT',
  'E_NO_REQUEST', // no pending contact request to accept or decline
  'E_NOT_CONTACT', // only mutual contacts may call each other
  'E_IN_CALL', // the caller already has a call in progress
  'E_BUSY', // the callee is in a call
  'E_OFFLINE', // the callee has no connected device
  'E_DND', // the callee is in do-not-disturb
  'E_CALL_NOT_FOUND', // no such call, or you are not a party bound to it
  'E_CALL_STATE', // the call is not in a state that allows this action
  'E_SHUTTING_DOWN',
  'E_TOO_MANY_DEVICES', // handshake: the user already has the maximum number of devices connected
  'E_DEVICE_TAKEN', // handshake: this deviceId belongs to another session of the user; pick a new one
  'E_HOST_NOT_ALLOWED', // HTTP 421: the Host header names a host this server is not configured for
  'E_UNAVAILABLE', // the server cannot reach its storage (database, Redis) right now; try again
  'E_INTERNAL',
] as const;

export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ProtocolError = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Set with E_RATE_LIMITED: how long to wait before trying again. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type ProtocolError = z.infer<typeof ProtocolError>;

/** The result every request acknowledgement carries. */
export type Result<T extends object> = ({ ok: true } & T) | { ok: false; error: ProtocolError };

/** Builds the zod schema of a `Result<T>` from the schema of T. */
export function resultSchema<T extends z.ZodObject>(success: T) {
  return z.union([
    success.extend({ ok: z.literal(true) }),
    z.object({ ok: z.literal(false), error: ProtocolError }),
  ]);
}
