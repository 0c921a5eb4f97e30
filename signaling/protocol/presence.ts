/** Presence: derived by the server from all of a user's devices. */
import { z } from 'zod';
import { Presence, Username } from './common.js';

/** `away` is per device (the client's idle detection); `dnd` is per user. */
export const PresenceUpdate = z
  .strictObject({ away: z.boolean().optional(), dnd: z.boolean().optional() })
  .refine((u) => u.away !== undefined || u.dnd !== undefined, 'set away, dnd or both');
export type PresenceUpdate = z.infer<typeof PresenceUpdate>;

export const PresenceChanged = z.object({ username: Username, presence: Presence });
export type PresenceChanged = z.infer<typeof PresenceChanged>;

/**
 * Several contacts' presence at once: what was held back for one recipient while devices came and went in
 * a crowd (`signaling/presence/fanout.ts`). Each username at most once, in its latest state.
 */
export const PresenceBatch = z.object({ changes: z.array(PresenceChanged) });
export type PresenceBatch = z.infer<typeof PresenceBatch>;

/** Your own derived presence and do-not-disturb flag, sent to all your devices. */
export const SelfPresence = z.object({ presence: Presence, dnd: z.boolean() });
export type SelfPresence = z.infer<typeof SelfPresence>;
