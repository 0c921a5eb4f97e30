/**
 * The Electron main process: one instance, the app:// renderer, security
 * policies, the main window (closing it keeps Parley in the tray, or on a
 * Linux desktop without one minimises it), the autostart entry, deep
 * links, and the desktop shell. Logic lives in the modules it wires.
 */
import { app, BrowserWindow, Notification, powerMonitor, safeStorage, systemPreferences } from 'electron';
import { join } from 'node:path';
import { DesktopDndWatch } from './linux/desktop-dnd.js';
import { TrayHostWatch, WATCHER, trayStatus, windowCloseAction } from './linux/tray-host.js';
import { applyStartAtLogin } from './login-item.js';
import { createAppLog } from './logging/app-log.js';
import { deepLinkFromArgv, parseDeepLink, protocolClientArgs, PROTOCOL_SCHEME } from './deeplinks/parse.js';
import { SESSION_FILE, TokenVault } from './session/token-vault.js';
import { SettingsStore } from './settings/store.js';
import { platformNotifier } from './ringing/platform-notifier.js';
import { DesktopShell } from './shell.js';
import { createMainWindow, incomingWindowFactory } from './window/windows.js';
import { lockDownSessions, registerAppScheme, serveRenderer } from './window/security.js';

const rendererDir = join(__dirname, '..', 'renderer');
const serverUrl = process.env.PARLEY_SERVER_URL || undefined;
/** Main's log: the log file (logging/app-log.ts, no secrets) and the console. */
const appLog = createAppLog({ dir: app.getPath('logs') });
const log = (message: string) => appLog.info(message);

let mainWindow: BrowserWindow | null = null;
let shell: DesktopShell | null = null;
let quitting = false;
/** Linux: whether a tray host shows Parley's icon; null until known (or without a session bus). */
let trayHost: TrayHostWatch | null = null;
/** Linux: whether the desktop is in do-not-disturb (followed when the setting is on). */
let desktopDnd: DesktopDndWatch | null = null;
/** A link macOS delivered (open-url) before the shell was up, e.g. the one that launched Parley. */
let earlyUrl: string | null = null;
const settings = new SettingsStore(join(app.getPath('userData'), 'settings.json'), {
  logger: { warn: (message) => log(message) },
});

function showMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/**
 * Closing the window keeps Parley running in the tray; the first time, it says so. On Linux without a
 * tray to show it (linux/tray-host.ts) the window is minimised instead, so it stays reachable, and the
 * first time a hint says how to get a tray.
 */
function keepInTray(win: BrowserWindow): void {
  win.on('close', (event) => {
    if (quitting) return;
    event.preventDefault();
    if (windowCloseAction(process.platform, trayHost?.hasHost ?? null) === 'minimize') {
      win.minimize();
      return hintOnce(
        'noTrayHintShown',
        'Parley has no tray icon here',
        'Closing the window minimises Parley; calls still ring. On GNOME, the AppIndicator extension adds a tray.',
      );
    }
    win.hide();
    hintOnce('closeToTrayHintShown', 'Parley is still running', 'Calls still ring. Quit from the tray icon.');
  });
}

/** A notification shown once ever: the settings file remembers it. */
function hintOnce(shown: 'closeToTrayHintShown' | 'noTrayHintShown', title: string, body: string): void {
  if (settings.current()[shown] || !Notification.isSupported()) return;
  new Notification({ title, body }).show();
  settings.update({ [shown]: true }).catch((err: unknown) => log(`settings not saved: ${String(err)}`));
}

function watchTrayHost(): void {
  const say = (present: boolean) =>
    log(
      present
        ? 'a tray host is on the session bus: closing the window keeps Parley in the tray'
        : `no tray host on the session bus (${WATCHER}): closing the window minimises Parley`,
    );
  TrayHostWatch.start(say).then(
    (watch) => {
      trayHost = watch;
      say(watch.hasHost);
    },
    (err: unknown) => log(`tray host unknown (${String(err)}): closing the window minimises Parley`),
  );
}

function watchDesktopDnd(): void {
  const say = (dnd: boolean | null) =>
    log(`desktop do not disturb: ${dnd === null ? 'cannot be read here' : dnd ? 'on' : 'off'}`);
  // Never rejects: a desktop where it cannot be read says so through `say(null)`.
  void DesktopDndWatch.start({ onChange: say, log }).then((watch) => {
    desktopDnd = watch;
    say(watch.dnd);
  });
}

