/**
 * Notifications on Linux with buttons: the notification models shown through the desktop's notification
 * server over D-Bus (linux/notification-server.ts), because Electron's Notification has none there.
 * Until the server is reached, and when there is none or it cannot show buttons (`actions` missing from
 * its capabilities), every notification goes to the fallback (Electron's), whose click opens the app.
 *
 * Rules:
 * - A button's key is the button's type (`accept-audio`, `decline`, `call-back`...); the spec's `default`
 *   key is the click on the notification. Only the first one pressed on a notification counts.
 * - `close` withdraws it (CloseNotification), also when the server has not yet said which id it gave
 *   the notification: it is then withdrawn as soon as it has.
 * - A notification the server closed (pressed, dismissed, expired) is forgotten; a server that leaves
 *   the bus takes its notifications with it, and later ones go to the fallback.
 */
import { NotificationServer, type NotificationRequest } from '../linux/notification-server.js';
import type { Notifier, NotifierHandlers } from './notifier.js';
import type { NotificationModel } from './policy.js';

export interface LinuxNotificationsOptions extends NotifierHandlers {
  /** Where notifications go while the D-Bus server cannot take them. */
  fallback: Notifier;
  /** The app icon as a file:// URI, or '' for none. */
  icon: string;
  log: (message: string) => void;
}

interface Shown {
  model: NotificationModel;
  /** The server's id for it, once Notify has answered. */
  serverId: number | null;
  withdrawn: boolean;
  answered: boolean;
}

export class LinuxNotifications implements Notifier {
  private server: NotificationServer | null = null;
  /** By model id: what the server shows for us now. */
  private readonly shown = new Map<string, Shown>();

  constructor(private readonly options: LinuxNotificationsOptions) {}

  /** Reaches the notification server on the session bus (default `DBUS_SESSION_BUS_ADDRESS`). */
  async start(busAddress?: string): Promise<void> {
    let server: NotificationServer;
    try {
      server = await NotificationServer.connect(
        {
          onAction: (id, key) => this.pressed(id, key),
          onClosed: (id) => this.forget(id),
          onServerGone: () => this.serverGone(),
        },
        busAddress,
      );
    } catch (err) {
      return this.options.log(`notifications without buttons: ${errorText(err)}`);
    }
    if (!server.capabilities.includes('actions')) {
      server.disconnect();
      return this.options.log(
        `notifications without buttons: the notification server (${server.serverName}) shows no actions`,
      );
    }
    this.server = server;
    this.options.log(`notifications with buttons through ${server.serverName}`);
  }

  dispose(): void {
    for (const id of [...this.shown.keys()]) this.close(id);
    this.options.fallback.dispose();
    this.leave();
  }

  /** Lets go of the bus; what is sent before (CloseNotification) still goes out. */
  private leave(): void {
    this.server?.disconnect();
    this.server = null;
  }

  supported(): boolean {
    return this.server !== null || this.options.fallback.supported();
  }

  actionsSupported(): boolean {
    return this.server !== null;
  }

  show(model: NotificationModel): void {
    const server = this.server;
    if (!server) return this.options.fallback.show(model);
    this.close(model.id);
    const shown: Shown = { model, serverId: null, withdrawn: false, answered: false };
    this.shown.set(model.id, shown);
    server.notify(this.request(model)).then(
      (id) => {
        shown.serverId = id;
        if (shown.withdrawn) this.withdraw(server, id);
      },
      (err: unknown) => {
        this.options.log(`notification not shown over D-Bus: ${errorText(err)}`);
        if (this.shown.get(model.id) === shown) this.shown.delete(model.id);
        if (!shown.withdrawn) this.options.fallback.show(model);
      },
    );
  }

  close(id: string): void {
    const shown = this.shown.get(id);
    if (!shown) return this.options.fallback.close(id);
    this.shown.delete(id);
    shown.withdrawn = true;
    if (shown.serverId !== null && this.server) this.withdraw(this.server, shown.serverId);
  }

  private request(model: NotificationModel): NotificationRequest {
    return {
      appName: 'Parley',
      icon: this.options.icon,
      summary: model.title,
      body: model.body,
      actions: [
        ...model.actions.map((button) => ({ key: button.type, label: button.label })),
        { key: 'default', label: 'Open Parley' },
      ],
      urgency: model.urgency,
      timeout: model.timeoutType,
      silent: model.silent,
      desktopEntry: 'parley',
    };
  }

  private pressed(serverId: number, key: string): void {
    const shown = this.byServerId(serverId);
    if (!shown || shown.answered) return;
    shown.answered = true;
    const { click, actions } = shown.model;
    if (key === 'default')
      return click.type === 'open' ? this.options.onOpen() : this.options.onAction(click);
    const button = actions.find((b) => b.type === key);
    if (button) this.options.onAction(button.action);
  }

  private forget(serverId: number): void {
    const shown = this.byServerId(serverId);
    if (shown) this.shown.delete(shown.model.id);
  }

  private serverGone(): void {
    if (!this.server) return;
    this.options.log('the notification server left the session bus: notifications without buttons');
    this.leave();
    this.shown.clear();
  }

  private withdraw(server: NotificationServer, serverId: number): void {
    server
      .close(serverId)
      .catch((err: unknown) => this.options.log(`notification not withdrawn: ${errorText(err)}`));
  }

  private byServerId(serverId: number): Shown | undefined {
    for (const shown of this.shown.values()) if (shown.serverId === serverId) return shown;
    return undefined;
  }
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
