// Wiring tests for DesktopShell (main/shell.ts) and the Electron glue it drives (ipc/handlers.ts,
// window/windows.ts, tray/electron-tray.ts, ringing/electron-notifications.ts), run against a recording
// fake of Electron's main-process API (main/test-support/fake-electron.ts, shared with main/index.test.ts).
// The settings store is the real one on a temporary folder.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow } from 'electron';
import { channel, invokeChannels, windowChannels, type InvokeChannel } from './ipc/contract.js';
import type { RingingCall, ShellState } from '../shared/app-shell.js';
import { SESSION_FILE, TokenVault } from './session/token-vault.js';
import { SettingsStore } from './settings/store.js';
import { Notifications } from './ringing/electron-notifications.js';
import { DesktopShell } from './shell.js';
import { incomingWindowFactory } from './window/windows.js';
import type { FakeBrowserWindow as FakeWindow, FakeNotification } from './test-support/fake-electron.js';

// ---- The fake Electron ----------------------------------------------------------------------------------

// Loaded through vi.hoisted so that vi.mock hands main/ the very object the tests drive, also after
// vi.resetModules().
const { electronModule, fake } = await vi.hoisted(() => import('./test-support/fake-electron.js'));

vi.mock('electron', () => electronModule);

// ---- Helpers --------------------------------------------------------------------------------------------

const APP_PAGE = 'app://parley/index.html';
const INCOMING_PAGE = 'app://parley/incoming.html';
const TRAY_DIR = fileURLToPath(new URL('../dist/renderer/tray', import.meta.url));

/** A call id as the server makes them (22 base64url characters) that reads `call-<n>`. */
const callId = (n: number) => `call-${n}`.padEnd(22, '_');
const CALL_1 = callId(1);
const alice: RingingCall = {
  callId: CALL_1,
  caller: { username: 'alice', displayName: 'Alice' },
  media: 'audio',
};
/** The app's state as shell.state reports it, whole: online, no call, nothing missed, unless `changes` say. */
const state = (changes: Partial<ShellState> = {}): ShellState => ({
  presence: 'online',
  ringing: null,
  inCall: false,
  unseenMissedCalls: 0,
  muted: false,
  ...changes,
});
/** A person as notifications and the tray name them: the name isolated (FSI ... PDI), then @username. */
const person = (name: string, username: string) => `\u2068${name}\u2069 (@${username})`;
const ANSWER_ALICE = `Answer ${person('Alice', 'alice')}`;