/** Acts on a link now, or once the page has loaded (before that, nobody in the page would hear it). */
function handleDeepLink(link: ReturnType<typeof parseDeepLink>): void {
  if (!link) return;
  const contents = mainWindow?.webContents;
  if (contents?.isLoading()) contents.once('did-finish-load', () => shell?.act(link));
  else shell?.act(link);
}

async function askForMediaAccess(): Promise<void> {
  if (process.platform !== 'darwin') return;
  for (const media of ['microphone', 'camera'] as const) {
    if (systemPreferences.getMediaAccessStatus(media) === 'not-determined')
      await systemPreferences.askForMediaAccess(media);
  }
}

async function start(): Promise<void> {
  await settings.load();
  // Linux: the autostart entry follows the setting and this copy's path (an AppImage may have moved).
  if (process.platform === 'linux')
    applyStartAtLogin(settings.current().startAtLogin, app).catch((err: unknown) =>
      log(`start at login not updated: ${String(err)}`),
    );
  serveRenderer(rendererDir);
  lockDownSessions();
  await askForMediaAccess();

  // Links arrive as untrusted text: deeplinks/parse.ts accepts only `parley://call/<username>` (and `tel:`
  // when the person opted in), and the `--` in protocolClientArgs stops argument injection. Reviewed:
  const devAppPath = process.defaultApp ? app.getAppPath() : undefined;
  const clientArgs = protocolClientArgs(devAppPath);
  app.setAsDefaultProtocolClient(PROTOCOL_SCHEME, process.execPath, clientArgs); // eng-disable PROTOCOL_HANDLER_JS_CHECK
  const telScheme = settings.current().telLinks ? 'tel' : null;
  if (telScheme) app.setAsDefaultProtocolClient(telScheme, process.execPath, clientArgs); // eng-disable PROTOCOL_HANDLER_JS_CHECK

  if (process.platform === 'linux') {
    watchTrayHost();
    watchDesktopDnd();
  }

  mainWindow = createMainWindow(serverUrl);
  keepInTray(mainWindow);
  mainWindow.on('closed', () => (mainWindow = null));
  shell = new DesktopShell({
    mainWindow: () => mainWindow,
    showMainWindow,
    incomingWindows: incomingWindowFactory(serverUrl),
    notifier: (handlers) => platformNotifier(handlers, { iconPath: join(rendererDir, 'app-icon.png'), log }),
    settings,
    session: new TokenVault(join(app.getPath('userData'), SESSION_FILE), safeStorage, {
      platform: process.platform,
      log,
    }),
    trayIconDir: join(rendererDir, 'tray'),
    trayStatus: () => trayStatus(process.platform, trayHost?.hasHost ?? null),
    ...(process.platform === 'linux' ? { desktopDnd: () => desktopDnd?.dnd ?? null } : {}),
    logsDir: appLog.dir,
    quit: () => {
      quitting = true;
      app.quit();
    },
    log,
    logError: (message) => appLog.error(message),
  });

  powerMonitor.on('resume', () => shell?.reconnect('resume'));
  powerMonitor.on('unlock-screen', () => shell?.reconnect('unlock'));

  // A link the app was started with (Windows and Linux pass it in argv; macOS sent it before ready).
  const linkOptions = { telLinks: settings.current().telLinks };
  const link =
    deepLinkFromArgv(process.argv, linkOptions) ??
    (earlyUrl === null ? null : parseDeepLink(earlyUrl, linkOptions));
  earlyUrl = null;
  handleDeepLink(link);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerAppScheme();
  app.on('second-instance', (_event, argv) => {
    showMainWindow();
    handleDeepLink(deepLinkFromArgv(argv, { telLinks: settings.current().telLinks }));
  });
  app.on('open-url', (event, url) => {
    event.preventDefault(); // macOS delivers links here, the one that launched Parley before `ready`
    if (!shell) earlyUrl = url;
    else handleDeepLink(parseDeepLink(url, { telLinks: settings.current().telLinks }));
  });
  app.on('activate', showMainWindow);
  app.on('before-quit', () => (quitting = true));
  app.on('will-quit', () => {
    shell?.dispose();
    trayHost?.stop();
    desktopDnd?.stop();
  });
  app.on('window-all-closed', () => {
    /* stay in the tray */
  });
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      console.error(err);
      app.exit(1);
    });
}
