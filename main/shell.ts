/**
 * The desktop shell around the call app: it keeps the state the app reports (shell.state: presence, the
 * ringing call, the call, missed calls) and redraws the OS from it: the incoming-call window, ringing
 * notification, tray, badge, global shortcuts and the power-save blocker. Ringing starts and stops only
 * when that state's ringing call changes. Actions taken in any of them go to the app.
 */
import {
  app,
  globalShortcut,
  ipcMain,
  powerSaveBlocker,
  shell as electronShell,
  type BrowserWindow,
  type WebContents,
} from 'electron';
import type { WindowRole } from './ipc/contract.js';
import type {
  DesktopDndStatus,
  PlatformAction,
  RecentCall,
  RingingCall,
  ShellState,
  TrayStatus,
} from '../shared/app-shell.js';
import { registerIpc } from './ipc/handlers.js';
import { applyStartAtLogin } from './login-item.js';
import { callLine } from './logging/call-line.js';
import { RendererErrors } from './logging/renderer-errors.js';
import { IncomingCallWindows, type IncomingWindowFactory } from './ringing/incoming-window.js';
import type { Notifier, NotifierHandlers } from './ringing/notifier.js';
import {
  incomingCallNotification,
  incomingNotificationId,
  missedCallNotification,
  ringingChannels,
} from './ringing/policy.js';
import type { TokenVault } from './session/token-vault.js';
import type { SettingsStore } from './settings/store.js';
import { ShortcutKeeper } from './shortcut-keeper.js';
import { ElectronTray } from './tray/electron-tray.js';
import type { TrayAction, TrayState } from './tray/model.js';
import { channel } from './ipc/contract.js';

export interface ShellDeps {
  mainWindow: () => BrowserWindow | null;
  showMainWindow: () => void;
  incomingWindows: IncomingWindowFactory;
  /** What shows notifications (Electron's, or on Linux the desktop's server over D-Bus), given where their clicks and buttons go. */
  notifier: (handlers: NotifierHandlers) => Notifier;
  settings: SettingsStore;
  /** Where the session token is kept (encrypted), instead of the renderer's localStorage. */
  session: TokenVault;
  trayIconDir: string;
  /** Whether the tray icon can be seen (Settings says how to get a tray when not). */
  trayStatus: () => TrayStatus;
  /**
   * Whether the desktop is in do-not-disturb now (linux/desktop-dnd.ts; null: cannot be read), or
   * undefined where Parley does not follow it (not Linux).
   */
  desktopDnd?: () => boolean | null;
  /** The folder of the log files ("Open logs folder" in the tray). */
  logsDir: string;
  quit: () => void;
  log: (message: string) => void;
  /** Errors, to the log file as such: the ones the app's windows forward. */
  logError: (message: string) => void;
}

export class DesktopShell {
  private state: ShellState = {
    presence: 'offline',
    ringing: null,
    inCall: false,
    unseenMissedCalls: 0,
    muted: false,
  };
  /** The ringing call as the tray and shortcuts offer it: none when it started ringing in do not disturb. */
  private answerable: RingingCall | null = null;
  private recent: RecentCall[] = [];
  private powerBlocker: number | null = null;
  private dockBounce: number | null = null;
  /** The main window's audio is muted for a call ringing quietly (no ringtone). */
  private pageMuted = false;
  private readonly tray: ElectronTray;
  private readonly notifications: Notifier;
  private readonly incoming: IncomingCallWindows;
  private readonly rendererErrors: RendererErrors;
  private readonly shortcuts: ShortcutKeeper;

