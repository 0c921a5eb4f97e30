// Wiring tests for the Electron main process entry (main/index.ts) and what it installs
// (window/security.ts, window/windows.ts, the DesktopShell), run against a recording fake of Electron's
// main-process API. Each test boots a fresh copy of main/index.ts (vi.resetModules) on a fresh fake and a
// temporary user-data folder, lets `whenReady` resolve and waits for startup to finish.
//
// The fake is main/test-support/fake-electron.ts (shared with main/shell.test.ts).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { channel } from './ipc/contract.js';
import { CONTENT_SECURITY_POLICY } from './security/csp.js';
import type { FakeBrowserWindow as FakeWindow } from './test-support/fake-electron.js';
import { FakeNotificationServer } from './test-support/fake-notification-server.js';
import { FakeStatusNotifierWatcher } from './test-support/fake-status-notifier-watcher.js';
import { privateBusUnavailable, startPrivateBus } from './test-support/private-bus.js';

// ---- The fake Electron ----------------------------------------------------------------------------------

// Loaded through vi.hoisted so that vi.mock hands main/ the very object the tests drive, also after
// vi.resetModules().
const { electronModule, fake } = await vi.hoisted(() => import('./test-support/fake-electron.js'));

vi.mock('electron', () => electronModule);

// ---- Helpers --------------------------------------------------------------------------------------------

const SERVER = 'https://parley.example';
/** index.ts serves `<its folder>/../renderer`: dist/renderer in the bundle (dist/main/index.cjs), renderer/ here. */
const RENDERER_DIR = fileURLToPath(new URL('../renderer', import.meta.url));
const DIST_RENDERER_DIR = fileURLToPath(new URL('../dist/renderer', import.meta.url));

/** Lets queued microtasks and immediates run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

const realPlatform = Object.getOwnPropertyDescriptor(process, 'platform')!;
const realArgv = process.argv;
const realServerUrl = process.env.PARLEY_SERVER_URL;
const realBusAddress = process.env.DBUS_SESSION_BUS_ADDRESS;
const realXdgConfigHome = process.env.XDG_CONFIG_HOME;
const realAppImage = process.env.APPIMAGE;
let dir = '';

afterEach(async () => {
  Object.defineProperty(process, 'platform', realPlatform);
  process.argv = realArgv;
  if (realServerUrl === undefined) delete process.env.PARLEY_SERVER_URL;
  else process.env.PARLEY_SERVER_URL = realServerUrl;
  for (const [name, value] of [
    ['DBUS_SESSION_BUS_ADDRESS', realBusAddress],
    ['XDG_CONFIG_HOME', realXdgConfigHome],
    ['APPIMAGE', realAppImage],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  delete (process as { defaultApp?: boolean }).defaultApp;
  vi.restoreAllMocks();
  // Startup's fire-and-forget work (the tray host and desktop do-not-disturb watches) may still be writing
  // a log line into logs/ as the folder goes: rm then meets ENOTEMPTY, and tries again.
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  dir = '';
});

interface BootOptions {
  platform?: NodeJS.Platform;
  /** requestSingleInstanceLock's answer. */
  lock?: boolean;
  /** process.argv when startup reads it. */
  argv?: string[];
  /** Written to settings.json before startup. */
  settingsFile?: unknown;
  /** Running unpackaged (`electron .`). */
  defaultApp?: boolean;
  /** Runs after the module is imported, before `ready`. */
  beforeReady?: () => void;
  /** False: stop before `ready`. */
  ready?: boolean;
  /** The session bus (Linux notifications); none by default, so a desktop running the tests is left alone. */
  busAddress?: string;
  /** Running from an AppImage (its path, as the AppImage runtime sets APPIMAGE). */
  appImage?: string;
}

/** Imports a fresh main/index.ts against a fresh fake, then (by default) makes the app ready and waits for startup. */
async function boot(options: BootOptions = {}) {
  vi.resetModules();
  fake.reset();
  Object.defineProperty(process, 'platform', { ...realPlatform, value: options.platform ?? 'linux' });
  dir = await mkdtemp(join(tmpdir(), 'parley-main-'));
  fake.app.paths = { userData: dir, home: dir, temp: tmpdir(), logs: join(dir, 'logs') };
  fake.app.singleInstanceLock = options.lock ?? true;
  if (options.settingsFile !== undefined) {
    await writeFile(join(dir, 'settings.json'), JSON.stringify(options.settingsFile));
  }
  if (options.defaultApp) (process as { defaultApp?: boolean }).defaultApp = true;
  process.env.PARLEY_SERVER_URL = SERVER;
  process.env.DBUS_SESSION_BUS_ADDRESS = options.busAddress ?? '';
  // The autostart entry goes to the temporary home, never the real one of whoever runs the tests.
  process.env.XDG_CONFIG_HOME = join(dir, 'config');
  if (options.appImage === undefined) delete process.env.APPIMAGE;
  else process.env.APPIMAGE = options.appImage;
  // The same (fresh) module index.ts is about to import: its updates can be awaited.
  const { SettingsStore } = await import('./settings/store.js');
  const updates = vi.spyOn(SettingsStore.prototype, 'update');
  const consoleLog = vi.spyOn(console, 'log').mockImplementation(() => undefined);

  await import('./index.js');
  options.beforeReady?.();
  if (options.ready !== false) {
    if (options.argv) process.argv = options.argv;
    fake.app.markReady();
    await fake.app.settled();
    process.argv = realArgv;
  }

  const main = (): FakeWindow => {
    const win = fake.BrowserWindow.all[0];
    if (!win) throw new Error('no main window');
    return win;
  };
  return {
    main,
    updates,
    consoleLog,
    settingsPath: join(dir, 'settings.json'),
    /** Actions the main window's page received. */
    actions: () => main().webContents.sentOn(channel('action')),
    tray: () => fake.Tray.all[0]!,
    hints: () => fake.Notification.all.filter((n) => n.options.title === 'Parley is still running'),
    noTrayHints: () =>
      fake.Notification.all.filter((n) => n.options.title === 'Parley has no tray icon here'),
  };
}

