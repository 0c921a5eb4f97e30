/**
 * Whether the Linux desktop shows tray icons: Electron's tray is a StatusNotifierItem, shown only when a
 * StatusNotifier host (a panel's tray) is registered with the `org.kde.StatusNotifierWatcher` on the
 * session bus. KDE Plasma, Xfce, Cinnamon, waybar and GNOME with the AppIndicator extension have one;
 * stock GNOME has none, and an app hidden into a tray that does not exist is lost to the person.
 *
 * `TrayHostWatch` follows the watcher's name (NameOwnerChanged) and its host (Registered/Unregistered
 * signals), so a panel that starts or restarts later is noticed. Plain Node, tested on a private bus.
 */
import type { Message, MessageBus } from 'dbus-next';
import type { TrayStatus } from '../../shared/app-shell.js';
import { addMatch, callMethod, closeBus, nameOwner, openSessionBus } from './session-bus.js';

export const WATCHER = 'org.kde.StatusNotifierWatcher';
export const WATCHER_PATH = '/StatusNotifierWatcher';

/**
 * What closing the main window does: hide Parley in the tray where one is known to be shown; on Linux
 * without one (or while that is unknown: no session bus), minimise, so the window stays reachable.
 */
export function windowCloseAction(platform: NodeJS.Platform, trayHost: boolean | null): 'hide' | 'minimize' {
  return platform !== 'linux' || trayHost === true ? 'hide' : 'minimize';
}

/** Whether Parley's tray icon can be seen, for Settings: on Linux only with a tray host (null: unknown). */
export function trayStatus(platform: NodeJS.Platform, trayHost: boolean | null): TrayStatus {
  if (platform !== 'linux' || trayHost === true) return 'shown';
  return trayHost === false ? 'missing' : 'unknown';
}

export class TrayHostWatch {
  private present = false;
  private checking = Promise.resolve();

  private constructor(
    private readonly bus: MessageBus,
    private readonly onChange: (present: boolean) => void,
  ) {}

  /** Watches the bus (default `DBUS_SESSION_BUS_ADDRESS`); rejects with the reason when there is none. */
  static async start(onChange: (present: boolean) => void, busAddress?: string): Promise<TrayHostWatch> {
    const bus = await openSessionBus(() => undefined, busAddress);
    const watch = new TrayHostWatch(bus, onChange);
    try {
      bus.on('message', (msg: Message) => watch.heard(msg));
      await addMatch(bus, `type='signal',member='NameOwnerChanged',arg0='${WATCHER}'`);
      await addMatch(bus, `type='signal',interface='${WATCHER}'`);
      watch.present = await watch.check();
    } catch (err) {
      closeBus(bus);
      throw err;
    }
    return watch;
  }

  /** A tray host is registered now. */
  get hasHost(): boolean {
    return this.present;
  }

  stop(): void {
    closeBus(this.bus);
  }

  /** The watcher's owner, then whether it has a host; a watcher that cannot say is taken at its word. */
  private async check(): Promise<boolean> {
    if (!(await nameOwner(this.bus, WATCHER))) return false;
    try {
      const [value] = await callMethod(this.bus, {
        destination: WATCHER,
        path: WATCHER_PATH,
        interface: 'org.freedesktop.DBus.Properties',
        member: 'Get',
        signature: 'ss',
        body: [WATCHER, 'IsStatusNotifierHostRegistered'],
      });
      const registered = (value as { value?: unknown } | undefined)?.value;
      return typeof registered === 'boolean' ? registered : true;
    } catch {
      return true;
    }
  }

  private heard(msg: Message): void {
    const ownerChanged =
      msg.sender === 'org.freedesktop.DBus' && msg.member === 'NameOwnerChanged' && msg.body[0] === WATCHER;
    const hostChanged =
      msg.interface === WATCHER &&
      (msg.member === 'StatusNotifierHostRegistered' || msg.member === 'StatusNotifierHostUnregistered');
    if (!ownerChanged && !hostChanged) return;
    // One check at a time, in order: the last answer is the one that stands.
    this.checking = this.checking.then(async () => {
      const present = await this.check().catch(() => this.present); // the bus went away: keep what was known
      if (present === this.present) return;
      this.present = present;
      this.onChange(present);
    });
  }
}