  constructor(private readonly d: ShellDeps) {
    this.notifications = d.notifier({
      onAction: (action) => this.act(action),
      onOpen: () => d.showMainWindow(),
    });
    this.incoming = new IncomingCallWindows({
      factory: d.incomingWindows,
      onAction: (action) => this.act(action),
    });
    this.rendererErrors = new RendererErrors(d.logError);
    this.tray = new ElectronTray(d.trayIconDir, (action) => this.onTrayAction(action));
    this.shortcuts = new ShortcutKeeper({
      registry: globalShortcut,
      settings: d.settings,
      callState: () => ({ ringing: this.answerable, inCall: this.state.inCall }),
      dispatch: (action) => this.act(action),
      log: d.log,
      platform: process.platform,
    });
    this.registerIpc();
    this.shortcuts.apply();
    this.refresh();
  }

  /** Sends an action to the app in the main window, bringing it forward when the person answers or calls. */
  act(action: PlatformAction): void {
    const win = this.d.mainWindow();
    if (!win) return;
    if (
      action.type === 'accept' ||
      action.type === 'call' ||
      action.type === 'confirm-call' ||
      action.type === 'open-history'
    )
      this.d.showMainWindow();
    win.webContents.send(channel('action'), action);
  }

  /** The machine woke up or the screen was unlocked: the app should reconnect now. */
  reconnect(reason: 'resume' | 'unlock' | 'network'): void {
    this.d.mainWindow()?.webContents.send(channel('reconnect'), { reason });
  }

  dispose(): void {
    this.shortcuts.dispose();
    this.incoming.closeAll();
    this.notifications.dispose();
    this.tray.destroy();
  }

  /** Which window an IPC message came from: main only takes each window's own channels from it. */
  private windowOf(sender: WebContents): WindowRole | null {
    if (sender === this.d.mainWindow()?.webContents) return 'main';
    return this.incoming.isWindowOf(sender) ? 'incoming' : null;
  }

  private registerIpc(): void {
    registerIpc(
      ipcMain,
      {
        'missed.notify': (call) => {
          const model = missedCallNotification(call, {
            dnd: this.state.presence === 'dnd' || this.desktopQuiet(),
            notificationsSupported: this.notifications.supported(),
            actions: this.notifications.actionsSupported(),
          });
          if (model) this.notifications.show(model);
        },
        'shell.state': (state) => this.redraw(state),
        'recent.set': (calls) => {
          this.recent = calls;
          this.refresh();
        },
        'devices.load': () => this.d.settings.current().devices,
        'devices.save': async (devices) => {
          await this.d.settings.update((s) => ({ ...s, devices }));
        },
        'session.load': () => this.d.session.load(),
        'session.save': ({ token }) => this.d.session.save(token),
        'session.clear': () => this.d.session.clear(),
        'tray.status': () => this.d.trayStatus(),
        'desktopDnd.load': () => this.desktopDndStatus(),
        'desktopDnd.follow': async ({ follow }) => {
          if (!this.d.desktopDnd) return null;
          await this.d.settings.update({ followDesktopDnd: follow });
          return this.desktopDndStatus();
        },
        'shortcuts.load': () => this.shortcuts.view(),
        'shortcuts.set': ({ name, accelerator }) => this.shortcuts.change(name, accelerator),
        'incoming.choose': (action) => {
          this.incoming.choose(action);
        },
        'log.call': (report) => {
          const line = callLine(report);
          if (report.reason === 'failed' || report.reason === 'refused') this.d.logError(line);
          else this.d.log(line);
        },
        'log.error': ({ message }, event) =>
          this.rendererErrors.report(
            this.windowOf(event.sender) === 'incoming' ? 'incoming-call window' : 'main window',
            message,
          ),
      },
      this.d.log,
      (sender) => this.windowOf(sender),
    );
  }

  private redraw(state: ShellState): void {
    const before = this.state.ringing;
    this.state = state;
    if (state.ringing?.callId !== before?.callId) {
      if (before) this.stopRinging(before.callId);
      if (state.ringing) this.startRinging(state.ringing);
    }
    this.holdPowerDuringCalls(state.inCall);
    app.setBadgeCount(state.unseenMissedCalls);
    this.refresh();
  }

