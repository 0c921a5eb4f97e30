/**
 * The server's shared domain types, below every service and below `realtime/`: a device of a user, and
 * the `Notifier` through which services push events to people. Services and `realtime/` both import
 * them from here, so no service imports anything from `realtime/` (the lint rules keep it that way).
 */
import type { ServerEventName, ServerEventPayload } from './protocol/index.js';

/** One of a user's signed-in devices: the one connecting, the one acting, or one bound to a call. */
export interface Device {
  userId: number;
  deviceId: string;
}

export const sameDevice = (a: Device, b: Device): boolean =>
  a.userId === b.userId && a.deviceId === b.deviceId;

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