/** Lets queued microtasks and immediates run (window teardown, a notification's later `close`). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

const realPlatform = Object.getOwnPropertyDescriptor(process, 'platform')!;
function setPlatform(platform: NodeJS.Platform): void {
  Object.defineProperty(process, 'platform', { ...realPlatform, value: platform });
}

/** The latest setup's folder; every setup's, removed after each test (some tests set up twice). */
let dir = '';
const dirs: string[] = [];
const realXdgConfigHome = process.env.XDG_CONFIG_HOME;
afterEach(async () => {
  Object.defineProperty(process, 'platform', realPlatform);
  if (realXdgConfigHome === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = realXdgConfigHome;
  for (const made of dirs.splice(0)) await rm(made, { recursive: true, force: true });
  dir = '';
});

interface SetupOptions {
  platform?: NodeJS.Platform;
  /** Written to settings.json before the store loads it. */
  settingsFile?: unknown;
  /** Accelerators another application holds. */
  takenShortcuts?: string[];
  /** What the desktop's do-not-disturb watch says now (linux/desktop-dnd.ts); the test may change it. */
  desktopDnd?: { now: boolean | null };
}

async function setup({
  platform = 'linux',
  settingsFile,
  takenShortcuts = [],
  desktopDnd = { now: null },
}: SetupOptions = {}) {
  setPlatform(platform);
  fake.reset();
  fake.app.markReady();
  for (const accelerator of takenShortcuts) fake.globalShortcut.taken.add(accelerator);
  dir = await mkdtemp(join(tmpdir(), 'parley-shell-'));
  dirs.push(dir);
  const settingsPath = join(dir, 'settings.json');
  if (settingsFile !== undefined) await writeFile(settingsPath, JSON.stringify(settingsFile));
  const settings = new SettingsStore(settingsPath, { logger: { warn: vi.fn() } });
  await settings.load();

  const main = new fake.BrowserWindow({ show: false, title: 'Parley' });
  void main.loadURL(APP_PAGE);
  main.webContents.finishLoad();
  main.show();
  main.hide(); // in the tray, as it usually is when a call comes in

  const log = vi.fn<(message: string) => void>();
  const logError = vi.fn<(message: string) => void>();
  const quit = vi.fn();
  const showMainWindow = vi.fn(() => {
    if (main.isMinimized()) main.restore();
    main.show();
    main.focus();
  });
  const shell = new DesktopShell({
    mainWindow: () => (main.isDestroyed() ? null : (main as unknown as BrowserWindow)),
    showMainWindow,
    incomingWindows: incomingWindowFactory(undefined),
    notifier: (handlers) => new Notifications(handlers),
    settings,
    session: new TokenVault(join(dir, SESSION_FILE), fake.safeStorage, { platform, log }),
    trayIconDir: TRAY_DIR,
    trayStatus: () => 'shown',
    desktopDnd: () => desktopDnd.now,
    logsDir: join(dir, 'logs'),
    quit,
    log,
    logError,
  });

  const tray = fake.Tray.all[0]!;
  return {
    shell,
    main,
    settings,
    settingsPath,
    log,
    logError,
    quit,
    showMainWindow,
    tray,
    /** `ipcRenderer.invoke` of a contract channel from a frame at `from` (the main window's page by default). */
    invoke: (name: InvokeChannel, payload: unknown, from: string | null = APP_PAGE, sender?: FakeWindow) =>
      fake.ipcMain.invoke(channel(name), from, payload, sender?.webContents ?? main.webContents),
    /** Actions the main window's page received. */
    actions: () => main.webContents.sentOn(channel('action')),
    /** Windows other than the main one (the incoming-call window). */
    others: () => fake.BrowserWindow.all.filter((w) => w !== main),
    menu: () => {
      const menu = tray.menu;
      if (!menu) throw new Error('the tray has no menu');
      return menu;
    },
    trayIcon: () => tray.image.path,
  };
}

const notifications = (): FakeNotification[] => fake.Notification.all;
const onScreen = (): FakeNotification[] => fake.Notification.all.filter((n) => n.onScreen);

// ---- Tests ----------------------------------------------------------------------------------------------

describe('IPC: only the app, only valid messages', () => {
  it('refuses a message from a frame that is not the app, and does nothing', async () => {
    const s = await setup();
    const before = fake.BrowserWindow.all.length;
    for (const from of ['https://evil.example', 'app://parley.evil/index.html', 'file:///index.html', null]) {
      await expect(s.invoke('shell.state', state({ ringing: alice }), from)).rejects.toThrow(
        'sender not allowed',
      );
      await expect(
        s.invoke('shell.state', state({ presence: 'online', inCall: true, unseenMissedCalls: 3 }), from),
      ).rejects.toThrow('sender not allowed');
    }
    expect(fake.BrowserWindow.all).toHaveLength(before);
    expect(notifications()).toEqual([]);
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'offline.png'));
    expect(fake.calls('app.setBadgeCount')).toEqual([]);
    expect(fake.calls('powerSaveBlocker.start')).toEqual([]);
    expect(s.log).toHaveBeenCalledWith('refused shell.state from https://evil.example');
    expect(s.log).toHaveBeenCalledWith('refused shell.state from a destroyed frame');
  });

  it('refuses a malformed payload, and does nothing', async () => {
    const s = await setup();
    const bad: [InvokeChannel, unknown][] = [
      ['shell.state', state({ ringing: { ...alice, callId: '' } })],
      ['shell.state', state({ ringing: { ...alice, callId: 'call-1' } })], // not a call id the server makes
      ['shell.state', state({ ringing: { ...alice, extra: true } as RingingCall })],
      ['shell.state', state({ ringing: { ...alice, media: 'fax' } as unknown as RingingCall })],
      ['shell.state', { presence: 'online', inCall: false, unseenMissedCalls: 0 }], // ringing left out
      ['shell.state', undefined],
      ['shell.state', state({ presence: 'online', inCall: true, unseenMissedCalls: -1 })],
      ['devices.save', { ringVolume: 7 }],
      ['recent.set', 'alice'],
    ];
    for (const [name, payload] of bad)
      await expect(s.invoke(name, payload)).rejects.toThrow('invalid payload');
    expect(s.others()).toEqual([]);
    expect(notifications()).toEqual([]);
    expect(fake.calls('app.setBadgeCount')).toEqual([]);
    expect(s.actions()).toEqual([]);
    await expect(readFile(s.settingsPath, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('each window may call only its own channels: others are refused, logged and do nothing', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ ringing: alice }));
    const incoming = s.others()[0]!;
    incoming.webContents.finishLoad();
    const fromIncoming = (name: InvokeChannel, payload: unknown) =>
      s.invoke(name, payload, INCOMING_PAGE, incoming);

    // The incoming-call window answers; it may not report state, ring or read settings.
    const notIncoming: [InvokeChannel, unknown][] = [
      ['shell.state', state({ presence: 'online', inCall: true, unseenMissedCalls: 5 })],
      ['shell.state', state()], // ringing stopped
      ['missed.notify', { callId: callId(3), caller: alice.caller, media: 'audio' }],
      ['recent.set', []],
      ['devices.load', {}],
      ['devices.save', { ringVolume: 0.1 }],
      ['shortcuts.load', {}],
      ['shortcuts.set', { name: 'answer', accelerator: 'Ctrl+Alt+A' }],
    ];
    for (const [name, payload] of notIncoming) {
      await expect(fromIncoming(name, payload), name).rejects.toThrow('channel not allowed for this window');
      expect(s.log).toHaveBeenCalledWith(
        `refused ${name} from the incoming-call window: not one of its channels`,
      );
    }
    // The main window may not answer as if it were the incoming-call window.
    await expect(
      s.invoke('incoming.choose', { type: 'accept', callId: CALL_1, media: 'audio' }),
    ).rejects.toThrow('channel not allowed for this window');
    expect(s.log).toHaveBeenCalledWith(
      'refused incoming.choose from the main window: not one of its channels',
    );

    expect(s.others()).toEqual([incoming]);
    expect(incoming.calls).not.toContain('close');
    expect(notifications()).toHaveLength(1);
    expect(fake.calls('app.setBadgeCount')).toEqual([[0]]); // from the main window's report only
    expect(s.actions()).toEqual([]);
    await expect(readFile(s.settingsPath, 'utf8')).rejects.toThrow(/ENOENT/);

    // Its own channel is checked like any other: a malformed answer is refused.
    await expect(fromIncoming('incoming.choose', { type: 'accept', callId: CALL_1 })).rejects.toThrow(
      'invalid payload',
    );
    expect(s.actions()).toEqual([]);
  });

  it('refuses a message from web contents that are not one of the windows, even on the app origin', async () => {
    const s = await setup();
    const stranger = new fake.BrowserWindow({ show: false });
    await expect(
      s.invoke('shell.state', state({ presence: 'online', unseenMissedCalls: 1 }), APP_PAGE, stranger),
    ).rejects.toThrow('sender not allowed');
    await expect(
      s.invoke('incoming.choose', { type: 'decline', callId: CALL_1 }, INCOMING_PAGE, stranger),
    ).rejects.toThrow('sender not allowed');
    expect(fake.calls('app.setBadgeCount')).toEqual([]);
    expect(s.log).toHaveBeenCalledWith(`refused shell.state from ${APP_PAGE}`);
  });

  it('registers one handler per contract channel, each channel allowed to some window', async () => {
    await setup();
    // Each channel once; `log.error` is the one both windows have.
    expect([...new Set([...windowChannels.main, ...windowChannels.incoming])].sort()).toEqual(
      Object.keys(invokeChannels).sort(),
    );
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual(
      [
        'desktopDnd.follow',
        'desktopDnd.load',
        'devices.load',
        'devices.save',
        'incoming.choose',
        'log.call',
        'log.error',
        'missed.notify',
        'recent.set',
        'session.clear',
        'session.load',
        'session.save',
        'shell.state',
        'shortcuts.load',
        'shortcuts.set',
        'tray.status',
      ].map(channel),
    );
  });
});