  private startRinging(call: RingingCall): void {
    const desktopQuiet = this.desktopQuiet();
    const channels = ringingChannels({
      dnd: this.state.presence === 'dnd',
      desktopQuiet,
      platform: process.platform,
      notificationsSupported: this.notifications.supported(),
      notificationActionsSupported: this.notifications.actionsSupported(),
    });
    if (channels.trayRinging) this.answerable = call;
    if (channels.incomingWindow) this.incoming.show(call);
    if (channels.notification) {
      this.notifications.show(incomingCallNotification(call, { actions: channels.notificationActions }));
    }
    if (channels.attention === 'dock-bounce') this.dockBounce = app.dock?.bounce('critical') ?? null;
    if (channels.attention === 'flash-frame') this.d.mainWindow()?.flashFrame(true);
    // The ringtone is the page's: muting the window silences it. Never during a call (its audio).
    const page = this.d.mainWindow()?.webContents;
    if (!channels.ringtone && !this.state.inCall && page) {
      page.setAudioMuted(true);
      this.pageMuted = true;
    }
    if (desktopQuiet) this.d.log(`call ${call.callId} rings quietly: the desktop is in do not disturb`);
  }

  /** The desktop is in do-not-disturb and the person has Parley follow it. */
  private desktopQuiet(): boolean {
    return this.d.settings.current().followDesktopDnd && this.d.desktopDnd?.() === true;
  }

  private desktopDndStatus(): DesktopDndStatus | null {
    if (!this.d.desktopDnd) return null;
    return { follow: this.d.settings.current().followDesktopDnd, desktop: this.d.desktopDnd() };
  }

  private stopRinging(callId: string): void {
    this.incoming.hide(callId);
    this.notifications.close(incomingNotificationId(callId));
    this.d.mainWindow()?.flashFrame(false);
    if (this.pageMuted) this.d.mainWindow()?.webContents.setAudioMuted(false);
    this.pageMuted = false;
    // A critical bounce goes on until Parley is activated unless it is cancelled.
    if (this.dockBounce !== null) app.dock?.cancelBounce(this.dockBounce);
    this.dockBounce = null;
    this.answerable = null;
  }

  private holdPowerDuringCalls(inCall: boolean): void {
    if (inCall && this.powerBlocker === null)
      this.powerBlocker = powerSaveBlocker.start('prevent-display-sleep');
    if (!inCall && this.powerBlocker !== null) {
      powerSaveBlocker.stop(this.powerBlocker);
      this.powerBlocker = null;
    }
  }

  private onTrayAction(action: TrayAction): void {
    if (action.type === 'open') return this.d.showMainWindow();
    if (action.type === 'quit') return this.d.quit();
    if (action.type === 'open-logs') {
      void electronShell.openPath(this.d.logsDir).then((error) => {
        if (error) this.d.log(`logs folder not opened: ${error}`);
      });
      return;
    }
    if (action.type === 'toggle-start-at-login') {
      const openAtLogin = !this.d.settings.current().startAtLogin;
      applyStartAtLogin(openAtLogin, app).catch((err: unknown) =>
        this.d.log(`start at login not ${openAtLogin ? 'set' : 'cleared'}: ${String(err)}`),
      );
      this.d.settings.update({ startAtLogin: openAtLogin }).then(
        () => this.refresh(),
        (err: unknown) => this.d.log(`settings not saved: ${String(err)}`),
      );
      return;
    }
    this.act(action);
  }

  private refresh(): void {
    const trayState: TrayState = {
      presence: this.state.presence,
      ringing: this.answerable,
      inCall: this.state.inCall,
      muted: this.state.muted,
      unseenMissedCalls: this.state.unseenMissedCalls,
      recent: this.recent,
      startAtLogin: this.d.settings.current().startAtLogin,
      dnd: this.state.presence === 'dnd',
    };
    this.tray.update(trayState);
  }
}
