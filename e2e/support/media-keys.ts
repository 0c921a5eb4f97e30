/**
 * The system's media controls, stood in for: a page cannot press a headset button or a media key, so an
 * init script wraps `navigator.mediaSession` to remember the handlers the app registers (still passing
 * them to Chromium's own) and what it tells the controls; `pressMediaKey` then does what the system would
 * do on a press: run the registered handler of that action.
 */
import type { BrowserContext } from '@playwright/test';
import type { Person } from './fixtures.js';

declare global {
  interface Window {
    __mediaKeys?: { handlers: Record<string, (() => void) | null>; told: string[] };
  }
}

/** Installs the wrapper in every page of `context`; use as `people.add(name, { prepare: withMediaKeys })`. */
export async function withMediaKeys(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const session = navigator.mediaSession;
    const keys = { handlers: {} as Record<string, (() => void) | null>, told: [] as string[] };
    window.__mediaKeys = keys;
    const register = session.setActionHandler.bind(session);
    session.setActionHandler = (action, handler) => {
      keys.handlers[action] = handler as (() => void) | null;
      register(action, handler);
    };
    for (const [method, what] of [
      ['setMicrophoneActive', 'microphone'],
      ['setCameraActive', 'camera'],
    ] as const) {
      const real = session[method].bind(session);
      session[method] = async (active: boolean) => {
        keys.told.push(`${what} ${active ? 'on' : 'off'}`);
        await real(active);
      };
    }
  });
}

/** Presses a media control of `person`'s system: false when the app has nothing registered for it. */
export function pressMediaKey(person: Person, action: 'hangup' | 'togglemicrophone' | 'togglecamera') {
  return person.page.evaluate((action) => {
    const handler = window.__mediaKeys?.handlers[action];
    handler?.();
    return !!handler;
  }, action);
}

/** What `person`'s app told the media controls about microphone and camera, in order. */
export function toldMediaControls(person: Person): Promise<string[]> {
  return person.page.evaluate(() => window.__mediaKeys?.told ?? []);
}