describe('ringing', () => {
  it('opens an always-on-top incoming window without focus, locked down, and gives it the call once loaded', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ ringing: alice }));

    const [win, ...more] = s.others();
    expect(more).toEqual([]);
    expect(win).toBeDefined();
    const incoming = win!;
    expect(incoming.options).toMatchObject({
      show: false,
      alwaysOnTop: true,
      frame: false,
      skipTaskbar: true,
      resizable: false,
      width: 380,
      height: 250,
      // Bottom right of the work area of the display the pointer is on.
      x: 1920 + 1920 - 380 - 16,
      y: 1040 - 250 - 16,
    });
    expect(fake.calls('screen.getDisplayNearestPoint')).toEqual([[{ x: 2500, y: 300 }]]);
    expect(incoming.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      additionalArguments: [],
    });
    expect(String(incoming.options.webPreferences?.preload)).toMatch(/preload\.cjs$/);
    expect(incoming.calls).toContain('setAlwaysOnTop:true:screen-saver');
    expect(incoming.calls).toContain('setVisibleOnAllWorkspaces:true');
    expect(incoming.calls).toContain('showInactive');
    expect(incoming.calls).not.toContain('show');
    expect(incoming.calls).not.toContain('focus');
    expect(incoming.visible).toBe(true);
    expect(incoming.focused).toBe(false);
    expect(fake.calls('webContents.loadURL').at(-1)).toEqual([INCOMING_PAGE]);

    // The call goes to the page only once it has loaded (its preload listens from then on).
    await flush();
    expect(incoming.webContents.sentOn(channel('incoming.call'))).toEqual([]);
    incoming.webContents.finishLoad();
    await flush();
    expect(incoming.webContents.sentOn(channel('incoming.call'))).toEqual([alice]);

    // The main window is not brought forward by a ring; its taskbar entry flashes (Linux).
    expect(s.main.visible).toBe(false);
    expect(s.main.flashing).toBe(true);
    expect(s.showMainWindow).not.toHaveBeenCalled();
  });

  it('shows a silent, sticky notification without buttons on Linux; a click opens Parley', async () => {
    const s = await setup({ platform: 'linux' });
    await s.invoke('shell.state', state({ ringing: alice }));

    expect(notifications()).toHaveLength(1);
    const n = notifications()[0]!;
    expect(n.shown).toBe(true);
    expect(n.options).toMatchObject({
      title: 'Incoming call',
      body: `${person('Alice', 'alice')} is calling`,
      silent: true,
      urgency: 'critical',
      timeoutType: 'never',
      actions: [],
    });
    n.click();
    expect(s.showMainWindow).toHaveBeenCalledTimes(1);
    expect(s.main.visible).toBe(true);
    expect(s.actions()).toEqual([]);
  });

  it.each(['win32', 'darwin'] as const)(
    'offers Accept / Accept video / Decline buttons on %s',
    async (platform) => {
      const s = await setup({ platform });
      await s.invoke('shell.state', state({ ringing: { ...alice, media: 'video' } }));

      const n = notifications()[0]!;
      expect(n.options.title).toBe('Incoming video call');
      expect(n.options.actions).toEqual([
        { type: 'button', text: 'Accept' },
        { type: 'button', text: 'Accept video' },
        { type: 'button', text: 'Decline' },
      ]);
      n.clickAction(1);
      expect(s.actions()).toEqual([{ type: 'accept', callId: CALL_1, media: 'video' }]);
      expect(s.main.visible).toBe(true);
      expect(s.main.focused).toBe(true);
      n.clickAction(2);
      expect(s.actions().at(-1)).toEqual({ type: 'decline', callId: CALL_1 });
    },
  );

  it('switches the tray to the ringing icon with Answer <name> (@username) in its menu', async () => {
    const s = await setup();
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'offline.png'));
    await s.invoke('shell.state', state({ presence: 'online', unseenMissedCalls: 0 }));
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'online.png'));

    await s.invoke('shell.state', state({ ringing: alice }));
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'ringing.png'));
    expect(s.tray.tooltip).toBe(`Parley: incoming call from ${person('Alice', 'alice')}`);
    const labels = s
      .menu()
      .flat()
      .map((i) => i.label);
    expect(labels.slice(0, 3)).toEqual([ANSWER_ALICE, 'Answer with video', 'Decline']);

    s.menu().click(ANSWER_ALICE);
    expect(s.actions()).toEqual([{ type: 'accept', callId: CALL_1, media: 'audio' }]);
    expect(s.main.visible).toBe(true);
  });

  it('on macOS: template tray icons, a critical dock bounce, no taskbar flash', async () => {
    const s = await setup({ platform: 'darwin' });
    await s.invoke('shell.state', state({ ringing: alice }));
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'ringingTemplate.png'));
    expect(s.tray.image.isTemplateImage()).toBe(true);
    expect(fake.calls('dock.bounce')).toEqual([['critical', 1]]);
    expect(s.main.calls.filter((c) => c.startsWith('flashFrame'))).toEqual([]);
  });

  it('on macOS: the dock stops bouncing when ringing stops', async () => {
    const s = await setup({ platform: 'darwin' });
    await s.invoke('shell.state', state({ ringing: alice }));
    const [[, id]] = fake.calls('dock.bounce') as [[string, number]];
    await s.invoke('shell.state', state());
    // A critical bounce goes on until the app is activated or the request is cancelled.
    expect(fake.calls('dock.cancelBounce')).toEqual([[id]]);
  });

  it('incoming.choose from the incoming window: the main window gets the action once and comes forward; the window closes when the app reports the call answered', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ ringing: alice }));
    const incoming = s.others()[0]!;
    incoming.webContents.finishLoad();

    const accept = { type: 'accept', callId: CALL_1, media: 'video' };
    await s.invoke('incoming.choose', accept, INCOMING_PAGE, incoming);
    await s.invoke('incoming.choose', accept, INCOMING_PAGE, incoming); // a double click
    expect(s.actions()).toEqual([accept]);
    expect(s.showMainWindow).toHaveBeenCalled();
    expect(s.main.visible).toBe(true);
    expect(s.main.focused).toBe(true);
    // One tear-down, from the app's state: the window stays until the call no longer rings.
    expect(incoming.calls).not.toContain('close');
    await s.invoke('shell.state', state({ inCall: true }));
    expect(incoming.calls.filter((c) => c === 'close')).toEqual(['close']);
    expect(notifications()[0]!.onScreen).toBe(false);
    await flush();
    expect(incoming.isDestroyed()).toBe(true);
    expect(s.others()).toEqual([]);

    // A second click (or a stale message) from the closed window is refused and does nothing more.
    await expect(s.invoke('incoming.choose', accept, INCOMING_PAGE, incoming)).rejects.toThrow(
      'sender not allowed',
    );
    expect(s.actions()).toEqual([accept]);
  });

  it('incoming.choose for another call, or an action that is not an answer, is ignored', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ ringing: alice }));
    const incoming = s.others()[0]!;
    await s.invoke(
      'incoming.choose',
      { type: 'accept', callId: callId(2), media: 'audio' },
      INCOMING_PAGE,
      incoming,
    );
    await s.invoke('incoming.choose', { type: 'hangup' }, INCOMING_PAGE, incoming);
    await s.invoke(
      'incoming.choose',
      { type: 'call', username: 'mallory', media: 'audio' },
      INCOMING_PAGE,
      incoming,
    );
    expect(s.actions()).toEqual([]);
    expect(incoming.calls).not.toContain('close');
  });

  it('ringing stopping closes the window at once, withdraws the notification, stops the flash and restores the tray', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ ringing: alice }));
    const incoming = s.others()[0]!;
    incoming.webContents.finishLoad();
    const n = notifications()[0]!;

    await s.invoke('shell.state', state());
    expect(incoming.calls).toContain('close'); // synchronously, inside the handler
    expect(n.onScreen).toBe(false);
    expect(s.main.calls).toContain('flashFrame:false');
    expect(s.main.flashing).toBe(false);
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'online.png'));
    expect(s.menu().item(ANSWER_ALICE)).toBeUndefined();
    await flush();
    expect(incoming.isDestroyed()).toBe(true);
    expect(s.actions()).toEqual([]);

    // The same call reported ringing again (a reloaded page) does not bring the window back.
    await s.invoke('shell.state', state({ ringing: alice }));
    expect(s.others()).toEqual([]);
  });

  it('ringing stops before the incoming page has loaded: the window closes, nothing is left unhandled', async () => {
    const s = await setup();
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      await s.invoke('shell.state', state({ ringing: alice }));
      const incoming = s.others()[0]!;
      await s.invoke('shell.state', state());
      await flush();
      await flush();
      expect(incoming.isDestroyed()).toBe(true);
      expect(incoming.webContents.sent).toEqual([]);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('a state that changes something else leaves the ringing call alone; a newer call replaces it', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ ringing: alice }));
    const incoming = s.others()[0]!;
    await s.invoke('shell.state', state({ ringing: alice, muted: true, unseenMissedCalls: 2 }));
    expect(incoming.calls).not.toContain('close');
    expect(incoming.calls.filter((c) => c === 'showInactive')).toHaveLength(1);
    expect(notifications()).toHaveLength(1);
    expect(notifications()[0]!.onScreen).toBe(true);
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'ringing.png'));

    const bob = { ...alice, callId: callId(2), caller: { username: 'bob', displayName: 'Bob' } };
    await s.invoke('shell.state', state({ ringing: bob }));
    expect(notifications()[0]!.onScreen).toBe(false);
    expect(notifications()[1]!.onScreen).toBe(true);
    expect(s.menu().item(`Answer ${person('Bob', 'bob')}`)).toBeDefined();
  });

  it('closing the incoming window by hand keeps the call ringing elsewhere and does not reopen it', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ ringing: alice }));
    const incoming = s.others()[0]!;
    incoming.webContents.finishLoad();
    incoming.close(); // the person closes it (Alt+F4)
    await flush();
    expect(incoming.isDestroyed()).toBe(true);
    expect(s.actions()).toEqual([]);
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'ringing.png'));
    expect(notifications()[0]!.onScreen).toBe(true);

    await s.invoke('shell.state', state({ ringing: alice, muted: true })); // another change
    expect(s.others()).toEqual([]);
    await s.invoke('shell.state', state()); // must not touch the destroyed window
    expect(notifications()[0]!.onScreen).toBe(false);
  });

  it('on Windows, a call that stops and rings again (a reloaded page) has its new notification withdrawn too', async () => {
    const s = await setup({ platform: 'win32' });
    await s.invoke('shell.state', state({ ringing: alice }));
    await s.invoke('shell.state', state()); // the page reloaded while the call rang
    await s.invoke('shell.state', state({ ringing: alice }));
    expect(notifications()).toHaveLength(2);
    expect(onScreen()).toEqual([notifications()[1]]);
    await flush(); // Windows reports the first one's close now
    await s.invoke('shell.state', state());
    await flush();
    expect(onScreen()).toEqual([]);
  });

  it('in do not disturb, a ringing call opens no window, shows no notification and leaves the tray alone', async () => {
    const s = await setup({ platform: 'win32' });
    await s.invoke('shell.state', state({ presence: 'dnd' }));
    await s.invoke('shell.state', state({ presence: 'dnd', ringing: alice }));
    expect(s.others()).toEqual([]);
    expect(notifications()).toEqual([]);
    expect(s.main.calls).not.toContain('flashFrame:true');
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'dnd.png'));
    expect(s.menu().item(ANSWER_ALICE)).toBeUndefined();
  });

  it('without OS notifications, the window and tray still ring', async () => {
    const s = await setup();
    fake.Notification.supported = false;
    await s.invoke('shell.state', state({ ringing: alice }));
    expect(s.others()).toHaveLength(1);
    expect(notifications()).toEqual([]);
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'ringing.png'));
  });
});

