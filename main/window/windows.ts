/**
 * The app's windows: the main window and the always-on-top incoming-call
 * window, both loading the built renderer from app://parley with the same
 * locked-down web preferences.
 */
import { BrowserWindow, screen, type BrowserWindowConstructorOptions } from 'electron';
import { join } from 'node:path';
import { channel, SERVER_URL_SWITCH } from '../ipc/contract.js';
import { type RingingCall } from '../../shared/app-shell.js';
import type { IncomingWindow, IncomingWindowFactory } from '../ringing/incoming-window.js';
import { APP_ORIGIN } from '../security/permissions.js';

export const preloadPath = (): string => join(__dirname, 'preload.cjs');

/**
 * Every Parley window: the preload bridge, context isolation, the sandbox and no Node, whatever the
 * caller passes. The preferences are written out here (not spread in) so that scanners can read them.
 */
function secureWindow(
  options: BrowserWindowConstructorOptions,
  serverUrl: string | undefined,
): BrowserWindow {
  return new BrowserWindow({
    ...options,
    webPreferences: {
      // The bridge exposes named actions only (main/preload.ts). Reviewed:
      preload: preloadPath(), // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // A call goes on while the window is hidden in the tray: its timers must not be throttled.
      backgroundThrottling: false,
      disableBlinkFeatures: 'Auxclick',
      additionalArguments: serverUrl ? [`${SERVER_URL_SWITCH}${serverUrl}`] : [],
    },
  });
}

export function createMainWindow(serverUrl: string | undefined): BrowserWindow {
  const win = secureWindow(
    {
      width: 1120,
      height: 780,
      minWidth: 420,
      minHeight: 520,
      show: false,
      title: 'Parley',
      backgroundColor: '#10131a',
    },
    serverUrl,
  );
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

const INCOMING_SIZE = { width: 380, height: 250 };

/** Incoming-call windows: bottom right of the screen the pointer is on, shown without taking focus. */
export function incomingWindowFactory(serverUrl: string | undefined): IncomingWindowFactory {
  return {
    create(): IncomingWindow {
      const { workArea } = screen.getDisplayNearestPoint(screen.getCursorScreenPoint());
      const win = secureWindow(
        {
          ...INCOMING_SIZE,
          x: workArea.x + workArea.width - INCOMING_SIZE.width - 16,
          y: workArea.y + workArea.height - INCOMING_SIZE.height - 16,
          show: false,
          frame: false,
          resizable: false,
          minimizable: false,
          maximizable: false,
          fullscreenable: false,
          skipTaskbar: true,
          alwaysOnTop: true,
          title: 'Incoming call - Parley',
        },
        serverUrl,
      );
      win.setAlwaysOnTop(true, 'screen-saver');
      win.setVisibleOnAllWorkspaces(true);
      const loaded = win.loadURL(`${APP_ORIGIN}/incoming.html`);
      return {
        showInactive: () => win.showInactive(),
        close: () => {
          if (!win.isDestroyed()) win.close();
        },
        isDestroyed: () => win.isDestroyed(),
        sendCall: (call: RingingCall) =>
          void loaded.then(
            () => {
              if (!win.isDestroyed()) win.webContents.send(channel('incoming.call'), call);
            },
            () => undefined, // closed before its page loaded (ringing stopped): nothing to show
          ),
        onClosed: (cb) => win.once('closed', cb),
        hasContents: (contents) => !win.isDestroyed() && contents === win.webContents,
      };
    },
  };
}
