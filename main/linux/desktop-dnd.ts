/**
 * Whether the Linux desktop is in do-not-disturb, where that can be read, followed as it changes:
 *
 * - KDE Plasma: its notification server's `Inhibited` property (a KDE addition to
 *   `org.freedesktop.Notifications`), read with org.freedesktop.DBus.Properties and followed through
 *   PropertiesChanged, from the current owner of the name only (any program could send the signal), and
 *   read again when the server is replaced. Servers without the property (dunst, GNOME Shell, mako) say
 *   nothing here.
 * - GNOME: `org.gnome.desktop.notifications show-banners` (GNOME's Do Not Disturb switch sets it to
 *   false), read and followed with GIO's `gsettings get` and `gsettings monitor`, on GNOME only
 *   (`XDG_CURRENT_DESKTOP`). Not through the settings portal (`org.freedesktop.portal.Settings`): GNOME's
 *   portal backend offers a fixed list of schemas (interface, sound, privacy, a11y and a few more), not
 *   this one, and dconf has no read method on the bus.
 *
 * The desktop is in do-not-disturb when either says so; `dnd` is null when neither can be read.
 * Plain Node, tested on a private bus and with gsettings on a keyfile backend.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Message, MessageBus } from 'dbus-next';
import { addMatch, callMethod, closeBus, nameOwner, openSessionBus } from './session-bus.js';

const NOTIFICATIONS = 'org.freedesktop.Notifications';
const NOTIFICATIONS_PATH = '/org/freedesktop/Notifications';
const PROPERTIES = 'org.freedesktop.DBus.Properties';
export const GNOME_SCHEMA = 'org.gnome.desktop.notifications';
export const GNOME_KEY = 'show-banners';

/** One desktop's do-not-disturb: true, false, or null while it cannot be read. */
interface Source {
  readonly dnd: boolean | null;
  stop(): void;
}

/** KDE Plasma's `Inhibited`, on the session bus. */
class KdeInhibited implements Source {
  dnd: boolean | null = null;
  private owner: string | null = null;
  private checking = Promise.resolve();

  private constructor(
    private readonly bus: MessageBus,
    private readonly changed: () => void,
  ) {}

  static async start(changed: () => void, busAddress?: string): Promise<KdeInhibited> {
    const bus = await openSessionBus(() => undefined, busAddress);
    const source = new KdeInhibited(bus, changed);
    try {
      bus.on('message', (msg: Message) => source.heard(msg));
      await addMatch(bus, `type='signal',member='NameOwnerChanged',arg0='${NOTIFICATIONS}'`);
      await addMatch(
        bus,
        `type='signal',interface='${PROPERTIES}',member='PropertiesChanged',path='${NOTIFICATIONS_PATH}',arg0='${NOTIFICATIONS}'`,
      );
      await source.read();
    } catch (err) {
      closeBus(bus);
      throw err;
    }
    return source;
  }

  stop(): void {
    closeBus(this.bus);
  }

  /** The owner, then its property; a server without it (or none at all) leaves `dnd` null. */
  private async read(): Promise<void> {
    this.owner = await nameOwner(this.bus, NOTIFICATIONS);
    if (!this.owner) return this.set(null);
    try {
      const [value] = await callMethod(this.bus, {
        destination: NOTIFICATIONS,
        path: NOTIFICATIONS_PATH,
        interface: PROPERTIES,
        member: 'Get',
        signature: 'ss',
        body: [NOTIFICATIONS, 'Inhibited'],
      });
      const inhibited = (value as { value?: unknown } | undefined)?.value;
      this.set(typeof inhibited === 'boolean' ? inhibited : null);
    } catch {
      this.set(null);
    }
  }

  private heard(msg: Message): void {
    if (msg.sender === 'org.freedesktop.DBus' && msg.member === 'NameOwnerChanged') {
      // One read at a time, in order: the last answer stands.
      this.checking = this.checking.then(() => this.read().catch(() => this.set(null)));
      return;
    }
    if (msg.member !== 'PropertiesChanged' || msg.sender !== this.owner) return;
    const [iface, changed] = msg.body as [string, Record<string, { value?: unknown }>];
    const inhibited = iface === NOTIFICATIONS ? changed?.Inhibited?.value : undefined;
    if (typeof inhibited === 'boolean') this.set(inhibited);
  }