describe('shell state, missed and recent calls', () => {
  it('holds a power-save blocker during a call (once) and sets the badge', async () => {
    const s = await setup();
    const inCall = state({ presence: 'busy', inCall: true, unseenMissedCalls: 2 });
    await s.invoke('shell.state', inCall);
    await s.invoke('shell.state', { ...inCall, unseenMissedCalls: 3 });
    expect(fake.calls('powerSaveBlocker.start')).toEqual([['prevent-display-sleep', 1]]);
    expect(fake.powerSaveBlocker.isStarted(1)).toBe(true);
    expect(fake.calls('app.setBadgeCount')).toEqual([[2], [3]]);
    expect(fake.app.badgeCount).toBe(3);
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'busy.png'));
    expect(s.menu().item('Hang up')).toBeDefined();
    expect(s.tray.tooltip).toBe('Parley: in a call · 3 missed calls');

    await s.invoke('shell.state', state({ presence: 'online', unseenMissedCalls: 0 }));
    expect(fake.calls('powerSaveBlocker.stop')).toEqual([[1]]);
    expect(fake.powerSaveBlocker.active.size).toBe(0);
    expect(fake.app.badgeCount).toBe(0);
    await s.invoke('shell.state', state({ presence: 'online', unseenMissedCalls: 0 }));
    expect(fake.calls('powerSaveBlocker.stop')).toHaveLength(1);

    await s.invoke('shell.state', inCall);
    expect(fake.calls('powerSaveBlocker.start')).toEqual([
      ['prevent-display-sleep', 1],
      ['prevent-display-sleep', 2],
    ]);
  });

  it('a muted call offers Unmute in the tray', async () => {
    const s = await setup();
    await s.invoke(
      'shell.state',
      state({ presence: 'busy', inCall: true, unseenMissedCalls: 0, muted: true }),
    );
    expect(s.tray.tooltip).toBe('Parley: in a call (muted)');
    s.menu().click('Unmute');
    expect(s.actions()).toEqual([{ type: 'toggle-mute' }]);
    await s.invoke('shell.state', state({ presence: 'busy', inCall: true, unseenMissedCalls: 0 }));
    expect(s.menu().item('Mute')).toBeDefined();
  });

  it('missed.notify shows "Missed call" with a Call back button that calls back the same way', async () => {
    const s = await setup({ platform: 'win32' });
    const bob = { username: 'bob', displayName: 'Bob' };
    await s.invoke('missed.notify', { callId: callId(7), caller: bob, media: 'video' });
    const n = notifications()[0]!;
    expect(n.shown).toBe(true);
    expect(n.options).toMatchObject({
      title: 'Missed call',
      body: `${person('Bob', 'bob')} called`,
      silent: false,
      actions: [{ type: 'button', text: 'Call back' }],
    });
    n.clickAction(0);
    expect(s.actions()).toEqual([{ type: 'call', username: 'bob', media: 'video' }]);
    expect(s.main.visible).toBe(true);
    n.click();
    expect(s.actions().at(-1)).toEqual({ type: 'open-history' });
  });

  it('missed.notify: no buttons on Linux, silent in do not disturb, nothing without notifications', async () => {
    const s = await setup({ platform: 'linux' });
    await s.invoke('shell.state', state({ presence: 'dnd', unseenMissedCalls: 1 }));
    await s.invoke('missed.notify', {
      callId: callId(7),
      caller: { username: 'bob', displayName: '' },
      media: 'audio',
    });
    expect(notifications()[0]!.options).toMatchObject({ body: '@bob called', silent: true, actions: [] });
    fake.Notification.supported = false;
    await s.invoke('missed.notify', {
      callId: callId(8),
      caller: { username: 'bob', displayName: 'Bob' },
      media: 'audio',
    });
    expect(notifications()).toHaveLength(1);
  });

  it('recent.set puts "Call back <name> (@username)" in the tray menu', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ presence: 'online', unseenMissedCalls: 0 }));
    expect(s.menu().item('No recent calls')?.enabled).toBe(false);
    await s.invoke('recent.set', [
      { username: 'bob', displayName: 'Bob & Co', media: 'audio' },
      { username: 'carol', displayName: 'Carol', media: 'video' },
    ]);
    expect(s.menu().item(`Call back ${person('Bob && Co', 'bob')}`)).toBeDefined();
    s.menu().click(`Call back ${person('Carol', 'carol')} (video)`);
    expect(s.actions()).toEqual([{ type: 'call', username: 'carol', media: 'video' }]);
    expect(s.main.visible).toBe(true);

    // Not while a call rings.
    await s.invoke('shell.state', state({ ringing: alice }));
    expect(s.menu().item(`Call back ${person('Carol', 'carol')} (video)`)?.enabled).toBe(false);
  });
});

