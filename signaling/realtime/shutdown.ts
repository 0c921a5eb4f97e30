/**
 * The per-connection part of a shutdown, bounded by a deadline whatever the number of clients.
 *
 * Telling and disconnecting a connection is Socket.IO work per socket (a write, leaving the rooms, the
 * websocket close): 0.8 ms each at 5,000 clients on a loaded 2-core machine. Done in one synchronous
 * pass (`io.local.emit`, `disconnectSockets`) nothing can stop it at a deadline, so it goes in slices
 * with the event loop let run between them (the clients' answers, the disconnect handlers, the deadline's
 * check). The connections still open at the deadline are cut off (or, when the process exits right
 * after, left to the kernel to close with the process): their clients see the transport close and
 * reconnect by themselves.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ParleySocket, ParleyServer } from './types.js';

/** Connections told or disconnected between two turns of the event loop. */
const SLICE = 100;

/** Calls `each` on the sockets in slices until `deadline`; returns how many it reached. */
async function inSlices(
  sockets: readonly ParleySocket[],
  deadline: number,
  each: (socket: ParleySocket) => void,
): Promise<number> {
  let done = 0;
  while (done < sockets.length && Date.now() < deadline) {
    for (const socket of sockets.slice(done, done + SLICE)) each(socket);
    done = Math.min(sockets.length, done + SLICE);
    await nextTurn();
  }
  return done;
}

/** This node's sockets (with the Redis adapter, `io.emit` would reach every node's). */
const localSockets = (io: ParleyServer): ParleySocket[] => [...io.sockets.sockets.values()];

/** Sends `server.shutdown` to this node's connections, as many as the deadline allows. */
export function tellShutdown(io: ParleyServer, deadline: number): Promise<number> {
  return inSlices(localSockets(io), deadline, (socket) =>
    socket.emit('server.shutdown', { message: 'server is shutting down' }),
  );
}

/**
 * Disconnects this node's sockets and waits, until `deadline` at the latest, for their TCP connections to
 * close, so that queued messages (call.ended, history.entry) are delivered: `io.close()` alone would
 * discard them. (Engine.IO's own 'close' event fires as soon as the websocket close has started, before
 * the client has read anything or answered.) Returns how many it disconnected.
 */
export async function disconnectAll(io: ParleyServer, deadline: number): Promise<number> {
  const closed: Promise<void>[] = [];
  const disconnected = await inSlices(localSockets(io), deadline, (socket) => {
    const tcp = socket.request.socket;
    if (!tcp.destroyed) closed.push(new Promise((resolve) => tcp.once('close', () => resolve())));
    socket.disconnect(true);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>(
    (resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))),
  );
  await Promise.race([Promise.all(closed), timeout]);
  clearTimeout(timer);
  return disconnected;
}

/**
 * The TCP connections of this node's Socket.IO clients still open, connected or still in the handshake.
 * Found through Engine.IO rather than tracked from the HTTP server's 'connection' event: a 'close'
 * listener of its own on every connection grew its listener list (some 150 bytes a client). Taken
 * before disconnecting: a client leaves Engine.IO's list as soon as its websocket close has begun,
 * long before its TCP connection closes (never, if it stopped reading).
 */
export const clientConnections = (io: ParleyServer): Socket[] =>
  // `clients` is public in Engine.IO's documentation ("hash of connected clients by id"), protected in
  // its type declarations.
  Object.values((io.engine as unknown as { clients: Record<string, { request: IncomingMessage }> }).clients)
    .map((client) => client.request.socket)
    .filter((tcp) => !tcp.destroyed);

/**
 * Destroys every TCP connection still open (a client that stopped reading would hold the shutdown for the
 * 30 s websocket close timeout; one the deadline came before; an idle HTTP keep-alive or a half-sent
 * request) and resolves once the clients' have closed. `io.close()` after that has nothing left to
 * write: on a destroyed but not yet closed connection it would try to send a websocket close, and each
 * failed write makes an error with a stack (a third of the shutdown's CPU at 5,000 clients).
 */
export async function cutOff(clients: readonly Socket[], http: HttpServer): Promise<void> {
  const open = clients.filter((tcp) => !tcp.destroyed);
  const closed = open.map((tcp) => new Promise((resolve) => tcp.once('close', resolve)));
  for (const tcp of open) tcp.destroy();
  http.closeAllConnections();
  await Promise.all(closed);
  // A websocket learns of its connection's close from a stream that ends a turn later.
  await nextTurn();
}

/**
 * For a process that exits right after: stops reading the clients' connections still open, so that no
 * request starts work the closing of the database would cut in half, and leaves closing them to the exit
 * (the kernel closes them all at once, without Socket.IO's teardown of each).
 */
export function leaveToExit(clients: readonly Socket[]): void {
  for (const tcp of clients) tcp.pause();
}
