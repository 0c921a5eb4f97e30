/**
 * A client for the desktop's notification server (the freedesktop Desktop Notifications spec,
 * `org.freedesktop.Notifications` on the session bus): what Parley uses on Linux, where Electron's
 * Notification has no buttons. It sends notifications with actions (`Notify`), withdraws them
 * (`CloseNotification`), and reports `ActionInvoked` and `NotificationClosed` for the ids it sent.
 *
 * Those two are signals any program on the bus could send to us, so only the ones from the current owner
 * of the name count; when the name changes hands (the server restarted), every notification we sent is
 * gone and `onServerGone` says so.
 */
import { Variant, type Message, type MessageBus } from 'dbus-next';
import { addMatch, callMethod, closeBus, nameOwner, openSessionBus } from './session-bus.js';

const NAME = 'org.freedesktop.Notifications';
const PATH = '/org/freedesktop/Notifications';
const SERVER = { destination: NAME, path: PATH, interface: NAME } as const;

/** The spec's NotificationClosed reasons. */
export type ClosedReason = 'expired' | 'dismissed' | 'closed-by-call' | 'undefined';
const CLOSED_REASONS: Record<number, ClosedReason> = { 1: 'expired', 2: 'dismissed', 3: 'closed-by-call' };

/** The spec's urgency levels, sent as the `urgency` hint (a byte). */
const URGENCY = { low: 0, normal: 1, critical: 2 } as const;

export interface NotificationRequest {
  appName: string;
  /** A file:// URI or an icon name; empty for none. */
  icon: string;
  summary: string;
  /** Plain text; escaped here, since servers read the body as markup. */
  body: string;
  /** Buttons in order. The key `default` is the click on the notification itself. */
  actions: { key: string; label: string }[];
  urgency: keyof typeof URGENCY;
  /** The server's own default, or stay until withdrawn (a ringing call). */
  timeout: 'default' | 'never';
  /** Ask the server not to play its sound (Parley plays its own ringtone). */
  silent: boolean;
  /** The app's .desktop file name without `.desktop`, so the desktop can name and group it. */
  desktopEntry: string;
}

export interface NotificationServerEvents {
  onAction: (id: number, key: string) => void;
  onClosed: (id: number, reason: ClosedReason) => void;
  /** The server went away or was replaced: notifications sent so far are gone. */
  onServerGone: () => void;
}

export class NotificationServer {
  private constructor(
    private readonly bus: MessageBus,
    private owner: string,
    /** What the server said it can do (`GetCapabilities`), e.g. `actions`, `body-markup`. */
    readonly capabilities: readonly string[],
    /** Its name and version (`GetServerInformation`), for the log: `dunst 1.9.0`. */
    readonly serverName: string,
  ) {}

  /**
   * Connects to the session bus (default `DBUS_SESSION_BUS_ADDRESS`) and asks the notification server
   * what it can do (which starts it, when the desktop starts it on demand). Rejects with the reason when
   * there is no bus or no server.
   */
  static async connect(events: NotificationServerEvents, busAddress?: string): Promise<NotificationServer> {
    const bus = await openSessionBus(() => events.onServerGone(), busAddress);
    try {
      const [capabilities] = await callMethod(bus, { ...SERVER, member: 'GetCapabilities' });
      const [name, , version] = await callMethod(bus, { ...SERVER, member: 'GetServerInformation' });
      const owner = await nameOwner(bus, NAME);
      if (!owner) throw new Error(`${NAME} has no owner`);
      const server = new NotificationServer(
        bus,
        owner,
        Array.isArray(capabilities) ? capabilities : [],
        `${String(name)} ${String(version)}`,
      );
      // A press can arrive in the same read as the reply to the Notify that named its id; the reply
      // reaches the caller of `notify` through promise callbacks, so signals wait for the next turn of
      // the event loop, when the caller knows the id.
      bus.on('message', (msg: Message) => setImmediate(() => server.dispatch(msg, events)));
      await addMatch(bus, `type='signal',interface='${NAME}',path='${PATH}'`);
      await addMatch(bus, `type='signal',member='NameOwnerChanged',arg0='${NAME}'`);
      return server;
    } catch (err) {
      closeBus(bus);
      throw new Error(`no notification server: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }

  /** Shows a notification; resolves to the id the server gave it. */
  async notify(request: NotificationRequest): Promise<number> {
    const hints: Record<string, Variant> = {
      urgency: new Variant('y', URGENCY[request.urgency]),
      'suppress-sound': new Variant('b', request.silent),
      'desktop-entry': new Variant('s', request.desktopEntry),
    };
    const [id] = await callMethod(this.bus, {
      ...SERVER,
      member: 'Notify',
      signature: 'susssasa{sv}i',
      body: [
        request.appName,
        0,
        request.icon,
        request.summary,
        escapeMarkup(request.body),
        request.actions.flatMap(({ key, label }) => [key, label]),
        hints,
        request.timeout === 'never' ? 0 : -1,
      ],
    });
    if (typeof id !== 'number') throw new Error('Notify returned no id');
    return id;
  }

  /** Withdraws a notification (the server then reports it closed). */
  async close(id: number): Promise<void> {
    await callMethod(this.bus, { ...SERVER, member: 'CloseNotification', signature: 'u', body: [id] });
  }

  disconnect(): void {
    closeBus(this.bus);
  }

  private dispatch(msg: Message, events: NotificationServerEvents): void {
    if (msg.member === 'NameOwnerChanged' && msg.interface === 'org.freedesktop.DBus') {
      // Only the bus itself can say who owns a name.
      if (msg.sender !== 'org.freedesktop.DBus' || msg.body[0] !== NAME) return;
      this.owner = String(msg.body[2]);
      return events.onServerGone();
    }
    if (msg.interface !== NAME || msg.path !== PATH || msg.sender !== this.owner) return;
    const [id, detail] = msg.body as [unknown, unknown];
    if (typeof id !== 'number') return;
    if (msg.member === 'ActionInvoked' && typeof detail === 'string') events.onAction(id, detail);
    if (msg.member === 'NotificationClosed')
      events.onClosed(id, CLOSED_REASONS[detail as number] ?? 'undefined');
  }
}

/**
 * The body as text in the spec's markup (a subset of HTML), so a name like `<b>Eve` shows as typed.
 * Always, not only for servers that list `body-markup`: dunst parses markup without listing it, and the
 * spec has servers without markup support filter the tags out rather than show them.
 */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
