/**
 * A StatusNotifierWatcher for tests, on a private bus (test-support/private-bus.ts): owns
 * `org.kde.StatusNotifierWatcher`, answers its `IsStatusNotifierHostRegistered` property and emits
 * `StatusNotifierHostRegistered` / `StatusNotifierHostUnregistered` as a panel's tray comes and goes.
 */
import { Message, NameFlag, RequestNameReply, sessionBus, Variant, type MessageBus } from 'dbus-next';

const NAME = 'org.kde.StatusNotifierWatcher';
const PATH = '/StatusNotifierWatcher';

export class FakeStatusNotifierWatcher {
  private stopped = false;

  private constructor(
    private readonly bus: MessageBus,
    private hostRegistered: boolean,
  ) {}

  /** Takes the watcher's name on the bus at `address`; `hostRegistered`: a panel's tray is there. */
  static async start(address: string, { hostRegistered = true } = {}): Promise<FakeStatusNotifierWatcher> {
    const bus = sessionBus({ busAddress: address });
    await new Promise<void>((resolve, reject) => {
      bus.once('connect', resolve);
      bus.once('error', reject);
    });
    const watcher = new FakeStatusNotifierWatcher(bus, hostRegistered);
    bus.addMethodHandler((msg: Message) => watcher.handle(msg));
    const reply = await bus.requestName(NAME, NameFlag.DO_NOT_QUEUE);
    if (reply !== RequestNameReply.PRIMARY_OWNER) throw new Error(`${NAME} is taken (${reply})`);
    return watcher;
  }

  /** A panel's tray registers (or leaves). */
  setHost(registered: boolean): void {
    this.hostRegistered = registered;
    const member = registered ? 'StatusNotifierHostRegistered' : 'StatusNotifierHostUnregistered';
    this.bus.send(Message.newSignal(PATH, NAME, member, '', []));
  }

  /** Leaves the bus (the panel quits). */
  stop(): void {
    this.stopped = true;
    this.bus.disconnect();
  }

  private handle(msg: Message): boolean {
    if (this.stopped) return true; // a call still arriving as it leaves: no answer (it would throw)
    if (msg.path !== PATH || msg.interface !== 'org.freedesktop.DBus.Properties' || msg.member !== 'Get')
      return false;
    const [iface, property] = msg.body as [string, string];
    if (iface !== NAME || property !== 'IsStatusNotifierHostRegistered') return false;
    this.bus.send(Message.newMethodReturn(msg, 'v', [new Variant('b', this.hostRegistered)]));
    return true;
  }
}
