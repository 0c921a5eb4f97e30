/** Presence of a user, derived from all of their devices. Pure. */
import type { Presence } from '../protocol/index.js';

export interface PresenceFacts {
  /** Away flags of the user's connected devices (empty: no device is connected). */
  devicesAway: readonly boolean[];
  inCall: boolean;
  dnd: boolean;
}

export function derivePresence({ devicesAway, inCall, dnd }: PresenceFacts): Presence {
  if (devicesAway.length === 0) return 'offline';
  if (inCall) return 'busy';
  if (dnd) return 'dnd';
  return devicesAway.some((away) => !away) ? 'online' : 'away';
}