describe('devices and links', () => {
  it('devices.save then devices.load round-trips through the settings file', async () => {
    const s = await setup();
    expect(await s.invoke('devices.load', {})).toEqual({ ringVolume: 0.8, relayOnly: false });

    const prefs = { microphoneId: 'mic-1', speakerId: 'spk-2', ringVolume: 0.5 };
    await s.invoke('devices.save', prefs);
    const onDisk = JSON.parse(await readFile(s.settingsPath, 'utf8')) as { devices: unknown };
    expect(onDisk.devices).toEqual({ ...prefs, relayOnly: false });
    expect(await s.invoke('devices.load', {})).toEqual({ ...prefs, relayOnly: false });

    // A restart reads them back from the file.
    const again = new SettingsStore(s.settingsPath);
    await again.load();
    fake.ipcMain.handlers.clear();
    new DesktopShell({
      mainWindow: () => s.main as unknown as BrowserWindow,
      showMainWindow: vi.fn(),
      incomingWindows: incomingWindowFactory(undefined),
      notifier: (handlers) => new Notifications(handlers),
      settings: again,
      session: new TokenVault(join(dir, SESSION_FILE), fake.safeStorage, { platform: 'linux', log: vi.fn() }),
      trayIconDir: TRAY_DIR,
      trayStatus: () => 'shown',
      logsDir: join(dir, 'logs'),
      quit: vi.fn(),
      log: vi.fn(),
      logError: vi.fn(),
    });
    expect(await s.invoke('devices.load', {})).toEqual({ ...prefs, relayOnly: false });

    // Choosing "system default" again removes the id.
    await s.invoke('devices.save', { speakerId: 'spk-2', ringVolume: 0.5 });
    expect(await s.invoke('devices.load', {})).toEqual({
      speakerId: 'spk-2',
      ringVolume: 0.5,
      relayOnly: false,
    });
  });

  it('session.save keeps the token encrypted in the user data folder; session.load reads it; session.clear removes it', async () => {
    const s = await setup();
    const token = 'A'.repeat(43);
    expect(await s.invoke('session.load', {})).toBeNull();
    await s.invoke('session.save', { token });
    const file = join(dir, SESSION_FILE);
    expect((await readFile(file)).toString('latin1')).not.toContain(token);
    expect(await s.invoke('session.load', {})).toBe(token);
    // The next start of Parley reads it back.
    const next = new TokenVault(file, fake.safeStorage, { platform: 'linux', log: vi.fn() });
    expect(await next.load()).toBe(token);

    await s.invoke('session.clear', {});
    expect(await s.invoke('session.load', {})).toBeNull();
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });

  it('session messages: a bad token is refused, and the incoming-call window may not touch the session', async () => {
    const s = await setup();
    for (const token of ['', 'x'.repeat(129), 42, null]) {
      await expect(s.invoke('session.save', { token }), JSON.stringify(token)).rejects.toThrow(
        'invalid payload',
      );
    }
    await s.invoke('session.save', { token: 'secret-token' });
    await s.invoke('shell.state', state({ ringing: alice }));
    const incoming = s.others()[0]!;
    for (const name of ['session.load', 'session.save', 'session.clear'] as const) {
      const payload = name === 'session.save' ? { token: 'stolen' } : {};
      await expect(s.invoke(name, payload, INCOMING_PAGE, incoming), name).rejects.toThrow(
        'channel not allowed for this window',
      );
    }
    expect(await s.invoke('session.load', {})).toBe('secret-token');
  });

  it('a page cannot ask main to open a link: there is no such channel', async () => {
    const s = await setup();
    await expect(
      s.invoke('external.open' as InvokeChannel, { url: 'https://parley.example/' }),
    ).rejects.toThrow("No handler registered for 'parley:external.open'");
    expect(fake.calls('shell.openExternal')).toEqual([]);
  });
});

