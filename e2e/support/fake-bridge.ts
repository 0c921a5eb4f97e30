/**
 * The desktop app's pages in plain Chromium: an init script puts a recording `window.parleyDesktop` in
 * the page, standing in for the preload bridge, so the renderer runs its desktop platform against the
 * real server. What main would keep (the session token) and what the page asked of main (the log) live
 * in the tab's sessionStorage, so they outlast a reload like main outlasts one. Main's own side of each
 * call is unit-tested against the fake Electron (main/*.test.ts).
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { DesktopBridge } from '../../main/ipc/contract.js';
import type { PlatformAction, RingingCall, TrayStatus } from '../../shared/app-shell.js';
import { DEFAULT_SHORTCUTS, type ShortcutName } from '../../shared/shortcuts.js';

/** A call the page made on the bridge: its name and argument. */
export interface BridgeCall {
  name: keyof DesktopBridge;
  arg?: unknown;
}

interface FakeMain {
  /** Main sends an action to the main window (a deep link, the tray, a notification button). */
  act(action: PlatformAction): void;
  /** Main gives the incoming-call window its call. */
  ring(call: RingingCall): void;
  log(): BridgeCall[];
  token(): string | null;
}

declare global {
  interface Window {
    fakeMain?: FakeMain;
  }
}

export interface FakeBridgeOptions {
  /** What main says of the tray icon (a Linux desktop without a tray: `missing`). */
  trayStatus?: TrayStatus;
  /** Keys another application holds: main refuses them (E_SHORTCUT_TAKEN) and changes nothing. */
  shortcutsTakenElsewhere?: string[];
  /** Shortcuts another application held when Parley started (shown as not working until set again). */
  shortcutsFailedAtStart?: ShortcutName[];
  /** Whether the desktop is in do-not-disturb (null: main cannot read it). */
  desktopDnd?: boolean | null;
}

/**
 * Main's side of the shortcuts is a small model of main/shortcut-keeper.ts (which is unit-tested): a change
 * to keys in `shortcutsTakenElsewhere` is refused, any other is taken as it is.
 */
export async function installFakeBridge(
  context: BrowserContext,
  defaultServerUrl: string,
  {
    trayStatus = 'shown',
    shortcutsTakenElsewhere = [],
    shortcutsFailedAtStart = [],
    desktopDnd = null,
  }: FakeBridgeOptions = {},
): Promise<void> {
  await context.addInitScript(
    ({ serverUrl, trayStatus, defaults, takenElsewhere, failedAtStart, desktopDnd }) => {
      const LOG = 'fake-main.log';
      const TOKEN = 'fake-main.token';
      const record = (name: string, arg?: unknown) => {
        const log = JSON.parse(sessionStorage.getItem(LOG) ?? '[]') as unknown[];
        log.push(arg === undefined ? { name } : { name, arg });
        sessionStorage.setItem(LOG, JSON.stringify(log));
      };
      const listeners = {
        action: new Set<(a: unknown) => void>(),
        incoming: new Set<(c: unknown) => void>(),
      };
      const subscribe = (set: Set<(x: unknown) => void>, handler: (x: unknown) => void) => {
        set.add(handler);
        return () => set.delete(handler);
      };
      const done = (name: string) => async (arg?: unknown) => record(name, arg);
      type Name = keyof typeof defaults;
      const shortcuts: Record<string, string> = { ...defaults };
      const failing = new Set<string>(failedAtStart);
      let followDesktopDnd = false;
      const shortcutView = () =>
        (Object.keys(defaults) as Name[]).map((name) => ({
          name,
          accelerator: shortcuts[name],
          default: defaults[name],
          ...(failing.has(name)
            ? { status: 'taken', problem: `${shortcuts[name]} is in use by another application` }
            : { status: shortcuts[name] === '' ? 'off' : 'on' }),
        }));
      const bridge = {
        platform: 'linux',
        defaultServerUrl: serverUrl,
        notifyMissed: done('notifyMissed'),
        reportState: async () => undefined, // many, and not what these tests look at
        setRecentCalls: async () => undefined,
        loadDevicePreferences: async () => ({ ringVolume: 0.8, relayOnly: false }),
        saveDevicePreferences: done('saveDevicePreferences'),
        loadSession: async () => {
          record('loadSession');
          return sessionStorage.getItem(TOKEN);
        },
        saveSession: async (token: string) => {
          record('saveSession', token);
          sessionStorage.setItem(TOKEN, token);
        },
        clearSession: async () => {
          record('clearSession');
          sessionStorage.removeItem(TOKEN);
        },
        trayStatus: async () => trayStatus,
        loadDesktopDnd: async () => ({ follow: followDesktopDnd, desktop: desktopDnd }),
        followDesktopDnd: async (follow: boolean) => {
          record('followDesktopDnd', follow);
          followDesktopDnd = follow;
          return { follow, desktop: desktopDnd };
        },
        loadShortcuts: async () => shortcutView(),
        setShortcut: async (name: Name, accelerator: string) => {
          record('setShortcut', { name, accelerator });
          if (takenElsewhere.includes(accelerator)) {
            const message = `${accelerator} is in use by another application`;
            return { ok: false, code: 'E_SHORTCUT_TAKEN', message, shortcuts: shortcutView() };
          }
          shortcuts[name] = accelerator;
          failing.delete(name);
          return { ok: true, shortcuts: shortcutView() };
        },
        choose: done('choose'),
        reportError: done('reportError'),
        reportCall: done('reportCall'),
        onAction: (handler: (a: unknown) => void) => subscribe(listeners.action, handler),
        onReconnect: () => () => undefined,
        onIncomingCall: (handler: (c: unknown) => void) => subscribe(listeners.incoming, handler),
      };
      Object.defineProperty(window, 'parleyDesktop', { value: Object.freeze(bridge) });
      Object.defineProperty(window, 'fakeMain', {
        value: {
          act: (action: unknown) => listeners.action.forEach((h) => h(action)),
          ring: (call: unknown) => listeners.incoming.forEach((h) => h(call)),
          log: () => JSON.parse(sessionStorage.getItem(LOG) ?? '[]') as unknown[],
          token: () => sessionStorage.getItem(TOKEN),
        },
      });
    },
    {
      serverUrl: defaultServerUrl,
      trayStatus,
      defaults: { ...DEFAULT_SHORTCUTS },
      takenElsewhere: shortcutsTakenElsewhere,
      failedAtStart: shortcutsFailedAtStart,
      desktopDnd,
    },
  );
}

export const fakeMain = {
  act: (page: Page, action: PlatformAction) => page.evaluate((a) => window.fakeMain!.act(a), action),
  ring: (page: Page, call: RingingCall) => page.evaluate((c) => window.fakeMain!.ring(c), call),
  log: (page: Page) => page.evaluate(() => window.fakeMain!.log()),
  token: (page: Page) => page.evaluate(() => window.fakeMain!.token()),
};
