/** Shows notification models as OS notifications and routes their clicks and buttons. */
import { Notification } from 'electron';
import type { PlatformAction } from '../../shared/app-shell.js';
import type { NotificationModel } from './policy.js';

export class Notifications {
  private readonly shown = new Map<string, Notification>();

  constructor(
    private readonly onAction: (action: PlatformAction) => void,
    private readonly onOpen: () => void,
  ) {}

  static supported(): boolean {
    return Notification.isSupported();
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
      if (button) this.onAction(button.action);
    });
    n.on('click', () => (model.click.type === 'open' ? this.onOpen() : this.onAction(model.click)));
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
}