  private set(dnd: boolean | null): void {
    if (dnd === this.dnd) return;
    this.dnd = dnd;
    this.changed();
  }
}

/** GNOME's `show-banners`, through gsettings. */
class GnomeBanners implements Source {
  dnd: boolean | null = null;
  private monitor: ChildProcess | null = null;

  private constructor(private readonly changed: () => void) {}

  static async start(changed: () => void, env: NodeJS.ProcessEnv): Promise<GnomeBanners> {
    const source = new GnomeBanners(changed);
    // Follow first, then read: a change between the two is not lost.
    const monitor = spawn('gsettings', ['monitor', GNOME_SCHEMA, GNOME_KEY], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    source.monitor = monitor;
    monitor.on('error', () => source.set(null)); // no gsettings: the read below says why
    monitor.on('exit', () => {
      source.monitor = null;
      source.set(null);
    });
    createInterface({ input: monitor.stdout! }).on('line', (line) => {
      const value = /^show-banners:\s*(true|false)\s*$/.exec(line)?.[1];
      if (value) source.set(value === 'false');
    });
    try {
      const shown = await new Promise<string>((resolve, reject) =>
        execFile('gsettings', ['get', GNOME_SCHEMA, GNOME_KEY], { env, timeout: 3000 }, (err, stdout) =>
          err ? reject(err) : resolve(stdout.trim()),
        ),
      );
      if (shown !== 'true' && shown !== 'false') throw new Error(`gsettings said ${JSON.stringify(shown)}`);
      source.set(shown === 'false');
    } catch (err) {
      source.stop();
      throw err;
    }
    return source;
  }

  stop(): void {
    this.monitor?.removeAllListeners('exit');
    this.monitor?.kill();
    this.monitor = null;
  }

  private set(dnd: boolean | null): void {
    if (dnd === this.dnd) return;
    this.dnd = dnd;
    this.changed();
  }
}

export interface DesktopDndOptions {
  /** Called when `dnd` changes. */
  onChange: (dnd: boolean | null) => void;
  /** The session bus (default `DBUS_SESSION_BUS_ADDRESS`). */
  busAddress?: string;
  /** Where gsettings runs, and XDG_CURRENT_DESKTOP says whether this is GNOME (default process.env). */
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export class DesktopDndWatch {
  private last: boolean | null = null;

  private constructor(
    private readonly sources: Source[],
    private readonly onChange: (dnd: boolean | null) => void,
  ) {}

  /** Starts every source this desktop may have; one that cannot start is logged and left out. */
  static async start({ onChange, busAddress, env = process.env, log = () => undefined }: DesktopDndOptions) {
    let watch: DesktopDndWatch | null = null;
    const changed = () => watch?.recompute();
    const sources: Source[] = [];
    await KdeInhibited.start(changed, busAddress).then(
      (s) => sources.push(s),
      (err: unknown) => log(`desktop do not disturb: no session bus (${String(err)})`),
    );
    const gnome = (env.XDG_CURRENT_DESKTOP ?? '').split(':').includes('GNOME');
    if (gnome) {
      await GnomeBanners.start(changed, env).then(
        (s) => sources.push(s),
        (err: unknown) => log(`desktop do not disturb: GNOME's ${GNOME_KEY} not readable (${String(err)})`),
      );
    }
    watch = new DesktopDndWatch(sources, onChange);
    watch.last = watch.dnd;
    return watch;
  }

  /** The desktop is in do-not-disturb (null: nothing here says). */
  get dnd(): boolean | null {
    const known = this.sources.map((s) => s.dnd).filter((d): d is boolean => d !== null);
    return known.length === 0 ? null : known.includes(true);
  }

  stop(): void {
    for (const source of this.sources) source.stop();
  }

  private recompute(): void {
    const dnd = this.dnd;
    if (dnd === this.last) return;
    this.last = dnd;
    this.onChange(dnd);
  }
}