describe('tray', () => {
  it('"Quit Parley" quits; "Open Parley" and a click on the icon open the window', async () => {
    const s = await setup();
    s.menu().click('Open Parley');
    expect(s.showMainWindow).toHaveBeenCalledTimes(1);
    s.tray.click();
    expect(s.showMainWindow).toHaveBeenCalledTimes(2);
    expect(s.quit).not.toHaveBeenCalled();
    s.menu().click('Quit Parley');
    expect(s.quit).toHaveBeenCalledTimes(1);
    expect(s.actions()).toEqual([]);
  });

  it('status and missed-calls items reach the app', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ presence: 'online', unseenMissedCalls: 2 }));
    s.menu().click('Do not disturb');
    s.menu().click('2 missed calls');
    expect(s.actions()).toEqual([{ type: 'set-status', dnd: true }, { type: 'open-history' }]);
  });

  it('"Start at login" on Linux writes the XDG autostart entry and is remembered; again removes it', async () => {
    const s = await setup({ platform: 'linux' });
    fake.app.paths.home = dir;
    process.env.XDG_CONFIG_HOME = join(dir, 'xdg');
    const entry = join(dir, 'xdg', 'autostart', 'parley.desktop');
    expect(s.menu().item('Start at login')?.checked).toBe(false);
    s.menu().click('Start at login');
    await vi.waitFor(async () =>
      expect(await readFile(entry, 'utf8')).toContain(`\nExec=${process.execPath}\n`),
    );
    await s.settings.update({}); // runs after the shell's own update
    await flush();
    expect(s.settings.current().startAtLogin).toBe(true);
    expect(JSON.parse(await readFile(s.settingsPath, 'utf8'))).toMatchObject({ startAtLogin: true });
    expect(s.menu().item('Start at login')?.checked).toBe(true);
    expect(fake.calls('app.setLoginItemSettings')).toEqual([]); // it does nothing on Linux

    s.menu().click('Start at login');
    await vi.waitFor(() => expect(existsSync(entry)).toBe(false));
    await s.settings.update({});
    expect(s.settings.current().startAtLogin).toBe(false);
  });

  it.each(['darwin', 'win32'] as const)(
    '"Start at login" on %s sets Electron\'s login item',
    async (platform) => {
      const s = await setup({ platform });
      s.menu().click('Start at login');
      expect(fake.calls('app.setLoginItemSettings')).toEqual([[{ openAtLogin: true }]]);
      await s.settings.update({});
      await flush();
      expect(s.menu().item('Start at login')?.checked).toBe(true);
    },
  );

  it('"Open logs folder" opens the folder of the log files; a failure is logged', async () => {
    const s = await setup();
    await mkdir(join(dir, 'logs'));
    s.menu().click('Open logs folder');
    expect(fake.calls('shell.openPath')).toEqual([[join(dir, 'logs')]]);
    await rm(join(dir, 'logs'), { recursive: true });
    s.menu().click('Open logs folder');
    await vi.waitFor(() => expect(s.log).toHaveBeenCalledWith('logs folder not opened: Failed to open path'));
    expect(s.actions()).toEqual([]);
  });

  it('every menu it builds is a valid Electron template', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ presence: 'online', inCall: true, unseenMissedCalls: 4 }));
    await s.invoke('recent.set', [{ username: 'bob', displayName: 'Bob', media: 'audio' }]);
    await s.invoke('shell.state', state({ inCall: true, unseenMissedCalls: 4, ringing: alice }));
    // buildFromTemplate throws on an invalid template, so getting here is the check; and each was set.
    expect(fake.calls('Menu.buildFromTemplate').length).toBeGreaterThanOrEqual(4);
    expect(
      s
        .menu()
        .flat()
        .map((i) => i.label),
    ).toContain('Hang up');
  });
});

