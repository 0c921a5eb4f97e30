/**
 * The life of one connection: the handshake checks (session, device id bound
 * to the session, device cap), joining the user's and device's rooms, presence
 * and calls on connect and disconnect, and the `session.ready` snapshot.
 */
import type { Logger } from 'pino';
import type { Accounts } from '../accounts/accounts.js';
import { hashToken } from '../accounts/tokens.js';
import type { CallService } from '../calls/service.js';
import type { ContactsService } from '../contacts/service.js';
import type { DeviceBindingsTable } from '../db/device-bindings.js';
import type { Device } from '../domain.js';
import { toProtocolError } from '../errors.js';
import type { HistoryService } from '../history/service.js';
import { KeyedQueue } from '../keyed-queue.js';
import type { Metrics } from '../metrics.js';
import type { DeviceRegistry } from '../presence/device-registry.js';
import type { PresenceService } from '../presence/service.js';
import type { ConnectionChurn } from '../stall-watch.js';
import { HandshakeAuth, type ErrorCode } from '../protocol/index.js';
import type { RequestDispatcher } from './dispatch.js';
import { deviceRoom, userRoom } from './rooms.js';
import { deviceOf, type ParleyServer, type ParleySocket } from './types.js';

export interface ConnectionDeps {
  /** Counted here for the stall watch: each handshake begun and each disconnect taken. */
  churn: ConnectionChurn;
  accounts: Accounts;
  devices: DeviceRegistry;
  presence: PresenceService;
  contacts: ContactsService;
  calls: CallService;
  history: HistoryService;
  /** Takes each connection's requests. */
  dispatcher: RequestDispatcher;
  /** Device ids belong to the session that first used them. */
  deviceBindings: DeviceBindingsTable;
  /** Devices one user may have connected at once; a handshake over it is refused. */
  maxDevicesPerUser: number;
  isClosing(): boolean;
  /**
   * The whole node is shutting down and nothing of its devices outlives it: a disconnect then changes
   * nothing worth the work (presence announcements to contacts who are being disconnected too, a grace
   * timer that shutdown stops anyway), which at thousands of devices would hold up the shutdown.
   */
  nodeGoing(): boolean;
  /** Counts refused handshakes. */
  metrics: Metrics;
  log: Logger;
}

/** A handshake refusal; the client sees `err.message` and `err.data.code` in `connect_error`. */
type Refusal = Error & { data: { code: ErrorCode } };

function refusal(code: ErrorCode, message: string): Refusal {
  return Object.assign(new Error(message), { data: { code } });
}

/** Returns a function that resolves once pending connect/disconnect work has finished. */
export function attachConnections(io: ParleyServer, deps: ConnectionDeps): () => Promise<void> {
  // Connects and disconnects of one device are handled in arrival order.
  const lifecycle = new KeyedQueue<string>();

  /** Takes a device slot for a handshake, or refuses it. */
  const admit = async (socket: ParleySocket): Promise<Refusal | undefined> => {
    const device = deviceOf(socket);
    const max = deps.maxDevicesPerUser;
    if (!(await deps.devices.admit(device.userId, device.deviceId, socket.id, max))) {
      return refusal('E_TOO_MANY_DEVICES', `at most ${max} devices of a user may be connected at once`);
    }
    // With a registry that does I/O (Redis) the client can be gone by now: Socket.IO then drops the
    // handshake without a 'disconnect' event, so the slot is given back here. (From here to Socket.IO's
    // own check there is no I/O, so a connection open now does open.)
    if (socket.conn.readyState !== 'open') {
      await lifecycle.run(lifecycleKey(device), () => abandoned(socket, device, deps));
    }
    return undefined;
  };

  /** The session, the device id's binding and a device slot: a refusal, or undefined to let it in. */
  const check = async (socket: ParleySocket, auth: HandshakeAuth): Promise<Refusal | undefined> => {
    const tokenHash = hashToken(auth.token);
    // One string for the socket's data and the keys of the sessions' and the bindings' caches (80 bytes a
    // connection, kept by all three).
    const tokenHashHex = tokenHash.toString('hex');
    const user = await deps.accounts.authenticate(auth.token, tokenHash, tokenHashHex);
    if (!user) return refusal('E_UNAUTHORIZED', 'invalid or revoked session');
    if (!(await deps.deviceBindings.bind(user.id, auth.deviceId, tokenHash, Date.now(), tokenHashHex))) {
      return refusal('E_DEVICE_TAKEN', 'this deviceId belongs to another session: use a new one');
    }
    socket.data = {
      userId: user.id,
      username: user.username,
      displayName: user.displayName,
      deviceId: auth.deviceId,
      tokenHashHex,
    };
    return admit(socket);
  };

  /** Lets the connection open, or refuses it with a counted refusal. */
  const decide = (socket: ParleySocket, next: (err?: Error) => void, refused: Refusal | undefined): void => {
    if (refused) {
      deps.metrics.handshakeFailures.inc({ reason: refused.data.code });
      const userId = (socket.data as Partial<ParleySocket['data']> | undefined)?.userId;
      deps.log.debug(
        { code: refused.data.code, userId, address: socket.handshake.address },
        'handshake refused',
      );
    }
    next(refused);
  };

  io.use((socket, next) => {
    deps.churn.handshakes++;
    if (deps.isClosing()) return decide(socket, next, refusal('E_SHUTTING_DOWN', 'server is shutting down'));
    const auth = HandshakeAuth.safeParse(socket.handshake.auth);
    if (!auth.success)
      return decide(socket, next, refusal('E_UNAUTHORIZED', 'handshake needs auth { token, deviceId }'));
    // Socket.IO does not catch what its middleware throws (a database error would become an unhandled
    // rejection and stop the process): `check` is async, so any failure in it arrives here.
    check(socket, auth.data).then(
      (refused) => decide(socket, next, refused),
      (err: unknown) => {
        deps.log.error({ err }, 'handshake failed');
        const { code, message } = toProtocolError(err);
        decide(socket, next, refusal(code, message));
      },
    );
  });

  // Shared by every connection (Socket.IO calls it with the socket as `this`): no closure per connection.
  const onDisconnect = function (this: ParleySocket): void {
    deps.churn.disconnects++;
    if (deps.nodeGoing()) return;
    const device = deviceOf(this);
    void lifecycle
      .run(lifecycleKey(device), () => disconnected(this, device, deps))
      .catch((err: unknown) => deps.log.error({ err, ...device }, 'disconnect handling failed'));
  };

  io.on('connection', (socket) => {
    const device = deviceOf(socket);
    const ready = lifecycle.run(lifecycleKey(device), () => connected(io, socket, device, deps));
    ready.catch((err: unknown) => {
      deps.log.error({ err, ...device }, 'connection setup failed');
      socket.disconnect(true);
    });
    deps.dispatcher.listen(socket, ready);
    socket.on('disconnect', onDisconnect);
  });
  return () => lifecycle.drain();
}

