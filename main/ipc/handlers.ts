/**
 * Registers main's IPC handlers from the contract: every message is checked
 * for its sender (a frame of the app's own origin, in one of Parley's
 * windows), that this window may use the channel (`windowChannels`), and
 * its payload (zod), before the handler runs. Bad messages are refused with
 * an error and logged.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { z } from 'zod';
import { isAppUrl } from '../security/permissions.js';
import { channel, invokeChannels, windowChannels, type InvokeChannel, type WindowRole } from './contract.js';

export type InvokeHandlers = {
  [K in InvokeChannel]: (payload: z.output<(typeof invokeChannels)[K]>, event: IpcMainInvokeEvent) => unknown;
};

export class IpcRefusal extends Error {}

/** The frame that sent a message, if it is one of ours. */
function senderIsApp(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && isAppUrl(frame.url);
}

const windowNames: Record<WindowRole, string> = {
  main: 'the main window',
  incoming: 'the incoming-call window',
};

/**
 * `windowOf` says which of Parley's windows a message's web contents belong to (null: none of them,
 * e.g. a window that has closed since).
 */
export function registerIpc(
  ipc: Pick<IpcMain, 'handle'>,
  handlers: InvokeHandlers,
  log: (msg: string) => void,
  windowOf: (sender: WebContents) => WindowRole | null,
): void {
  for (const name of Object.keys(invokeChannels) as InvokeChannel[]) {
    ipc.handle(channel(name), async (event, payload: unknown) => {
      const role = senderIsApp(event) ? windowOf(event.sender) : null;
      if (!role) {
        log(`refused ${name} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
        throw new IpcRefusal('sender not allowed');
      }
      if (!(windowChannels[role] as readonly InvokeChannel[]).includes(name)) {
        log(`refused ${name} from ${windowNames[role]}: not one of its channels`);
        throw new IpcRefusal('channel not allowed for this window');
      }
      const parsed = invokeChannels[name].safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const reason = issue ? `${issue.path.join('.') || '(payload)'}: ${issue.message}` : 'invalid';
        log(`refused ${name}: ${reason}`);
        // The reason goes back to the page too (no secret in it: it is about the page's own message).
        throw new IpcRefusal(`invalid payload: ${reason}`);
      }
      return (handlers[name] as (p: unknown, e: IpcMainInvokeEvent) => unknown)(parsed.data, event);
    });
  }
}
