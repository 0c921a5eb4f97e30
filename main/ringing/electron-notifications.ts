/** Shows notification models as Electron (OS) notifications and routes their clicks and buttons. */
import { Notification } from 'electron';
import type { Notifier, NotifierHandlers } from './notifier.js';
import { notificationActionsSupported, type NotificationModel } from './policy.js';

export class Notifications implements Notifier {
  private readonly shown = new Map<string, Notification>();

  constructor(private readonly handlers: NotifierHandlers) {}

  supported(): boolean {
    return Notification.isSupported();
  }

  actionsSupported(): boolean {
    return notificationActionsSupported(process.platform);
  }

  show(model: NotificationModel): void {
    this.close(model.id);
    const n = new Notification({
      title: model.title,
      body: model.body,
      silent: model.silent,
      urgency: model.urgency,
      timeoutType: model.timeoutType,
      actions: model.actions.map((a) => ({ type: 'button' as const, text: a.label })),
    });
    n.on('action', (_event, index) => {
      const button = model.actions[index];
      if (button) this.handlers.onAction(button.action);
    });
    n.on('click', () =>
      model.click.type === 'open' ? this.handlers.onOpen() : this.handlers.onAction(model.click),
    );
    n.on('close', () => {
      // Windows reports a close from code later, when a replacement may already be shown under this id.
      if (this.shown.get(model.id) === n) this.shown.delete(model.id);
    });
    this.shown.set(model.id, n);
    n.show();
  }

  close(id: string): void {
    this.shown.get(id)?.close();
    this.shown.delete(id);
  }

  dispose(): void {
    for (const id of [...this.shown.keys()]) this.close(id);
  }
}
