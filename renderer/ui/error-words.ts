/**
 * What a person reads for each error code: the server's protocol codes and
 * the app's own (network, media, devices). The server's `message` is for
 * developers; the UI shows these words instead.
 */
import type { ErrorCode } from '../../signaling/protocol/index.js';
import type { EndReason } from '../call/view.js';

const serverWords: Record<ErrorCode, string> = {
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
  E_TOO_MANY_DEVICES: 'You are signed in on too many devices. Sign out on one of them and try again.',
  E_DEVICE_TAKEN: 'This device was in use by another sign-in. Parley will reconnect as a new device.',
  E_HOST_NOT_ALLOWED:
    'The server does not answer to this address. Use the address its administrator gave you, or ask them to add this one.',
  E_UNAVAILABLE: 'The server cannot reach its storage right now. Please try again in a moment.',
  E_INTERNAL: 'Something went wrong on the server. Please try again.',
};

const appWords: Record<string, string> = {
  E_NETWORK: 'Cannot reach the server. Check the address and your connection.',
  E_MEDIA_DENIED:
    'Parley may not use your microphone or camera. Allow it in your browser or system settings.',
  E_MEDIA_MISSING: 'No microphone or camera was found.',
  E_MEDIA_BUSY: 'Your microphone or camera is in use by another program.',
  E_MEDIA_FAILED: 'Your microphone or camera could not be started.',
  E_DEVICE_FALLBACK: 'The chosen device is not available; Parley is using the default one.',
  E_ICE_FAILED:
    "The network blocked the call's audio and video, so it could not connect. A firewall may be in the way.",
  E_MALFORMED: 'The server sent something Parley did not understand; it was ignored.',
  E_REPLACED:
    'Parley is open in another tab or window on this device, so this one has stopped. Reload to use it here.',
};

/** Words for an error code; unknown codes (a newer server) get a generic sentence. */
export const errorWords = (code: string): string =>
  (serverWords as Record<string, string>)[code] ??
  appWords[code] ??
  'Something went wrong. Please try again.';

/** The words of a failed request, or null when it succeeded. */
export const failureWords = (
  outcome: { ok: true } | { ok: false; error: { code: string } },
): string | null => (outcome.ok ? null : errorWords(outcome.error.code));

const endWords: Record<EndReason, string> = {
  completed: 'Call ended',
  declined: 'Call declined',
  cancelled: 'Call cancelled',
  missed: 'No answer',
  busy: 'Busy',
  dnd: 'Do not disturb',
  offline: 'Offline',
  'connection-lost': 'Connection lost',
  interrupted: 'Call interrupted by a server restart',
  'answered-elsewhere': 'Answered on another device',
  failed: 'Call failed',
  refused: 'Call not placed',
};

/** A short line for how a call ended, with the error's words when there is one. */
export const endedWords = (reason: EndReason, code?: string): string =>
  code ? `${endWords[reason]}: ${errorWords(code)}` : endWords[reason];
