/** The typed Socket.IO server and socket of Parley, and the device a socket carries. */
import type { Server, Socket } from 'socket.io';
import type { Device } from '../domain.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/index.js';

/** What the handshake established about a connection. */
export interface SocketData {
  userId: number;
  username: string;
  displayName: string;
  deviceId: string;
  tokenHashHex: string;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no server-to-server events
export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;

/** The device a connection carries (set by the handshake). */
export const deviceOf = (socket: ParleySocket): Device => ({
  userId: socket.data.userId,
  deviceId: socket.data.deviceId,
});