const serve = (url: string): Promise<Response> => {
  const handler = fake.protocol.handlers.get('app');
  if (!handler) throw new Error('app: is not handled');
  return Promise.resolve(handler(new Request(url)));
};

// ---- Tests ----------------------------------------------------------------------------------------------

describe('before ready', () => {
  it('takes the single-instance lock and registers app: as a privileged scheme, and nothing else yet', async () => {
    await boot({ ready: false });
    expect(fake.calls('app.requestSingleInstanceLock')).toHaveLength(1);
    const registrations = fake.calls('protocol.registerSchemesAsPrivileged');
    expect(registrations).toHaveLength(1);
    const [schemes, when] = registrations[0] as [
      { scheme: string; privileges: Record<string, boolean> }[],
      unknown,
    ];
    expect(when).toEqual({ ready: false });
    expect(schemes).toHaveLength(1);
    expect(schemes[0]).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } });
    expect(schemes[0]!.privileges.bypassCSP).toBeUndefined();
    expect(fake.BrowserWindow.all).toEqual([]);
    expect(fake.Tray.all).toEqual([]);
    expect(fake.protocol.handlers.size).toBe(0);
    expect(fake.calls('app.quit')).toEqual([]);
  });

  it('without the lock (Parley already runs) it quits and never opens a window', async () => {
    await boot({ lock: false, ready: false });
    expect(fake.calls('app.quit')).toHaveLength(1);
    expect(fake.calls('protocol.registerSchemesAsPrivileged')).toEqual([]);
    expect(fake.app.listenerCount('second-instance')).toBe(0);
    fake.app.markReady();
    await fake.app.settled();
    await flush();
    expect(fake.app.readyChains).toEqual([]);
    expect(fake.BrowserWindow.all).toEqual([]);
    expect(fake.Tray.all).toEqual([]);
    expect(fake.calls('app.setAsDefaultProtocolClient')).toEqual([]);
  });
});

