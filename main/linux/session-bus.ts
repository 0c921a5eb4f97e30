/**
 * The D-Bus session bus for the Linux desktop modules (notification server, tray host detection), through
 * dbus-next. Plain Node, no Electron, so it is tested against a private `dbus-daemon`.
 *
 * Every call has a deadline: a bus that never answers, or a service that is slow to be activated, must
 * not hold up the app; the caller falls back to what Electron offers.
 */
import { Message, sessionBus, type MessageBus } from 'dbus-next';

/** How long to wait for the bus, or for one method call, before giving up. */
export const BUS_TIMEOUT_MS = 3000;

/** The message bus itself (its methods: GetNameOwner, AddMatch, NameHasOwner). */
export const BUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus' } as const;

/**
 * `unix:abstract=` addresses (what dbus-launch hands out on many systems) as dbus-next can open them
 * without its optional native `usocket`: Node's own sockets reach an abstract name as a path starting
 * with a NUL byte, which dbus-next passes through for `unix:socket=`.
 */
export function addressForNode(address: string): string {
  return address
    .split(';')
    .map((one) => one.replace(/^unix:(?:.*,)?abstract=([^,]*).*$/, 'unix:socket=\u0000$1'))
    .join(';');
}

/**
 * Connects to the session bus at `address` (default: `DBUS_SESSION_BUS_ADDRESS`). Rejects with a
 * readable reason when there is none or it does not answer in time. `onLost` hears of the connection
 * failing later (an unheard `error` would throw in the main process).
 */
export async function openSessionBus(
  onLost: (err: unknown) => void,
  address = process.env.DBUS_SESSION_BUS_ADDRESS,
  timeoutMs = BUS_TIMEOUT_MS,
): Promise<MessageBus> {
  if (!address) throw new Error('no session bus (DBUS_SESSION_BUS_ADDRESS is not set)');
  const bus = sessionBus({ busAddress: addressForNode(address) });
  try {
    await withDeadline(
      new Promise<void>((resolve, reject) => {
        bus.once('connect', resolve);
        bus.once('error', reject);
      }),
      timeoutMs,
      'the session bus did not answer',
    );
  } catch (err) {
    closeBus(bus);
    throw err;
  }
  bus.on('error', onLost);
  return bus;
}

/**
 * Leaves the bus. A method call that still arrives is dropped: dbus-next would answer it on the closed
 * socket and throw from its event handler, and the socket's last errors go nowhere.
 */
export function closeBus(bus: MessageBus): void {
  bus.addMethodHandler(() => true);
  bus.on('error', () => {});
  bus.disconnect();
}

export interface MethodCall {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}

/** Calls a method and returns its reply's body; a D-Bus error or the deadline rejects. */
export async function callMethod(
  bus: MessageBus,
  call: MethodCall,
  timeoutMs = BUS_TIMEOUT_MS,
): Promise<unknown[]> {
  const reply = await withDeadline(
    bus.call(new Message(call)),
    timeoutMs,
    `${call.interface}.${call.member} did not answer`,
  );
  return reply?.body ?? [];
}

/** Asks the bus to route signals matching `rule` (D-Bus match rule syntax) to this connection. */
export async function addMatch(bus: MessageBus, rule: string): Promise<void> {
  await callMethod(bus, {
    ...BUS,
    interface: 'org.freedesktop.DBus',
    member: 'AddMatch',
    signature: 's',
    body: [rule],
  });
}

/** The unique name (`:1.42`) owning `name` now, or null when nobody does. */
export async function nameOwner(bus: MessageBus, name: string): Promise<string | null> {
  const [has] = await callMethod(bus, {
    ...BUS,
    interface: 'org.freedesktop.DBus',
    member: 'NameHasOwner',
    signature: 's',
    body: [name],
  });
  if (has !== true) return null;
  const [owner] = await callMethod(bus, {
    ...BUS,
    interface: 'org.freedesktop.DBus',
    member: 'GetNameOwner',
    signature: 's',
    body: [name],
  });
  return typeof owner === 'string' ? owner : null;
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
