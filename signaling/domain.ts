/**
 * The server's shared domain types, below every service, `db/` and `realtime/`: a device of a user, a
 * live call, and the `Notifier` through which services push events to people. They all import them from
 * here, so no service imports anything from `realtime/` (the lint rules keep it that way).
 */
import type { Media, ServerEventName, ServerEventPayload } from './protocol/index.js';

/** One of a user's signed-in devices: the one connecting, the one acting, or one bound to a call. */
export interface Device {
  userId: number;
  deviceId: string;
}

export const sameDevice = (a: Device, b: Device): boolean =>
  a.userId === b.userId && a.deviceId === b.deviceId;

/** A call in progress: what the call machine decides on, the registry keeps and live_calls stores. */
export interface LiveCall {
  id: string;
  media: Media;
  /** The caller's device is bound to the call from the start. */
  caller: Device;
  /** The callee's answering device once it is bound; until then only the user (all of their devices ring). */
  callee: Device | { userId: number; deviceId: null };
  state: 'ringing' | 'active';
  createdAt: number;
  answeredAt: number | null;
}

/**
 * How services push events to people: to all devices of some users, to one device, or to a user's
 * devices but one. `realtime/notifier.ts` implements it with Socket.IO rooms.
 */
export interface Notifier {
  toUsers<K extends ServerEventName>(
    userIds: readonly number[],
    event: K,
    payload: ServerEventPayload<K>,
  ): void;
  toDevice<K extends ServerEventName>(device: Device, event: K, payload: ServerEventPayload<K>): void;
  /** To every device of the user except one. */
  toOtherDevices<K extends ServerEventName>(device: Device, event: K, payload: ServerEventPayload<K>): void;
}
