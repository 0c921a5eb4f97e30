/**
 * Registers main's IPC handlers from the contract: every message is checked
 * for its sender (a frame of the app's own origin) and its payload (zod)
 * before the handler runs. Bad messages are refused with an error.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { z } from 'zod';
import { isAppUrl } from '../security/permissions.js';
import { channel, invokeChannels, type InvokeChannel } from './contract.js';

export type InvokeHandlers = {
  [K in InvokeChannel]: (payload: z.output<(typeof invokeChannels)[K]>, event: IpcMainInvokeEvent) => unknown;
};

export class IpcRefusal extends Error {}

/** The frame that sent a message, if it is one of ours. */
function senderIsApp(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && isAppUrl(frame.url);
}

export function registerIpc(
  ipc: Pick<IpcMain, 'handle'>,
  handlers: InvokeHandlers,
  log: (msg: string) => void,
): void {
  for (const name of Object.keys(invokeChannels) as InvokeChannel[]) {
    ipc.handle(channel(name), async (event, payload: unknown) => {
      if (!senderIsApp(event)) {
        log(`refused ${name} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
        throw new IpcRefusal('sender not allowed');
      }
      const parsed = invokeChannels[name].safeParse(payload);
      if (!parsed.success) {
        log(`refused ${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        throw new IpcRefusal('invalid payload');
      }
      return (handlers[name] as (p: unknown, e: IpcMainInvokeEvent) => unknown)(parsed.data, event);
    });
  }
}
