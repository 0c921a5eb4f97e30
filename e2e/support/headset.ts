/**
 * A USB telephony headset, stood in for: a page cannot plug in a headset, so an init script replaces
 * `navigator.hid` with one that knows a single Jabra-like headset (its report descriptor as WebHID shows
 * it: input report 2 with Hook Switch, absolute, and Phone Mute, relative; output report 2 with the Mute,
 * Off-Hook and Ring lights). The browser's chooser (`requestDevice`) picks it, as a person would. It
 * records the lights each output report sets; `pressHookSwitch` and `pressMute` send the input reports
 * the headset sends when its buttons are used.
 */
import type { BrowserContext } from '@playwright/test';
import type { Person } from './fixtures.js';

declare global {
  interface Window {
    __headset?: { lights: string[]; send(bits: number): void; hook: number };
  }
}

export const HEADSET_NAME = 'Jabra Evolve2 40';

/** Installs the stand-in in every page of `context`; use as `people.add(name, { prepare: withHeadset })`. */
export async function withHeadset(context: BrowserContext): Promise<void> {
  await context.addInitScript((name) => {
    const bit = (usage: number, isAbsolute = true) => ({
      usages: [usage],
      reportSize: 1,
      reportCount: 1,
      isAbsolute,
    });
    const listeners = new Set<(event: { reportId: number; data: DataView }) => void>();
    let allowed = false;
    const headset = {
      productName: name,
      vendorId: 0x0b0e,
      productId: 0x24b8,
      opened: false,
      collections: [
        {
          usagePage: 0x0c,
          usage: 0x01,
          inputReports: [{ reportId: 1, items: [bit(0xc00e9), bit(0xc00ea)] }],
        },
        {
          usagePage: 0x0b,
          usage: 0x05,
          inputReports: [{ reportId: 2, items: [bit(0xb0020), bit(0xb002f, false)] }],
          outputReports: [{ reportId: 2, items: [bit(0x80009), bit(0x80017), bit(0x80018)] }],
        },
      ],
      async open() {
        headset.opened = true;
      },
      async close() {
        headset.opened = false;
      },
      async sendReport(reportId: number, data: Uint8Array) {
        if (!headset.opened) throw new DOMException('The device must be opened first.', 'InvalidStateError');
        const on = reportId === 2 ? ['mute', 'off-hook', 'ring'].filter((_, i) => (data[0]! >> i) & 1) : [];
        // Written as a headset shows them: off-hook and ring first, then mute.
        state.lights.push(['off-hook', 'ring', 'mute'].filter((l) => on.includes(l)).join(' ') || 'dark');
      },
      addEventListener(_type: string, listener: (event: { reportId: number; data: DataView }) => void) {
        listeners.add(listener);
      },
      removeEventListener(_type: string, listener: (event: { reportId: number; data: DataView }) => void) {
        listeners.delete(listener);
      },
    };
    const state = {
      lights: [] as string[],
      hook: 0,
      send(bits: number) {
        if (!headset.opened) return;
        const data = new DataView(new Uint8Array([bits]).buffer);
        for (const listener of listeners) listener({ reportId: 2, data });
      },
    };
    window.__headset = state;
    const hid = {
      async getDevices() {
        return allowed ? [headset] : [];
      },
      async requestDevice() {
        allowed = true;
        return [headset];
      },
      addEventListener() {},
    };
    Object.defineProperty(Navigator.prototype, 'hid', { get: () => hid, configurable: true });
  }, HEADSET_NAME);
}

/** The headset's hook switch goes off-hook (the call button: answer) or on-hook (hang up). */
export function pressHookSwitch(person: Person, offHook: boolean): Promise<void> {
  return person.page.evaluate((offHook) => {
    const headset = window.__headset!;
    headset.hook = offHook ? 1 : 0;
    headset.send(headset.hook);
  }, offHook);
}

/** The headset's mute button pressed and released. */
export function pressMute(person: Person): Promise<void> {
  return person.page.evaluate(() => {
    const headset = window.__headset!;
    headset.send(headset.hook | 0b10);
    headset.send(headset.hook);
  });
}

/** The lights each output report set, in order ('ring', 'off-hook mute', 'dark', ...). */
export function headsetLights(person: Person): Promise<string[]> {
  return person.page.evaluate(() => window.__headset?.lights ?? []);
}
