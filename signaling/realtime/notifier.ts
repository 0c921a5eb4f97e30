/**
 * The `Notifier` services push events through (`domain.ts`), over Socket.IO rooms: a thin typed layer
 * that never holds a socket object. It counts what each push reached (`parley_pushes_total`) from the
 * rooms' sizes on this server.
 */
import type { Server } from 'socket.io';
import type { Device, Notifier } from '../domain.js';
import type { Metrics } from '../metrics.js';
import type { ServerEventName, ServerEventPayload } from '../protocol/index.js';
import { deviceRoom, userRoom } from './rooms.js';
import type { ParleyServer } from './types.js';

/** Socket.IO's emit is typed per event; the generic K cannot narrow it, hence one cast here. */
type LooseEmit = { emit(event: string, payload: unknown): boolean };

export class RoomNotifier implements Notifier {
  constructor(
    private readonly io: ParleyServer | Server,
    private readonly metrics: Metrics,
  ) {}

  toUsers<K extends ServerEventName>(
    userIds: readonly number[],
    event: K,
    payload: ServerEventPayload<K>,
  ): void {
    if (userIds.length === 0) return;
    const rooms = userIds.map(userRoom);
    (this.io.to(rooms) as unknown as LooseEmit).emit(event, payload);
    // A connection is in one user's room only, so the rooms' sizes add up to the connections reached.
    let reached = 0;
    for (const room of rooms) reached += this.connectionsIn(room);
    this.count(event, reached);
  }

  toDevice<K extends ServerEventName>(device: Device, event: K, payload: ServerEventPayload<K>): void {
    const room = deviceRoom(device.userId, device.deviceId);
    (this.io.to(room) as unknown as LooseEmit).emit(event, payload);
    this.count(event, this.connectionsIn(room));
  }

  toOtherDevices<K extends ServerEventName>(device: Device, event: K, payload: ServerEventPayload<K>): void {
    const [user, own] = [userRoom(device.userId), deviceRoom(device.userId, device.deviceId)];
    (this.io.to(user).except(own) as unknown as LooseEmit).emit(event, payload);
    // The device's room is within its user's room.
    this.count(event, this.connectionsIn(user) - this.connectionsIn(own));
  }

  private connectionsIn(room: string): number {
    return this.io.sockets.adapter.rooms.get(room)?.size ?? 0;
  }

  private count(event: ServerEventName, reached: number): void {
    if (reached > 0) this.metrics.pushes.inc({ event }, reached);
  }
}
