/** Value types shared by every part of the wire contract. */
import { z } from 'zod';

export const Username = z.string().regex(/^[a-z0-9._-]{3,32}$/, '3-32 of a-z 0-9 . _ -');
export type Username = z.infer<typeof Username>;

/** 1-64 printable characters, trimmed. */
export const DisplayName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((s) => !/\p{Cc}/u.test(s), 'no control characters');

export const Password = z.string().min(8).max(256);

/** Chosen by the client, stable per installation (or per browser tab). */
export const DeviceId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8-64 of A-Z a-z 0-9 _ -');
export type DeviceId = z.infer<typeof DeviceId>;

/** Server-made, random: 22 base64url characters (128 bits). */
export const CallId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, '22 base64url characters');
export type CallId = z.infer<typeof CallId>;

export const Media = z.enum(['audio', 'video']);
export type Media = z.infer<typeof Media>;

export const Presence = z.enum(['online', 'away', 'busy', 'dnd', 'offline']);
export type Presence = z.infer<typeof Presence>;

export const UserSummary = z.object({ username: Username, displayName: z.string() });
export type UserSummary = z.infer<typeof UserSummary>;

/** An ISO-8601 timestamp in UTC. */
export const Timestamp = z.iso.datetime();
