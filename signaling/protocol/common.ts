/** Value types shared by every part of the wire contract. */
import { z } from 'zod';

export const Username = z.string().regex(/^[a-z0-9._-]{3,32}$/, '3-32 of a-z 0-9 . _ -');
export type Username = z.infer<typeof Username>;

/**
 * Characters a display name may not contain: controls (`Cc`: tab, newline, ...), format characters (`Cf`:
 * the bidi overrides, embeddings, isolates and marks such as U+202E that turn "Bob \u202Egnp.exe" into
 * "Bob exe.png", zero-width space U+200B, word joiner U+2060, byte order mark U+FEFF, soft hyphen,
 * invisible tag characters), line and paragraph separators (U+2028, U+2029) and lone surrogates.
 * Two format characters are allowed: the zero-width non-joiner and joiner (U+200C, U+200D). Persian and
 * Indic names and emoji sequences need them to be spelt right, they reorder nothing, and an invisible
 * difference between two names adds nothing to what identical display names already allow (people are
 * told apart by @username).
 */
const NOT_IN_NAMES = /(?![\u200C\u200D])[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const NOT_IN_NAMES_ALL = new RegExp(NOT_IN_NAMES.source, 'gu');

/** Runs of spaces (any Unicode space) become one ASCII space; the ends are trimmed. */
const collapseSpaces = (s: string): string => s.replace(/\s+/gu, ' ').trim();

/**
 * 1-64 characters after spaces are collapsed, with something visible in them. Names with the
 * characters above are refused, not cleaned: a name is shown to other people as its owner typed it, so
 * the owner is told (E_INVALID) instead of finding a different name on the screens of others.
 */
export const DisplayName = z
  .string()
  .refine(
    (s) => !NOT_IN_NAMES.test(s),
    'no control, invisible format (such as bidi or zero-width) or line separator characters',
  )
  .transform(collapseSpaces)
  .pipe(
    z
      .string()
      .min(1)
      .max(64)
      .refine((s) => /[^\s\u200C\u200D]/u.test(s), 'needs a visible character'),
  );
export type DisplayName = z.infer<typeof DisplayName>;

/**
 * A display name made safe to show: the characters DisplayName refuses are removed and spaces collapsed.
 * For names stored before that rule (the server returns them as they are), and for anything a client
 * shows that came from the network. Clients still isolate the name from the text around it (`<bdi>`,
 * or FSI...PDI in plain text), so right-to-left letters in it cannot move that text.
 */
export const shownName = (displayName: string): string =>
  collapseSpaces(displayName.replace(NOT_IN_NAMES_ALL, ''));

/**
 * A person in plain text, where no markup can isolate the name (notifications, menus, window titles): the
 * shown name between FSI and PDI (U+2068, U+2069), so its letters cannot reorder the words around it,
 * then the username, which tells apart people with the same name. `maxName` cuts a long name (in
 * characters, with an ellipsis) where space is short.
 */
export function personText(user: { username: string; displayName: string }, maxName = 64): string {
  const chars = [...shownName(user.displayName)];
  if (chars.length === 0) return `@${user.username}`;
  const name = chars.length > maxName ? `${chars.slice(0, maxName - 1).join('')}…` : chars.join('');
  return `\u2068${name}\u2069 (@${user.username})`;
}

export const Password = z.string().min(8).max(256);

/** Chosen by the client, stable per installation (or per browser tab). */
export const DeviceId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8-64 of A-Z a-z 0-9 _ -');
export type DeviceId = z.infer<typeof DeviceId>;

/** Server-made, random: 22 base64url characters (128 bits). */
export const CallId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, '22 base64url characters');
export type CallId = z.infer<typeof CallId>;

/**
 * One ringing device of the callee, as the caller's device sees it while the call connects early: opaque,
 * the same for that device throughout one call, and different for the same device in another call (it is
 * derived from the call id and the device, so it tells the caller nothing about the callee's devices).
 */
export const Leg = z.string().regex(/^[A-Za-z0-9_-]{16}$/, '16 base64url characters');
export type Leg = z.infer<typeof Leg>;

export const Media = z.enum(['audio', 'video']);
export type Media = z.infer<typeof Media>;

export const Presence = z.enum(['online', 'away', 'busy', 'dnd', 'offline']);
export type Presence = z.infer<typeof Presence>;

export const UserSummary = z.object({ username: Username, displayName: z.string() });
export type UserSummary = z.infer<typeof UserSummary>;

/** An ISO-8601 timestamp in UTC. */
export const Timestamp = z.iso.datetime();
