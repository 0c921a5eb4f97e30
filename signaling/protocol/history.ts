/** Call history: every attempt, paged newest first, with a seen flag on missed calls. */
import { z } from 'zod';
import { CallEndReason } from './calls.js';
import { CallId, Media, Timestamp, UserSummary } from './common.js';

export const HISTORY_PAGE_MAX = 100;

/**
 * `<createdAt in ms>_<callId>`: pages hold the entries strictly older than that (createdAt, then callId).
 * Clients pass `nextCursor` back as `before`, or build one (the format is part of the protocol).
 */
export const HistoryCursor = z
  .string()
  .regex(/^\d{1,16}_[A-Za-z0-9_-]{22}$/, '"<createdAt ms>_<callId>" (pass nextCursor back)');

export const HistoryListRequest = z.strictObject({
  before: HistoryCursor.optional(),
  limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).optional(),
});
export type HistoryListRequest = z.infer<typeof HistoryListRequest>;

export const HistoryEntry = z.object({
  callId: CallId,
  direction: z.enum(['outgoing', 'incoming']),
  peer: UserSummary,
  media: Media,
  createdAt: Timestamp,
  answeredAt: Timestamp.nullable(),
  endedAt: Timestamp.nullable(),
  endReason: CallEndReason.nullable(),
  /** Device id that answered, shown to the callee only ("answered on laptop"). */
  answeredDevice: z.string().nullable(),
  /** An incoming call that was not answered and not declined. */
  missed: z.boolean(),
  /** For missed calls: has the callee seen it (clears the badge). */
  seen: z.boolean(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const HistoryPage = z.object({
  entries: z.array(HistoryEntry),
  nextCursor: HistoryCursor.nullable(),
});

export const UnseenMissedCalls = z.object({ unseenMissedCalls: z.number().int().nonnegative() });
