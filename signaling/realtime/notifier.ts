/**
 * The `Notifier` services push events through (`domain.ts`), over Socket.IO rooms: a thin typed layer
 * that never holds a socket object.
 */
import type { Server } from 'socket.io';
import type { Device, Notifier } from '../domain.js';
import type { ServerEventName, ServerEventPayload } from '../protocol/index.js';
import { deviceRoom, userRoom } from './rooms.js';
import type { ParleyServer } from './types.js';

/** Socket.IO's emit is typed per event; the generic K cannot narrow it, hence one cast here. */
type LooseEmit = { emit(event: string, payload: unknown): boolean };

export class RoomNotifier implements Notifier {
  constructor(private readonly io: ParleyServer | Server) {}

  toUsers<K extends ServerEventName>(
    userIds: readonly number[],
    event: K,
    payload: ServerEventPayload<K>,
  ): void {
    if (userIds.length === 0) return;
    (this.io.to(userIds.map(userRoom)) as unknown as LooseEmit).emit(event, payload);
  }

  toDevice<K extends ServerEventName>(device: Device, event: K, payload: ServerEventPayload<K>): void {
    (this.io.to(deviceRoom(device.userId, device.deviceId)) as unknown as LooseEmit).emit(event, payload);
  }

  toOtherDevices<K extends ServerEventName>(device: Device, event: K, payload: ServerEventPayload<K>): void {
    const rooms = this.io.to(userRoom(device.userId)).except(deviceRoom(device.userId, device.deviceId));
    (rooms as unknown as LooseEmit).emit(event, payload);
  }
}
