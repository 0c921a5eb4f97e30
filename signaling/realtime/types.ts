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

/** Events between server nodes (through the Redis adapter, `io.serverSideEmit`). */
export interface InterNodeEvents {
  /** A node appended to the revocation log: read it now. */
  'sessions.revoked': () => void;
}

export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, InterNodeEvents, SocketData>;
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterNodeEvents, SocketData>;

/** The device a connection carries (set by the handshake). */
export const deviceOf = (socket: ParleySocket): Device => ({
  userId: socket.data.userId,
  deviceId: socket.data.deviceId,
});
