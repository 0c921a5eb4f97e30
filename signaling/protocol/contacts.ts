/** Contacts are mutual: a request that the other side accepts. */
import { z } from 'zod';
import { Presence, Username } from './common.js';

export const ContactState = z.enum(['accepted', 'incoming', 'outgoing']);
export type ContactState = z.infer<typeof ContactState>;

export const Contact = z.object({
  username: Username,
  displayName: z.string(),
  state: ContactState,
  /** Live presence for accepted contacts; always `offline` for pending ones. */
  presence: Presence,
});
export type Contact = z.infer<typeof Contact>;

export const ContactRef = z.strictObject({ username: Username });
export type ContactRef = z.infer<typeof ContactRef>;
