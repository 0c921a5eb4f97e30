/**
 * The preload script of every Parley window: exposes `window.parleyDesktop`,
 * named actions and subscriptions from the IPC contract, never a generic
 * send. Runs sandboxed with context isolation; bundled to CommonJS.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channel, SERVER_URL_SWITCH } from './ipc/channels.js';
import type {
  DesktopBridge,
  EventChannel,
  EventPayload,
  InvokeChannel,
  InvokePayload,
} from './ipc/contract.js';

const invoke = <K extends InvokeChannel>(name: K, payload: InvokePayload<K>): Promise<never> =>
  ipcRenderer.invoke(channel(name), payload) as Promise<never>;

function subscribe<K extends EventChannel>(name: K, handler: (payload: EventPayload<K>) => void): () => void {
  const listener = (_event: IpcRendererEvent, payload: EventPayload<K>) => handler(payload);
  ipcRenderer.on(channel(name), listener);
  return () => ipcRenderer.removeListener(channel(name), listener);
}

const serverArg = process.argv.find((arg) => arg.startsWith(SERVER_URL_SWITCH));

const bridge: DesktopBridge = {
  platform: process.platform,
  defaultServerUrl: serverArg ? serverArg.slice(SERVER_URL_SWITCH.length) : null,
  notifyMissed: (call) => invoke('missed.notify', call),
  reportState: (state) => invoke('shell.state', state),
  setRecentCalls: (calls) => invoke('recent.set', calls),
  loadDevicePreferences: () => invoke('devices.load', {}),
  saveDevicePreferences: (prefs) => invoke('devices.save', prefs),
  loadSession: () => invoke('session.load', {}),
  saveSession: (token) => invoke('session.save', { token }),
  clearSession: () => invoke('session.clear', {}),
  trayStatus: () => invoke('tray.status', {}),
  loadDesktopDnd: () => invoke('desktopDnd.load', {}),
  followDesktopDnd: (follow) => invoke('desktopDnd.follow', { follow }),
  loadShortcuts: () => invoke('shortcuts.load', {}),
  setShortcut: (name, accelerator) => invoke('shortcuts.set', { name, accelerator }),
  choose: (action) => invoke('incoming.choose', action),
  reportError: (message) => invoke('log.error', { message }),
  reportCall: (report) => invoke('log.call', report),
  onAction: (handler) => subscribe('action', handler),
  onReconnect: (handler) => subscribe('reconnect', handler),
  onIncomingCall: (handler) => subscribe('incoming.call', handler),
};

contextBridge.exposeInMainWorld('parleyDesktop', bridge);
