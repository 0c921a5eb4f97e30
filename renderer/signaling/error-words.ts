/**
 * What a person reads for each server error code. The server's `message`
 * is for developers; the UI shows these words instead.
 */
import type { ErrorCode } from '../../signaling/protocol/index.js';

const words: Record<ErrorCode, string> = {
  E_INVALID: 'Parley sent something the server did not understand. Please update the app.',
  E_UNKNOWN_EVENT: 'Parley and the server disagree about the protocol. Please update the app.',
  E_UNAUTHORIZED: 'You have been signed out. Please sign in again.',
  E_AUTH_FAILED: 'Wrong username or password.',
  E_RATE_LIMITED: 'Too many attempts. Please wait a moment and try again.',
  E_REGISTRATION_CLOSED: 'This server does not accept new accounts. Ask its administrator for one.',
  E_USERNAME_TAKEN: 'That username is taken.',
  E_NOT_FOUND: 'There is no one with that username.',
  E_SELF: 'That is you.',
  E_ALREADY_CONTACT: 'You are already contacts.',
  E_NO_REQUEST: 'That contact request is no longer pending.',
  E_NOT_CONTACT: 'You can only call your contacts.',
  E_IN_CALL: 'You are already in a call.',
  E_BUSY: 'They are in another call.',
  E_OFFLINE: 'They are offline.',
  E_DND: 'They do not want to be disturbed right now.',
  E_CALL_NOT_FOUND: 'That call is over.',
  E_CALL_STATE: 'That call has already moved on.',
  E_SHUTTING_DOWN: 'The server is restarting. Parley will reconnect.',
  E_INTERNAL: 'Something went wrong on the server. Please try again.',
};

/** Words for an error code; unknown codes (a newer server) get a generic sentence. */
export const errorWords = (code: string): string =>
  (words as Record<string, string>)[code] ?? 'Something went wrong. Please try again.';