describe('startup', () => {
  it('installs permission handlers that grant media to app://parley only', async () => {
    await boot();
    const request = fake.defaultSession.requestHandler!;
    const check = fake.defaultSession.checkHandler!;
    expect(request).toBeTypeOf('function');
    expect(check).toBeTypeOf('function');

    const ask = (permission: string, requestingUrl: string, isMainFrame = true) => {
      const callback = vi.fn();
      request({}, permission, callback, { requestingUrl, isMainFrame });
      expect(callback).toHaveBeenCalledTimes(1);
      return callback.mock.calls[0]![0] as boolean;
    };
    expect(ask('media', 'app://parley/index.html')).toBe(true);
    expect(ask('media', 'app://parley/incoming.html')).toBe(true);
    expect(ask('notifications', 'app://parley/index.html')).toBe(true);
    expect(ask('media', 'https://evil.example/')).toBe(false);
    expect(ask('media', 'app://parley.evil/index.html')).toBe(false);
    expect(ask('media', 'app://parley/index.html', false)).toBe(false);
    expect(ask('geolocation', 'app://parley/index.html')).toBe(false);
    expect(ask('display-capture', 'app://parley/index.html')).toBe(false); // nothing shares the screen yet
    expect(ask('openExternal', 'app://parley/index.html')).toBe(false);

    expect(check(null, 'media', 'app://parley', { isMainFrame: true })).toBe(true);
    expect(check(null, 'media', 'https://evil.example', { isMainFrame: true })).toBe(false);
    expect(check(null, 'media', 'app://parley', { embeddingOrigin: 'https://evil.example' })).toBe(false);
    expect(check(null, 'clipboard-read', 'app://parley', {})).toBe(false);
    expect(check(null, 'display-capture', 'app://parley', {})).toBe(false);
  });

  it('lets app://parley use telephony headsets through WebHID, and no other HID device or origin', async () => {
    await boot();
    const check = fake.defaultSession.checkHandler!;
    const allowed = fake.defaultSession.deviceHandler!;
    const headset = {
      deviceId: 'h1',
      name: 'Jabra',
      collections: [{ usagePage: 0x0c }, { usagePage: 0x0b }],
    };
    const keyboard = { deviceId: 'k1', name: 'Keyboard', collections: [{ usagePage: 0x01 }] };
    expect(check(null, 'hid', 'app://parley', {})).toBe(true);
    expect(check(null, 'hid', 'https://evil.example', {})).toBe(false);
    expect(allowed({ deviceType: 'hid', origin: 'app://parley', device: headset })).toBe(true);
    expect(allowed({ deviceType: 'hid', origin: 'app://parley', device: keyboard })).toBe(false);
    expect(allowed({ deviceType: 'hid', origin: 'https://evil.example', device: headset })).toBe(false);
    expect(allowed({ deviceType: 'usb', origin: 'app://parley', device: headset })).toBe(false);

    const pick = (url: string | null, deviceList: unknown[]) => {
      const event = { preventDefault: vi.fn() };
      const callback = vi.fn();
      fake.defaultSession.selectHidDevice!(
        event,
        { deviceList, frame: url === null ? null : { url } },
        callback,
      );
      expect(event.preventDefault).toHaveBeenCalled(); // Electron's own choice would be none at all
      return callback.mock.calls[0]![0] as string | null;
    };
    expect(pick('app://parley/index.html', [keyboard, headset])).toBe('h1');
    expect(pick('app://parley/index.html', [keyboard])).toBeNull();
    expect(pick('https://evil.example/', [headset])).toBeNull();
    expect(pick(null, [headset])).toBeNull();
  });

  it('opens a locked-down main window on app://parley/index.html, told the server, shown once painted', async () => {
    await boot();
    expect(fake.BrowserWindow.all).toHaveLength(1);
    const main = fake.BrowserWindow.all[0]!;
    expect(main.options).toMatchObject({ show: false, title: 'Parley' });
    expect(main.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      additionalArguments: [`--parley-server-url=${SERVER}`],
    });
    expect(String(main.options.webPreferences?.preload)).toMatch(/preload\.cjs$/);
    expect(fake.calls('webContents.loadURL')).toEqual([['app://parley/index.html']]);
    expect(main.visible).toBe(false);
    main.webContents.finishLoad();
    expect(main.visible).toBe(true);
    // The tray and shortcuts are up.
    expect(fake.Tray.all).toHaveLength(1);
    expect(fake.Tray.all[0]!.image.path).toBe(join(RENDERER_DIR, 'tray', 'offline.png'));
    expect(fake.globalShortcut.registered.size).toBe(4);
  });

  it('registers parley: with a `--` sentinel as the last argument (and tel: only when enabled)', async () => {
    await boot();
    expect(fake.calls('app.setAsDefaultProtocolClient')).toEqual([['parley', process.execPath, ['--']]]);
  });

  it('unpackaged, the app path goes before the sentinel (quoted when it has spaces)', async () => {
    await boot({ defaultApp: true, beforeReady: () => (fake.app.appPath = '/home/me/My Apps/parley') });
    expect(fake.calls('app.setAsDefaultProtocolClient')).toEqual([
      ['parley', process.execPath, ['"/home/me/My Apps/parley"', '--']],
    ]);
  });

  it('registers tel: too when the settings say so', async () => {
    await boot({ settingsFile: { telLinks: true } });
    const registered = fake.calls('app.setAsDefaultProtocolClient');
    expect(registered.map((c) => c[0])).toEqual(['parley', 'tel']);
    expect((registered[1]![2] as string[]).at(-1)).toBe('--');
  });

  it('on macOS asks for microphone and camera access (when undecided) before opening the window', async () => {
    await boot({
      platform: 'darwin',
      beforeReady: () =>
        (fake.systemPreferences.mediaStatus = { microphone: 'not-determined', camera: 'denied' }),
    });
    expect(fake.calls('systemPreferences.askForMediaAccess')).toEqual([['microphone']]);
    const kinds = fake.log().map((e) => e.kind);
    expect(kinds.indexOf('systemPreferences.askForMediaAccess')).toBeLessThan(
      kinds.indexOf('BrowserWindow.new'),
    );
  });

  it('a failed startup is reported and ends the process', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await boot({
      // Something else already handles app: — protocol.handle throws.
      beforeReady: () => fake.protocol.handlers.set('app', () => new Response('')),
    });
    expect(error).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'Failed to register protocol: app' }),
    );
    expect(fake.calls('app.exit')).toEqual([[1]]);
    expect(fake.BrowserWindow.all).toEqual([]);
  });
});

