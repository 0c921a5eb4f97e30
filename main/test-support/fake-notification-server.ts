/**
 * A notification server for tests, on a private bus (test-support/private-bus.ts): it implements the
 * freedesktop Desktop Notifications spec (`org.freedesktop.Notifications`: GetCapabilities, Notify,
 * CloseNotification, GetServerInformation; the ActionInvoked and NotificationClosed signals), records
 * what it was asked to show, and lets the test play the person: press a button, dismiss, let expire.
 * With `inhibited`, it also has KDE Plasma's do-not-disturb property (`Inhibited`, read with
 * org.freedesktop.DBus.Properties, changes announced with PropertiesChanged); without, it has none (as
 * dunst and GNOME Shell).
 */
import { Message, NameFlag, RequestNameReply, sessionBus, Variant, type MessageBus } from 'dbus-next';

const NAME = 'org.freedesktop.Notifications';
const PATH = '/org/freedesktop/Notifications';

export interface ShownNotification {
  id: number;
  appName: string;
  replacesId: number;
  icon: string;
  summary: string;
  body: string;
  /** Pairs of [key, label], as the spec's flat list holds them. */
  actions: [string, string][];
  /** Hint values without their D-Bus types. */
  hints: Record<string, unknown>;
  timeout: number;
  /** Still on screen: not closed by anyone. */
  open: boolean;
  /** Whom it was shown for (the sender's unique name). */
  sender: string;
}

export class FakeNotificationServer {
  readonly shown: ShownNotification[] = [];
  /** Ids CloseNotification was called with, in order (including ones already closed). */
  readonly closeCalls: number[] = [];
  /** Runs right after Notify has been answered, in the same tick (a press at once, an instant expiry). */
  afterNotify: ((n: ShownNotification) => void) | null = null;
  private nextId = 1;
  private stopped = false;

  private constructor(
    private readonly bus: MessageBus,
    private readonly capabilities: string[],
    private inhibited: boolean | null,
  ) {}

  /** Connects to the bus at `address` and takes the notification server's name. */
  static async start(
    address: string,
    capabilities = ['actions', 'body', 'body-markup', 'persistence'],
    { inhibited = null }: { inhibited?: boolean | null } = {},
  ): Promise<FakeNotificationServer> {
    const bus = sessionBus({ busAddress: address });
    await new Promise<void>((resolve, reject) => {
      bus.once('connect', resolve);
      bus.once('error', reject);
    });
    const server = new FakeNotificationServer(bus, capabilities, inhibited);
    bus.addMethodHandler((msg: Message) => server.handle(msg));
    const reply = await bus.requestName(NAME, NameFlag.DO_NOT_QUEUE);
    if (reply !== RequestNameReply.PRIMARY_OWNER) throw new Error(`${NAME} is taken (${reply})`);
    return server;
  }

  /** The notifications still on screen. */
  open(): ShownNotification[] {
    return this.shown.filter((n) => n.open);
  }

  /**
   * The person presses the button `key` (or the notification itself, `default`); then it closes, unless
   * it is `resident` (a hint some servers honour: it stays until withdrawn).
   */
  invoke(id: number, key: string, { resident = false } = {}): void {
    this.signal('ActionInvoked', 'us', [id, key]);
    if (!resident) this.closeWith(id, 2);
  }

  /** The person closes it. */
  dismiss(id: number): void {
    this.closeWith(id, 2);
  }

  /** Its timeout ran out. */
  expire(id: number): void {
    this.closeWith(id, 1);
  }

  /** The person turns KDE's do not disturb on or off (a server with the `Inhibited` property only). */
  setInhibited(inhibited: boolean): void {
    if (this.inhibited === null) throw new Error('this server has no Inhibited property');
    this.inhibited = inhibited;
    this.bus.send(
      Message.newSignal(PATH, 'org.freedesktop.DBus.Properties', 'PropertiesChanged', 'sa{sv}as', [
        NAME,
        { Inhibited: new Variant('b', inhibited) },
        [],
      ]),
    );
  }

  /** Leaves the bus (as a server that quits or crashes). */
  stop(): void {
    this.stopped = true;
    this.bus.disconnect();
  }

  private handle(msg: Message): boolean {
    if (this.stopped) return true; // a call still arriving as it leaves: no answer (it would throw)
    if (msg.interface === 'org.freedesktop.DBus.Properties' && msg.path === PATH && msg.member === 'Get') {
      const [iface, property] = msg.body as [string, string];
      if (iface !== NAME || property !== 'Inhibited' || this.inhibited === null) {
        this.bus.send(
          Message.newError(msg as unknown as string, 'org.freedesktop.DBus.Error.UnknownProperty', property),
        );
        return true;
      }
      return this.reply(msg, 'v', [new Variant('b', this.inhibited)]);
    }
    if (msg.interface !== NAME || msg.path !== PATH) return false;
    if (msg.member === 'GetCapabilities') return this.reply(msg, 'as', [this.capabilities]);
    if (msg.member === 'GetServerInformation')
      return this.reply(msg, 'ssss', ['parley-test', 'parley', '1', '1.2']);
    if (msg.member === 'Notify') {
      const [appName, replacesId, icon, summary, body, flat, hints, timeout] = msg.body as [
        string,
        number,
        string,
        string,
        string,
        string[],
        Record<string, Variant>,
        number,
      ];
      const actions: [string, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) actions.push([flat[i]!, flat[i + 1]!]);
      const id = this.nextId++;
      this.shown.push({
        id,
        appName,
        replacesId,
        icon,
        summary,
        body,
        actions,
        hints: Object.fromEntries(Object.entries(hints).map(([k, v]) => [k, v.value])),
        timeout,
        open: true,
        sender: msg.sender,
      });
      this.reply(msg, 'u', [id]);
      this.afterNotify?.(this.byId(id)!);
      return true;
    }
    if (msg.member === 'CloseNotification') {
      const [id] = msg.body as [number];
      this.closeCalls.push(id);
      if (!this.byId(id)?.open) {
        // The spec: closing one that no longer exists answers with an (empty) error.
        // dbus-next's types say newError takes a string; it takes the call it answers.
        this.bus.send(Message.newError(msg as unknown as string, `${NAME}.Error.NotFound`, ''));
        return true;
      }
      this.reply(msg, '', []);
      this.closeWith(id, 3);
      return true;
    }
    return false;
  }

  private closeWith(id: number, reason: number): void {
    const n = this.byId(id);
    if (!n?.open) return;
    n.open = false;
    this.signal('NotificationClosed', 'uu', [id, reason]);
  }

  private byId(id: number): ShownNotification | undefined {
    return this.shown.find((n) => n.id === id);
  }

  private reply(msg: Message, signature: string, body: unknown[]): true {
    this.bus.send(Message.newMethodReturn(msg, signature, body));
    return true;
  }

  private signal(member: string, signature: string, body: unknown[]): void {
    this.bus.send(Message.newSignal(PATH, NAME, member, signature, body));
  }
}