/** Connects and disconnects of one device are handled in arrival order, in a queue of this key. */
const lifecycleKey = (device: Device): string => `${device.userId}:${device.deviceId}`;

async function connected(
  io: ParleyServer,
  socket: ParleySocket,
  device: Device,
  deps: ConnectionDeps,
): Promise<void> {
  deps.log.debug({ userId: device.userId, deviceId: device.deviceId }, 'device connecting');
  await socket.join([userRoom(device.userId), deviceRoom(device.userId, device.deviceId)]);
  if (await deps.devices.connect(device.userId, device.deviceId, socket.id)) {
    // One connection per device: a newer one (a reload, a reconnect) replaces the older, on whichever
    // node it is. It is told first (and the connection is left to close itself) so that it stops
    // reconnecting: two tabs sharing a deviceId would otherwise replace each other forever. Only when the
    // registry had another connection for the device: in a cluster each of these is a message through
    // Redis, and the request to disconnect reaches every node.
    const older = io.in(deviceRoom(device.userId, device.deviceId)).except(socket.id);
    older.emit('session.replaced', {});
    older.disconnectSockets(false);
  }
  await deps.calls.deviceReturned(device);
  const self = await deps.presence.refresh(device.userId, { connecting: device });
  const [contacts, calls, unseenMissedCalls] = await Promise.all([
    deps.contacts.list(device.userId, self.contactRows),
    deps.calls.snapshots(device),
    deps.history.unseenMissed(device.userId),
  ]);
  socket.emit('session.ready', {
    user: { username: socket.data.username, displayName: socket.data.displayName },
    deviceId: device.deviceId,
    presence: self.presence,
    dnd: self.dnd,
    contacts,
    unseenMissedCalls,
    calls,
  });
  deps.log.debug({ userId: device.userId, deviceId: device.deviceId }, 'device connected');
}

/** A handshake was admitted but its connection closed before it opened: free the device slot it took. */
async function abandoned(socket: ParleySocket, device: Device, deps: ConnectionDeps): Promise<void> {
  if (await deps.devices.disconnect(device.userId, device.deviceId, socket.id)) {
    await deps.presence.refresh(device.userId, { deviceLeft: true });
  }
}

async function disconnected(socket: ParleySocket, device: Device, deps: ConnectionDeps): Promise<void> {
  if (!(await deps.devices.disconnect(device.userId, device.deviceId, socket.id))) return; // replaced
  await deps.calls.deviceLeft(device);
  await deps.presence.refresh(device.userId, { deviceLeft: true });
  deps.log.debug({ userId: device.userId, deviceId: device.deviceId }, 'device disconnected');
}