describe('closing and quitting', () => {
  it('closing the window hides it instead of quitting, with a one-time "still running" notification', async () => {
    const s = await boot({ platform: 'win32' });
    const main = s.main();
    main.webContents.finishLoad();

    const event = { preventDefault: vi.fn() };
    main.emit('close', event);
    expect(event.preventDefault).toHaveBeenCalledTimes(1);
    expect(main.visible).toBe(false);
    expect(main.isDestroyed()).toBe(false);
    expect(s.hints()).toHaveLength(1);
    expect(s.hints()[0]!.shown).toBe(true);
    expect(s.hints()[0]!.options.body).toBe('Calls still ring. Quit from the tray icon.');

    // Remembered in the settings file...
    const hintUpdate = s.updates.mock.calls.findIndex(
      ([change]) => JSON.stringify(change) === '{"closeToTrayHintShown":true}',
    );
    expect(hintUpdate).toBeGreaterThanOrEqual(0);
    await s.updates.mock.results[hintUpdate]!.value;
    expect(JSON.parse(await readFile(s.settingsPath, 'utf8'))).toMatchObject({ closeToTrayHintShown: true });

    // ...so the next close (the title-bar button this time) hides without a second hint.
    main.show();
    main.close();
    await flush();
    expect(main.isDestroyed()).toBe(false);
    expect(main.visible).toBe(false);
    expect(s.hints()).toHaveLength(1);
    expect(fake.calls('app.quit')).toEqual([]);
  });

  it('no hint when it was shown in an earlier run', async () => {
    const s = await boot({ platform: 'win32', settingsFile: { closeToTrayHintShown: true } });
    s.main().close();
    await flush();
    expect(s.main().visible).toBe(false);
    expect(s.hints()).toEqual([]);
  });

  it('"Quit Parley" in the tray really quits: the window closes and the shell lets go', async () => {
    const s = await boot();
    const main = s.main();
    main.webContents.finishLoad();
    s.tray().menu!.click('Quit Parley');
    expect(fake.calls('app.quit')).toHaveLength(1);
    await flush();
    expect(main.isDestroyed()).toBe(true);
    expect(fake.app.quitted).toBe(true);
    expect(s.hints()).toEqual([]);
    expect(fake.globalShortcut.registered.size).toBe(0);
    expect(s.tray().isDestroyed()).toBe(true);
  });

  it('a quit from the OS (Cmd+Q, before-quit) is not blocked by the close-to-tray rule', async () => {
    const s = await boot();
    const main = s.main();
    fake.app.quit();
    await flush();
    expect(main.isDestroyed()).toBe(true);
    expect(s.hints()).toEqual([]);
    expect(fake.app.quitted).toBe(true);
  });
});

describe('deep links', () => {
  const hostileArgv = [
    ['parley', '--gpu-launcher=x'],
    ['parley', '--gpu-launcher=calc.exe', '--', 'parley://call/alice"'],
    ['parley', '--', '--gpu-launcher=x'],
    ['parley', '--', 'parley://call/alice', 'parley://call/bob'],
    ['parley', '--', 'parley://call/../../etc/passwd'],
    ['parley', '--', 'parley://call/alice?media=video&x=1'],
    ['parley', '--', 'tel:alice'],
    ['parley', '--', 'https://evil.example/'],
    ['parley', 'parley://call/alice', '--', 'https://evil.example/'],
  ];

  it('second-instance brings the window forward and asks the app to confirm a call to the linked user', async () => {
    const s = await boot();
    const main = s.main();
    main.webContents.finishLoad();
    main.minimize();
    main.hide();
    fake.app.emit(
      'second-instance',
      fake.electronEvent(),
      ['parley', '--', 'parley://call/alice?media=video'],
      '/',
      {},
    );
    expect(main.calls.slice(-5)).toEqual(['restore', 'show', 'focus', 'show', 'focus']);
    expect(main.visible).toBe(true);
    expect(main.minimized).toBe(false);
    expect(s.actions()).toEqual([{ type: 'confirm-call', username: 'alice', media: 'video' }]);
  });

  it('a link that arrives while the page is still loading is acted on once it has loaded', async () => {
    const s = await boot();
    const main = s.main();
    fake.app.emit('second-instance', fake.electronEvent(), ['parley', '--', 'parley://call/bob'], '/', {});
    expect(s.actions()).toEqual([]);
    main.webContents.finishLoad();
    expect(s.actions()).toEqual([{ type: 'confirm-call', username: 'bob', media: 'audio' }]);
  });

  it('second-instance with a hostile or ambiguous argv sends nothing', async () => {
    const s = await boot();
    s.main().webContents.finishLoad();
    for (const argv of hostileArgv) fake.app.emit('second-instance', fake.electronEvent(), argv, '/', {});
    expect(s.actions()).toEqual([]);
    expect(s.main().visible).toBe(true); // a second launch still shows the window
  });

  it('open-url (macOS) is handled: default prevented, the call to confirm sent; hostile URLs send nothing', async () => {
    const s = await boot();
    s.main().webContents.finishLoad();
    const event = fake.electronEvent();
    fake.app.emit('open-url', event, 'parley://call/bob');
    expect(event.defaultPrevented).toBe(true);
    expect(s.actions()).toEqual([{ type: 'confirm-call', username: 'bob', media: 'audio' }]);
    for (const url of [
      'parley://call/bob?media=video&media=audio',
      'parley://call/b',
      'parley://evil/bob',
      'parley://call/%2e%2e',
      'tel:bob',
      'javascript:alert(1)',
      `parley://call/${'b'.repeat(300)}`,
    ]) {
      fake.app.emit('open-url', fake.electronEvent(), url);
    }
    expect(s.actions()).toHaveLength(1);
  });

  it('tel: links ask to call when enabled', async () => {
    const s = await boot({ settingsFile: { telLinks: true } });
    s.main().webContents.finishLoad();
    fake.app.emit('open-url', fake.electronEvent(), 'tel:+1-555-0100');
    expect(s.actions()).toEqual([{ type: 'confirm-call', username: '15550100', media: 'audio' }]);
  });

  it('the link Parley was launched with (argv) is acted on once the page has loaded', async () => {
    const s = await boot({ argv: ['/opt/parley/parley', '--', 'parley://call/dave'] });
    expect(s.actions()).toEqual([]);
    s.main().webContents.finishLoad();
    expect(s.actions()).toEqual([{ type: 'confirm-call', username: 'dave', media: 'audio' }]);
  });

  it('a hostile launch argv is ignored', async () => {
    const s = await boot({ argv: ['/opt/parley/parley', '--gpu-launcher=x', '--', 'parley://call/dave"'] });
    s.main().webContents.finishLoad();
    expect(s.actions()).toEqual([]);
  });

  it('the link that launched Parley on macOS (open-url before ready) is acted on once the page has loaded', async () => {
    const s = await boot({
      platform: 'darwin',
      beforeReady: () => fake.app.emit('open-url', fake.electronEvent(), 'parley://call/carol?media=video'),
    });
    expect(s.actions()).toEqual([]);
    s.main().webContents.finishLoad();
    expect(s.actions()).toEqual([{ type: 'confirm-call', username: 'carol', media: 'video' }]);
  });
});