describe('global shortcuts', () => {
  it('registers the shortcuts from the settings; a press while ringing answers', async () => {
    const s = await setup({
      settingsFile: { shortcuts: { answer: 'CommandOrControl+Alt+A', mute: '' } },
    });
    expect([...fake.globalShortcut.registered.keys()]).toEqual([
      'CommandOrControl+Alt+A',
      'CommandOrControl+Shift+D',
      'CommandOrControl+Shift+H',
    ]);

    fake.globalShortcut.press('CommandOrControl+Alt+A'); // nothing rings yet
    expect(s.actions()).toEqual([]);

    await s.invoke('shell.state', state({ ringing: alice }));
    fake.globalShortcut.press('CommandOrControl+Alt+A');
    expect(s.actions()).toEqual([{ type: 'accept', callId: CALL_1, media: 'audio' }]);
    expect(s.main.visible).toBe(true);

    fake.globalShortcut.press('CommandOrControl+Shift+D');
    expect(s.actions().at(-1)).toEqual({ type: 'decline', callId: CALL_1 });

    await s.invoke('shell.state', state());
    await s.invoke('shell.state', state({ presence: 'busy', inCall: true, unseenMissedCalls: 0 }));
    fake.globalShortcut.press('CommandOrControl+Shift+H');
    expect(s.actions().at(-1)).toEqual({ type: 'hangup' });
  });

  it('logs a shortcut another application holds; the others still work', async () => {
    const s = await setup({ takenShortcuts: ['CommandOrControl+Shift+M'] });
    expect(fake.globalShortcut.isRegistered('CommandOrControl+Shift+A')).toBe(true);
    expect(fake.globalShortcut.isRegistered('CommandOrControl+Shift+M')).toBe(false);
    expect(s.log).toHaveBeenCalledWith(
      'shortcut mute (CommandOrControl+Shift+M) not registered: CommandOrControl+Shift+M is in use by another application',
    );
    // Settings shows it as not working, and why.
    expect(await s.invoke('shortcuts.load', {})).toContainEqual({
      name: 'mute',
      accelerator: 'CommandOrControl+Shift+M',
      default: 'CommandOrControl+Shift+M',
      status: 'taken',
      problem: 'CommandOrControl+Shift+M is in use by another application',
    });
  });

  it('shortcuts.set from Settings registers the new keys, saves them, and they answer', async () => {
    const s = await setup();
    const change = await s.invoke('shortcuts.set', { name: 'answer', accelerator: 'Ctrl+Alt+A' });
    expect(change).toMatchObject({ ok: true });
    expect(fake.globalShortcut.isRegistered('CommandOrControl+Shift+A')).toBe(false);
    expect(JSON.parse(await readFile(s.settingsPath, 'utf8'))).toMatchObject({
      shortcuts: { answer: 'Ctrl+Alt+A' },
    });
    await s.invoke('shell.state', state({ ringing: alice }));
    fake.globalShortcut.press('Ctrl+Alt+A');
    expect(s.actions()).toEqual([{ type: 'accept', callId: CALL_1, media: 'audio' }]);
  });

  it('shortcuts.set with a bad accelerator or name is refused with the reason, and changes nothing', async () => {
    const s = await setup();
    const bad: [unknown, RegExp][] = [
      [
        { name: 'answer', accelerator: 'Shift+A' },
        /accelerator: "Shift\+A" is not a valid shortcut: it needs/,
      ],
      [{ name: 'answer', accelerator: 'Ctrl+Banana' }, /"Banana" is not a key name/],
      [{ name: 'dance', accelerator: 'Ctrl+Alt+D' }, /invalid payload: name: /],
      [{ name: 'answer', accelerator: 'Ctrl+Alt+A', extra: 1 }, /invalid payload/],
      [{ name: 'answer' }, /invalid payload: accelerator: /],
    ];
    for (const [payload, reason] of bad)
      await expect(s.invoke('shortcuts.set', payload)).rejects.toThrow(reason);
    expect(s.log).toHaveBeenCalledWith(
      'refused shortcuts.set: accelerator: "Shift+A" is not a valid shortcut: it needs Control, Command, Alt or Super, or it would take over ordinary typing',
    );
    expect([...fake.globalShortcut.registered.keys()]).toEqual([
      'CommandOrControl+Shift+A',
      'CommandOrControl+Shift+D',
      'CommandOrControl+Shift+H',
      'CommandOrControl+Shift+M',
    ]);
    await expect(readFile(s.settingsPath, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe("the desktop's do not disturb", () => {
  it('followed and on: the call shows in the tray only, the window is silent, nothing pops up or flashes', async () => {
    const desktopDnd = { now: true };
    const s = await setup({ desktopDnd, settingsFile: { followDesktopDnd: true } });
    await s.invoke('shell.state', state({ ringing: alice }));
    expect(s.others()).toEqual([]); // no incoming-call window
    expect(notifications()).toEqual([]);
    expect(s.main.calls).not.toContain('flashFrame:true');
    expect(s.main.webContents.isAudioMuted()).toBe(true);
    expect(s.trayIcon()).toBe(join(TRAY_DIR, 'ringing.png'));
    s.menu().click(ANSWER_ALICE); // the person saw it there, and answers
    expect(s.actions()).toEqual([{ type: 'accept', callId: CALL_1, media: 'audio' }]);
    expect(s.log).toHaveBeenCalledWith(`call ${CALL_1} rings quietly: the desktop is in do not disturb`);

    // Unanswered: the window's sound comes back, and the missed call is notified, silently.
    await s.invoke('shell.state', state({ unseenMissedCalls: 1 }));
    expect(s.main.webContents.isAudioMuted()).toBe(false);
    await s.invoke('missed.notify', { callId: CALL_1, caller: alice.caller, media: 'audio' });
    expect(notifications()).toEqual([
      expect.objectContaining({ options: expect.objectContaining({ title: 'Missed call', silent: true }) }),
    ]);
  });

  it('not followed (the default), or the desktop not in it: rings as usual', async () => {
    const s = await setup({ desktopDnd: { now: true } });
    await s.invoke('shell.state', state({ ringing: alice }));
    expect(s.others()).toHaveLength(1);
    expect(s.main.webContents.isAudioMuted()).toBe(false);

    const followed = await setup({ desktopDnd: { now: false }, settingsFile: { followDesktopDnd: true } });
    await followed.invoke('shell.state', state({ ringing: alice }));
    expect(followed.others()).toHaveLength(1);
    expect(notifications()).toHaveLength(1);
    expect(followed.main.webContents.isAudioMuted()).toBe(false);
  });

  it('Settings reads and changes the setting through desktopDnd.load and desktopDnd.follow; the file keeps it', async () => {
    const desktopDnd = { now: null as boolean | null };
    const s = await setup({ desktopDnd });
    expect(await s.invoke('desktopDnd.load', {})).toEqual({ follow: false, desktop: null });
    desktopDnd.now = true;
    expect(await s.invoke('desktopDnd.follow', { follow: true })).toEqual({ follow: true, desktop: true });
    expect(JSON.parse(await readFile(s.settingsPath, 'utf8'))).toMatchObject({ followDesktopDnd: true });
    await expect(s.invoke('desktopDnd.follow', { follow: 'yes' })).rejects.toThrow(
      'invalid payload: follow: ',
    );
  });
});

describe('lifecycle', () => {
  it('reconnect() tells the app why', async () => {
    const s = await setup();
    s.shell.reconnect('network');
    expect(s.main.webContents.sentOn(channel('reconnect'))).toEqual([{ reason: 'network' }]);
  });

  it('act() with a call to confirm (from a link) brings the window forward, where the app asks', async () => {
    const s = await setup();
    s.shell.act({ type: 'confirm-call', username: 'alice', media: 'video' });
    expect(s.showMainWindow).toHaveBeenCalledTimes(1);
    expect(s.main.visible).toBe(true);
    expect(s.actions()).toEqual([{ type: 'confirm-call', username: 'alice', media: 'video' }]);
  });

  it('act() with no main window does nothing', async () => {
    const s = await setup();
    s.main.destroy();
    s.shell.act({ type: 'hangup' });
    s.shell.reconnect('resume');
    expect(s.showMainWindow).not.toHaveBeenCalled();
  });

  it('dispose() unregisters shortcuts, closes the incoming window and removes the tray', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ ringing: alice }));
    const incoming = s.others()[0]!;
    s.shell.dispose();
    expect(fake.globalShortcut.registered.size).toBe(0);
    expect(incoming.calls).toContain('close');
    expect(s.tray.isDestroyed()).toBe(true);
  });
});

describe('what the windows report for the log (log.error, log.call)', () => {
  it('a call that ended is one line: how it ended and its setup stages in order; a failure as an error', async () => {
    const s = await setup();
    await s.invoke('log.call', {
      callId: CALL_1,
      reason: 'completed',
      stages: { accepted: 2310, 'invite-sent': 0, ringing: 140, 'first-audio': 2890 },
    });
    await s.invoke('log.call', { callId: null, reason: 'failed', code: 'E_MEDIA_DENIED', stages: {} });
    expect(s.log).toHaveBeenCalledWith(
      `call ${CALL_1} ended: completed; setup: invite-sent 0 ms, ringing 140 ms, accepted 2310 ms, first-audio 2890 ms`,
    );
    expect(s.logError.mock.calls).toEqual([
      ['call (not yet numbered) ended: failed (E_MEDIA_DENIED); setup: none'],
    ]);
  });

  it('log.call: only from the main window, and only well-formed', async () => {
    const s = await setup();
    await s.invoke('shell.state', state({ ringing: alice }));
    const incoming = s.others()[0]!;
    incoming.webContents.finishLoad();
    const report = { callId: CALL_1, reason: 'completed', stages: {} };
    await expect(s.invoke('log.call', report, INCOMING_PAGE, incoming)).rejects.toThrow(
      'channel not allowed for this window',
    );
    for (const bad of [
      { ...report, callId: 'c1\n[error] a line of its own' }, // only a call id as the server makes them
      { ...report, reason: 'completed; token=x' },
      { ...report, code: 'rm -rf' },
      { ...report, stages: { 'invite-sent': -1 } },
      { ...report, stages: { 'Invite Sent': 1 } },
      { ...report, extra: true },
    ])
      await expect(s.invoke('log.call', bad)).rejects.toThrow('invalid payload');
    expect(s.log).not.toHaveBeenCalledWith(expect.stringMatching(/^call /));
    expect(s.logError).not.toHaveBeenCalled();
  });

  it('go to the log as errors, naming the window they came from', async () => {
    const s = await setup();
    await s.invoke('log.error', {
      message: 'error: TypeError: x is undefined\n    at f (app://parley/a.js:1:2)',
    });
    await s.invoke('shell.state', state({ ringing: alice }));
    const incoming = s.others()[0]!;
    incoming.webContents.finishLoad();
    await s.invoke('log.error', { message: 'unhandled rejection: boom' }, INCOMING_PAGE, incoming);
    expect(s.logError.mock.calls).toEqual([
      ['renderer (main window): error: TypeError: x is undefined\n    at f (app://parley/a.js:1:2)'],
      ['renderer (incoming-call window): unhandled rejection: boom'],
    ]);
  });

  it('at most 20 a minute from a window: the first one over says so, the rest are dropped', async () => {
    const s = await setup();
    for (let i = 0; i < 25; i++) await s.invoke('log.error', { message: `error ${i}` });
    expect(s.logError).toHaveBeenCalledTimes(21);
    expect(s.logError.mock.calls.at(19)).toEqual(['renderer (main window): error 19']);
    expect(s.logError.mock.calls.at(20)).toEqual([
      'renderer (main window): more than 20 errors this minute; the rest are not logged',
    ]);
  });

  it('an empty, oversized or malformed report is refused and logs nothing', async () => {
    const s = await setup();
    for (const bad of [
      { message: '' },
      { message: 'x'.repeat(4001) },
      { message: 1 },
      'boom',
      { message: 'a', extra: 1 },
    ])
      await expect(s.invoke('log.error', bad)).rejects.toThrow('invalid payload');
    expect(s.logError).not.toHaveBeenCalled();
  });
});
