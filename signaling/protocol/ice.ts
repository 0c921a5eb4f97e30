/** ICE servers (STUN, and TURN with short-lived credentials) for a signed-in user. */
import { z } from 'zod';
import { Timestamp } from './common.js';

export const IceServer = z.object({
  urls: z.array(z.string()).min(1),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

export const IceConfig = z.object({
  iceServers: z.array(IceServer),
  /** When the TURN credentials stop working; null when there are none. Ask again before then. */
  expiresAt: Timestamp.nullable(),
});
export type IceConfig = z.infer<typeof IceConfig>;