describe('every web contents is locked down', () => {
  it('subframes never navigate (will-frame-navigate); the main frame only to app pages', async () => {
    const s = await boot();
    const wc = s.main().webContents;
    for (const url of ['app://parley/index.html', 'app://parley/incoming.html', 'https://evil.example/']) {
      expect(wc.navigate('will-frame-navigate', url, { isMainFrame: false }), url).toBe(true);
    }
    expect(wc.navigate('will-frame-navigate', 'https://evil.example/')).toBe(true);
    expect(wc.navigate('will-frame-navigate', 'app://parley/index.html')).toBe(false);
  });

  it('navigation leaves the app pages never; webviews are refused', async () => {
    const s = await boot();
    const wc = s.main().webContents;
    expect(wc.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(wc.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(wc.navigate('will-navigate', 'app://parley/other.html')).toBe(true);
    expect(wc.navigate('will-navigate', 'app://parley/incoming.html')).toBe(false);
    expect(wc.navigate('will-navigate', 'app://parley/index.html#history')).toBe(false);
    expect(wc.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    const attach = fake.electronEvent();
    wc.emit('will-attach-webview', attach, {}, { src: 'https://evil.example/' });
    expect(attach.defaultPrevented).toBe(true);
  });

  it('window.open is always denied; only an allow-listed https link opens in the browser', async () => {
    const s = await boot();
    const wc = s.main().webContents;
    expect(wc.openWindow('https://parley.example/docs')).toEqual({ action: 'deny' });
    expect(wc.openWindow('https://evil.example/')).toEqual({ action: 'deny' });
    expect(wc.openWindow('http://parley.example/')).toEqual({ action: 'deny' });
    expect(wc.openWindow('app://parley/index.html')).toEqual({ action: 'deny' });
    expect(wc.openWindow('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(fake.calls('shell.openExternal')).toEqual([['https://parley.example/docs']]);
  });

  it('the incoming-call window is locked down too', async () => {
    const s = await boot();
    await fake.ipcMain.invoke(
      channel('shell.state'),
      'app://parley/index.html',
      {
        presence: 'online',
        ringing: {
          callId: 'c1'.padEnd(22, '_'),
          caller: { username: 'alice', displayName: 'Alice' },
          media: 'audio',
        },
        inCall: false,
        unseenMissedCalls: 0,
      },
      s.main().webContents,
    );
    const incoming = fake.BrowserWindow.all.find((w) => w !== s.main())!;
    expect(incoming.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      additionalArguments: [`--parley-server-url=${SERVER}`],
    });
    expect(incoming.webContents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(
      incoming.webContents.navigate('will-frame-navigate', 'app://parley/index.html', { isMainFrame: false }),
    ).toBe(true);
    expect(incoming.webContents.openWindow('https://evil.example/')).toEqual({ action: 'deny' });
  });
});

describe('the app: protocol', () => {
  it(`serves the renderer folder next to main's (index.html with the CSP); 404 for anything else`, async () => {
    await boot();
    expect(fake.calls('protocol.handle')).toEqual([['app']]);
    const res = await serve('app://parley/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(await readFile(join(RENDERER_DIR, 'index.html'), 'utf8'));
    expect(await (await serve('app://parley/')).text()).toBe(
      await readFile(join(RENDERER_DIR, 'index.html'), 'utf8'),
    );

    for (const url of [
      'app://parley/..%2fpackage.json', // would be the repository's package.json
      'app://parley/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'app://parley/..%5cpackage.json',
      'app://parley/%00index.html',
      'app://parley/main.tsx', // not a type the app serves
      'app://parley/missing.js',
      'app://evil/index.html',
      'app://parley.evil/index.html',
    ]) {
      const r = await serve(url);
      expect(r.status, url).toBe(404);
      expect(await r.text()).toBe('not found');
    }
  });

  it.skipIf(!existsSync(join(DIST_RENDERER_DIR, 'index.html')))(
    'serves the built dist/renderer: index.html and incoming.html with the CSP, assets, no way out',
    async () => {
      vi.resetModules();
      fake.reset();
      fake.app.markReady();
      const { serveRenderer } = await import('./window/security.js');
      serveRenderer(DIST_RENDERER_DIR);

      for (const page of ['index.html', 'incoming.html']) {
        const res = await serve(`app://parley/${page}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
        expect(await res.text()).toBe(await readFile(join(DIST_RENDERER_DIR, page), 'utf8'));
      }
      const script = (await readdir(join(DIST_RENDERER_DIR, 'assets'))).find((f) => f.endsWith('.js'));
      if (script) {
        const res = await serve(`app://parley/assets/${script}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      }
      expect((await serve('app://parley/..%2fmain%2findex.cjs')).status).toBe(404);
      expect((await serve('app://parley/..%2f..%2fpackage.json')).status).toBe(404);
    },
  );
});

describe('the session token', () => {
  const TOKEN = 'T'.repeat(43);
  const invoke = (s: Awaited<ReturnType<typeof boot>>, name: string, payload: unknown) =>
    fake.ipcMain.invoke(channel(name), 'app://parley/index.html', payload, s.main().webContents);

  it('is kept encrypted with safeStorage in session.bin in the user data folder', async () => {
    const s = await boot();
    await invoke(s, 'session.save', { token: TOKEN });
    expect(fake.calls('safeStorage.encryptStringAsync')).toHaveLength(1);
    const onDisk = await readFile(join(dir, 'session.bin'));
    expect(onDisk.toString('latin1')).not.toContain(TOKEN);
    expect(await invoke(s, 'session.load', {})).toBe(TOKEN);
    await invoke(s, 'session.clear', {});
    expect(existsSync(join(dir, 'session.bin'))).toBe(false);
  });

  it('on Linux without a keyring it is kept in memory only, and the log says so', async () => {
    const s = await boot({ beforeReady: () => (fake.safeStorage.keyStore = false) });
    await invoke(s, 'session.save', { token: TOKEN });
    expect(await invoke(s, 'session.load', {})).toBe(TOKEN);
    expect(existsSync(join(dir, 'session.bin'))).toBe(false);
    expect(s.consoleLog).toHaveBeenCalledWith(
      '[parley] the session is kept in memory only, so Parley asks to sign in after a restart: safeStorage has no OS key store',
    );
  });
});

describe('power events', () => {
  it('resume and unlock tell the app to reconnect', async () => {
    const s = await boot();
    fake.powerMonitor.emit('resume');
    fake.powerMonitor.emit('unlock-screen');
    expect(s.main().webContents.sentOn(channel('reconnect'))).toEqual([
      { reason: 'resume' },
      { reason: 'unlock' },
    ]);
  });
});

describe('Linux notifications over D-Bus', () => {
  const unavailable = privateBusUnavailable();
  if (unavailable) console.warn(`skipping the D-Bus notification wiring tests: ${unavailable}`);
  const ringing = (callId: string) => ({
    presence: 'online',
    ringing: { callId, caller: { username: 'alice', displayName: 'Alice' }, media: 'audio' },
    inCall: false,
    unseenMissedCalls: 0,
  });
  const idle = { presence: 'online', ringing: null, inCall: false, unseenMissedCalls: 0 };
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  /** Boots on Linux with a private bus whose notification server is the spec's test one. */
  async function bootWithServer() {
    const bus = await startPrivateBus();
    cleanup.push(() => bus.stop());
    const server = await FakeNotificationServer.start(bus.address);
    cleanup.push(() => server.stop());
    const s = await boot({ busAddress: bus.address });
    await vi.waitFor(() =>
      expect(s.consoleLog).toHaveBeenCalledWith('[parley] notifications with buttons through parley-test 1'),
    );
    const report = (state: unknown) =>
      fake.ipcMain.invoke(channel('shell.state'), 'app://parley/index.html', state, s.main().webContents);
    const shown = async (summary: string) => {
      await vi.waitFor(() => expect(server.open().find((n) => n.summary === summary)).toBeDefined());
      return server.open().find((n) => n.summary === summary)!;
    };
    return { ...s, server, report, shown };
  }

  it.skipIf(unavailable)(
    'Accept on the notification reaches the call like the window button; it goes when ringing stops',
    async () => {
      const s = await bootWithServer();
      const callId = 'c1'.padEnd(22, '_');
      await s.report(ringing(callId));
      const n = await s.shown('Incoming call');
      expect(n.actions.map(([key]) => key)).toEqual(['accept-audio', 'accept-video', 'decline', 'default']);
      expect(n.hints).toMatchObject({ urgency: 2 });
      expect(fake.Notification.all).toEqual([]); // not twice
      s.server.invoke(n.id, 'accept-video', { resident: true });
      await vi.waitFor(() => expect(s.actions()).toHaveLength(1));
      expect(s.actions()).toEqual([{ type: 'accept', callId, media: 'video' }]);
      expect(s.main().visible).toBe(true);
      await s.report({ ...idle, presence: 'busy', inCall: true }); // the app answered: ringing stopped
      await vi.waitFor(() => expect(s.server.open()).toEqual([]));
      expect(s.server.closeCalls).toEqual([n.id]);
    },
  );

  it.skipIf(unavailable)(
    'answered elsewhere, cancelled or missed: the notification goes; a missed call offers Call back',
    async () => {
      const s = await bootWithServer();
      const callId = 'c2'.padEnd(22, '_');
      await s.report(ringing(callId));
      const n = await s.shown('Incoming call');
      await s.report(idle); // whatever ended it, ringing stopped
      await vi.waitFor(() => expect(s.server.open()).toEqual([]));
      expect(s.server.closeCalls).toEqual([n.id]);

      await fake.ipcMain.invoke(
        channel('missed.notify'),
        'app://parley/index.html',
        { callId, caller: { username: 'alice', displayName: 'Alice' }, media: 'audio' },
        s.main().webContents,
      );
      const missed = await s.shown('Missed call');
      expect(missed.actions).toEqual([
        ['call-back', 'Call back'],
        ['default', 'Open Parley'],
      ]);
      s.server.invoke(missed.id, 'call-back');
      await vi.waitFor(() => expect(s.actions()).toHaveLength(1));
      expect(s.actions()).toEqual([{ type: 'call', username: 'alice', media: 'audio' }]);
      expect(s.actions()).not.toContainEqual(expect.objectContaining({ type: 'accept' }));
    },
  );

  it.skipIf(unavailable)('quitting withdraws a ringing notification', async () => {
    const s = await bootWithServer();
    await s.report(ringing('c3'.padEnd(22, '_')));
    const n = await s.shown('Incoming call');
    fake.app.emit('will-quit');
    await vi.waitFor(() => expect(s.server.closeCalls).toEqual([n.id]));
  });

  it('without a session bus, the notification is Electron’s (no buttons) and the log says why', async () => {
    const s = await boot();
    await vi.waitFor(() =>
      expect(s.consoleLog).toHaveBeenCalledWith(
        '[parley] notifications without buttons: no session bus (DBUS_SESSION_BUS_ADDRESS is not set)',
      ),
    );
    await fake.ipcMain.invoke(
      channel('shell.state'),
      'app://parley/index.html',
      ringing('c4'.padEnd(22, '_')),
      s.main().webContents,
    );
    expect(fake.Notification.all).toHaveLength(1);
    expect(fake.Notification.all[0]!.options).toMatchObject({ title: 'Incoming call', actions: [] });
  });
});

describe('start at login on Linux', () => {
  const entry = () => join(dir, 'config', 'autostart', 'parley.desktop');

  it('at start, the autostart entry is rewritten with the path of this copy (an AppImage that moved)', async () => {
    // boot makes the temporary home: the stale entry goes in before `ready`.
    await boot({
      settingsFile: { startAtLogin: true },
      appImage: '/home/a/Apps/Parley 0.2.AppImage',
      ready: false,
    });
    await mkdir(join(dir, 'config', 'autostart'), { recursive: true });
    await writeFile(entry(), 'Exec=/old/Parley.AppImage\n');
    fake.app.markReady();
    await fake.app.settled();
    await vi.waitFor(async () =>
      expect(await readFile(entry(), 'utf8')).toContain('\nExec="/home/a/Apps/Parley 0.2.AppImage"\n'),
    );
  });

  it('with the setting off, an entry left behind is removed', async () => {
    await boot({ ready: false });
    await mkdir(join(dir, 'config', 'autostart'), { recursive: true });
    await writeFile(entry(), 'Exec=/old/parley\n');
    fake.app.markReady();
    await fake.app.settled();
    await vi.waitFor(() => expect(existsSync(entry())).toBe(false));
  });
});

describe("the desktop's do not disturb, followed (KDE's Inhibited on the private bus)", () => {
  const unavailable = privateBusUnavailable();
  if (unavailable) console.warn(`skipping the desktop do-not-disturb wiring tests: ${unavailable}`);
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const ringing = (n: number) => ({
    presence: 'online',
    ringing: {
      callId: `c${n}`.padEnd(22, '_'),
      caller: { username: 'alice', displayName: 'Alice' },
      media: 'audio',
    },
    inCall: false,
    unseenMissedCalls: 0,
  });
  const idle = { presence: 'online', ringing: null, inCall: false, unseenMissedCalls: 0 };

  it.skipIf(unavailable)(
    'a call rings quietly while KDE is in do not disturb, and as usual once it is not',
    async () => {
      const bus = await startPrivateBus();
      cleanup.push(() => bus.stop());
      const server = await FakeNotificationServer.start(bus.address, undefined, { inhibited: true });
      cleanup.push(() => server.stop());
      const s = await boot({ busAddress: bus.address, settingsFile: { followDesktopDnd: true } });
      s.main().webContents.finishLoad();
      await vi.waitFor(() =>
        expect(s.consoleLog).toHaveBeenCalledWith('[parley] desktop do not disturb: on'),
      );
      const report = (state: unknown) =>
        fake.ipcMain.invoke(channel('shell.state'), 'app://parley/index.html', state, s.main().webContents);
      expect(
        await fake.ipcMain.invoke(
          channel('desktopDnd.load'),
          'app://parley/index.html',
          {},
          s.main().webContents,
        ),
      ).toEqual({ follow: true, desktop: true });

      await report(ringing(1));
      expect(fake.BrowserWindow.all).toHaveLength(1); // no incoming-call window
      expect(s.main().webContents.isAudioMuted()).toBe(true);
      expect(s.tray().image.path).toMatch(/ringing\.png$/);
      await report(idle);
      expect(s.main().webContents.isAudioMuted()).toBe(false);
      expect(server.shown).toEqual([]);

      server.setInhibited(false);
      await vi.waitFor(() =>
        expect(s.consoleLog).toHaveBeenCalledWith('[parley] desktop do not disturb: off'),
      );
      await report(ringing(2));
      expect(fake.BrowserWindow.all).toHaveLength(2);
      expect(s.main().webContents.isAudioMuted()).toBe(false);
      await vi.waitFor(() => expect(server.open().map((n) => n.summary)).toEqual(['Incoming call']));
    },
  );
});

describe('closing the window on Linux follows the tray host', () => {
  const unavailable = privateBusUnavailable();
  if (unavailable) console.warn(`skipping the tray host wiring tests: ${unavailable}`);
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function bootOnBus({ panel }: { panel: boolean }) {
    const bus = await startPrivateBus();
    cleanup.push(() => bus.stop());
    const watcher = panel ? await FakeStatusNotifierWatcher.start(bus.address) : null;
    if (watcher) cleanup.push(() => watcher.stop());
    const s = await boot({ busAddress: bus.address });
    s.main().webContents.finishLoad();
    // What Settings is told of the tray icon.
    const trayStatus = () =>
      fake.ipcMain.invoke(channel('tray.status'), 'app://parley/index.html', {}, s.main().webContents);
    return { ...s, watcher, trayStatus };
  }

  it.skipIf(unavailable)(
    'without a tray host (stock GNOME) it minimises, and says once how to get a tray',
    async () => {
      const s = await bootOnBus({ panel: false });
      await vi.waitFor(() =>
        expect(s.consoleLog).toHaveBeenCalledWith(
          '[parley] no tray host on the session bus (org.kde.StatusNotifierWatcher): closing the window minimises Parley',
        ),
      );
      expect(await s.trayStatus()).toBe('missing');
      s.main().close();
      await flush();
      expect(s.main().isDestroyed()).toBe(false);
      expect(s.main().isMinimized()).toBe(true);
      expect(s.main().visible).toBe(true);
      expect(s.hints()).toEqual([]);
      // Once, it says why and how to get a tray; the settings file remembers that it did.
      expect(s.noTrayHints().map((n) => [n.shown, n.options.body])).toEqual([
        [
          true,
          'Closing the window minimises Parley; calls still ring. On GNOME, the AppIndicator extension adds a tray.',
        ],
      ]);
      await vi.waitFor(async () =>
        expect(JSON.parse(await readFile(s.settingsPath, 'utf8'))).toMatchObject({ noTrayHintShown: true }),
      );
      s.main().restore();
      s.main().close();
      await flush();
      expect(s.noTrayHints()).toHaveLength(1);
    },
  );

  it.skipIf(unavailable)(
    'with a tray host it hides into the tray; when the panel goes, it minimises',
    async () => {
      const s = await bootOnBus({ panel: true });
      await vi.waitFor(() =>
        expect(s.consoleLog).toHaveBeenCalledWith(
          '[parley] a tray host is on the session bus: closing the window keeps Parley in the tray',
        ),
      );
      expect(await s.trayStatus()).toBe('shown');
      s.main().close();
      await flush();
      expect(s.main().visible).toBe(false);
      expect(s.main().isMinimized()).toBe(false);
      expect(s.hints()).toHaveLength(1);

      s.watcher!.stop();
      await vi.waitFor(() =>
        expect(s.consoleLog).toHaveBeenCalledWith(
          '[parley] no tray host on the session bus (org.kde.StatusNotifierWatcher): closing the window minimises Parley',
        ),
      );
      expect(await s.trayStatus()).toBe('missing');
      s.main().show();
      s.main().close();
      await flush();
      expect(s.main().isMinimized()).toBe(true);
    },
  );

  it('without a session bus it minimises, and the log says why', async () => {
    const s = await boot();
    await vi.waitFor(() =>
      expect(s.consoleLog).toHaveBeenCalledWith(
        '[parley] tray host unknown (Error: no session bus (DBUS_SESSION_BUS_ADDRESS is not set)): closing the window minimises Parley',
      ),
    );
    s.main().close();
    await flush();
    expect(s.main().isMinimized()).toBe(true);
    expect(s.hints()).toEqual([]);
  });
});

describe('the log file', () => {
  it('main writes its log to main.log in the logs folder, as well as the console', async () => {
    const s = await boot();
    await vi.waitFor(() =>
      expect(s.consoleLog).toHaveBeenCalledWith(
        '[parley] notifications without buttons: no session bus (DBUS_SESSION_BUS_ADDRESS is not set)',
      ),
    );
    expect(await readFile(join(dir, 'logs', 'main.log'), 'utf8')).toContain(
      '[info]  notifications without buttons: no session bus (DBUS_SESSION_BUS_ADDRESS is not set)\n',
    );
  });
});
