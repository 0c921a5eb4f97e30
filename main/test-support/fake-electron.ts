// A recording fake of Electron's main-process API, shared by main/shell.test.ts and main/index.test.ts (which
// install it with `vi.mock('electron', ...)`). It follows Electron's documented behaviour where it matters
// for the wiring: windows and trays only after `ready`, `loadURL` settles on load or rejects when the
// window goes away, destroyed objects throw, `close` can be prevented and `closed` comes later, one IPC
// handler per channel, menu templates are validated, a Windows notification emits `close` (on a later
// tick) when closed from code, safeStorage encrypts only with an OS key store and says when a key rotated.
//
// One instance per test file: the tests load it through `vi.hoisted` and hand that same object to
// `vi.mock`, so it survives `vi.resetModules()`; `fake.reset()` puts it back to its starting state.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';

interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}
/** An Electron event object: `preventDefault()` plus the event's own fields. */
function electronEvent<T extends object>(fields?: T): FakeEvent & T {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
    ...fields,
  } as FakeEvent & T;
  return event;
}
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const state = {
  ready: false,
  log: [] as { kind: string; args: unknown[] }[],
  waiters: [] as { kinds: string[]; resolve: () => void }[],
};
/** Every call into the fake that a test may want to check, in order. */
function record(kind: string, ...args: unknown[]): void {
  state.log.push({ kind, args });
  for (const waiter of [...state.waiters]) {
    if (!waiter.kinds.includes(kind)) continue;
    state.waiters.splice(state.waiters.indexOf(waiter), 1);
    waiter.resolve();
  }
}
const calls = (kind: string): unknown[][] => state.log.filter((e) => e.kind === kind).map((e) => e.args);
/** Resolves once any of `kinds` has been recorded (at once if it already was). */
function until(...kinds: string[]): Promise<void> {
  if (state.log.some((e) => kinds.includes(e.kind))) return Promise.resolve();
  return new Promise((resolve) => state.waiters.push({ kinds, resolve }));
}
function requireReady(what: string): void {
  if (!state.ready) throw new Error(`${what} cannot be used before the app is ready`);
}
const destroyedError = () => new TypeError('Object has been destroyed');

// -- webContents / BrowserWindow --

let nextId = 1;
export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  destroyed = false;
  url = '';
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => unknown) | null = null;
  private loading: { url: string; resolve: () => void; reject: (err: Error) => void } | null = null;

  /** webContents.setAudioMuted: nothing the page plays is heard while true. */
  audioMuted = false;
  setAudioMuted(muted: boolean): void {
    this.alive();
    this.audioMuted = muted;
  }
  isAudioMuted(): boolean {
    return this.audioMuted;
  }

  send(name: string, ...args: unknown[]): void {
    this.alive();
    // Arguments are serialised with the structured clone algorithm: functions and the like throw.
    this.sent.push({ channel: name, args: args.map((a) => structuredClone(a)) });
  }
  /** Messages sent on one channel, payloads only. */
  sentOn(name: string): unknown[] {
    return this.sent.filter((s) => s.channel === name).map((s) => s.args[0]);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
    this.alive();
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    this.alive();
    return this.url;
  }
  /** Like Electron: true from loadURL until the load finishes or fails. */
  isLoading(): boolean {
    this.alive();
    return this.loading !== null;
  }
  /** Like Electron: settles when this load finishes (did-finish-load) or fails (did-fail-load, destroyed). */
  loadURL(url: string): Promise<void> {
    this.alive();
    record('webContents.loadURL', url);
    this.loading?.reject(Object.assign(new Error(`ERR_ABORTED (-3) loading '${url}'`), { errno: -3 }));
    const { promise, resolve, reject } = deferred<void>();
    this.loading = { url, resolve, reject };
    // Electron adds a no-op rejection handler to the promise it returns (web-contents.ts).
    promise.catch(() => undefined);
    return promise;
  }
  /** Test driver: the page that is loading has loaded. */
  finishLoad(): void {
    this.alive();
    const loading = this.loading;
    if (!loading) throw new Error('finishLoad: nothing is loading');
    this.loading = null;
    this.url = loading.url;
    this.emit('dom-ready', electronEvent());
    this.emit('did-finish-load', electronEvent());
    loading.resolve();
  }
  /** Test driver: the page failed to load. */
  failLoad(code = -6, description = 'ERR_FILE_NOT_FOUND'): void {
    const loading = this.loading;
    if (!loading) throw new Error('failLoad: nothing is loading');
    this.loading = null;
    this.emit('did-fail-load', electronEvent(), code, description, loading.url, true);
    loading.reject(
      Object.assign(new Error(`${description} (${code}) loading '${loading.url}'`), { errno: code }),
    );
  }
  /**
   * Test driver: fire a navigation event; true when a listener prevented it. `will-frame-navigate`
   * fires for subframes too (`isMainFrame: false`); `will-navigate` only ever for the main frame.
   */
  navigate(
    event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate',
    url: string,
    { isMainFrame = true }: { isMainFrame?: boolean } = {},
  ): boolean {
    if (event === 'will-navigate' && !isMainFrame)
      throw new Error('will-navigate is for the main frame only');
    const e = electronEvent({ url, isMainFrame, isSameDocument: false });
    this.emit(event, e, url, false, isMainFrame);
    return e.defaultPrevented;
  }
  /** Test driver: the page calls window.open(url); returns the handler's answer (Electron wants an object). */
  openWindow(url: string): unknown {
    if (!this.windowOpenHandler) return { action: 'allow' };
    const response = this.windowOpenHandler({ url });
    if (typeof response !== 'object' || response === null)
      throw new Error('window open handler must return an object');
    return response;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('destroyed', electronEvent());
    const loading = this.loading;
    this.loading = null;
    loading?.reject(Object.assign(new Error(`ERR_FAILED (-2) loading '${loading.url}'`), { errno: -2 }));
  }
  private alive(): void {
    if (this.destroyed) throw destroyedError();
  }
}

interface WindowOptions {
  show?: boolean;
  alwaysOnTop?: boolean;
  webPreferences?: Record<string, unknown>;
  [key: string]: unknown;
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  readonly options: WindowOptions;
  readonly webContents: FakeWebContents;
  /** Method calls, e.g. `showInactive`, `flashFrame:true`, `setAlwaysOnTop:true:screen-saver`. */
  readonly calls: string[] = [];
  visible: boolean;
  focused = false;
  minimized = false;
  alwaysOnTop: boolean;
  flashing = false;
  onAllWorkspaces = false;
  destroyed = false;
  closing = false;
  private shownOnce = false;

  constructor(options: WindowOptions = {}) {
    super();
    if (!state.ready) throw new Error('Cannot create BrowserWindow before app is ready');
    this.options = structuredClone(options);
    this.visible = options.show !== false;
    this.alwaysOnTop = options.alwaysOnTop === true;
    this.webContents = new FakeWebContents();
    FakeBrowserWindow.all.push(this);
    app.emit('web-contents-created', electronEvent(), this.webContents);
    app.emit('browser-window-created', electronEvent(), this);
    record('BrowserWindow.new', this);
    // Electron emits ready-to-show once the first page has painted.
    this.webContents.on('did-finish-load', () => {
      if (this.shownOnce || this.destroyed) return;
      this.shownOnce = true;
      this.emit('ready-to-show', electronEvent());
    });
  }
  loadURL(url: string): Promise<void> {
    this.use('loadURL');
    return this.webContents.loadURL(url);
  }
  show(): void {
    this.use('show');
    this.visible = true;
    this.focused = true;
    this.minimized = false;
    this.emit('show', electronEvent());
  }
  showInactive(): void {
    this.use('showInactive');
    this.visible = true;
    this.emit('show', electronEvent());
  }
  hide(): void {
    this.use('hide');
    this.visible = false;
    this.focused = false;
    this.emit('hide', electronEvent());
  }
  focus(): void {
    this.use('focus');
    this.focused = true;
  }
  minimize(): void {
    this.use('minimize');
    this.minimized = true;
    this.focused = false;
  }
  isMinimized(): boolean {
    this.use();
    return this.minimized;
  }
  restore(): void {
    this.use('restore');
    this.minimized = false;
    this.visible = true;
  }
  isVisible(): boolean {
    this.use();
    return this.visible;
  }
  isFocused(): boolean {
    this.use();
    return this.focused;
  }
  flashFrame(flag: boolean): void {
    this.use(`flashFrame:${flag}`);
    this.flashing = flag;
  }
  setAlwaysOnTop(flag: boolean, level?: string): void {
    this.use(`setAlwaysOnTop:${flag}:${level ?? 'floating'}`);
    this.alwaysOnTop = flag;
  }
  setVisibleOnAllWorkspaces(visible: boolean): void {
    this.use(`setVisibleOnAllWorkspaces:${visible}`);
    this.onAllWorkspaces = visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Like the close button: `close` may be prevented; otherwise the window goes and `closed` follows. */
  close(): void {
    this.use('close');
    if (this.closing) return;
    const event = electronEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.closing = true;
    queueMicrotask(() => this.teardown());
  }
  destroy(): void {
    if (this.destroyed) return;
    this.calls.push('destroy');
    this.teardown();
  }
  private teardown(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.focused = false;
    this.webContents.destroy();
    FakeBrowserWindow.all = FakeBrowserWindow.all.filter((w) => w !== this);
    this.emit('closed');
    if (FakeBrowserWindow.all.length === 0 && !app.quitting) app.emit('window-all-closed');
  }
  private use(call?: string): void {
    if (this.destroyed) throw destroyedError();
    if (call) this.calls.push(call);
  }
}

// -- app --

export class FakeApp extends EventEmitter {
  paths: Record<string, string> = {};
  appPath = '/opt/parley/resources/app';
  singleInstanceLock = true;
  quitting = false;
  quitted = false;
  badgeCount = 0;
  /** The promises chained on `whenReady()`, so a test can wait for startup to finish. */
  readyChains: Promise<unknown>[] = [];
  private readyGate = deferred<void>();
  private nextBounce = 1;
  readonly dockApi = {
    bounce: (type: 'critical' | 'informational' = 'informational'): number => {
      const id = this.nextBounce++;
      record('dock.bounce', type, id);
      return id;
    },
    cancelBounce: (id: number): void => record('dock.cancelBounce', id),
    setBadge: (text: string): void => record('dock.setBadge', text),
  };

  reset(): void {
    this.removeAllListeners();
    this.paths = {};
    this.appPath = '/opt/parley/resources/app';
    this.singleInstanceLock = true;
    this.quitting = false;
    this.quitted = false;
    this.badgeCount = 0;
    this.readyChains = [];
    this.readyGate = deferred<void>();
    this.nextBounce = 1;
  }
  /** Test driver: Electron finished launching. */
  markReady(): void {
    if (state.ready) return;
    state.ready = true;
    this.emit('will-finish-launching');
    this.emit('ready', electronEvent(), {});
    this.readyGate.resolve();
  }
  /** Waits for whatever was chained on `whenReady()` (the app's startup). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.readyChains);
  }
  isReady(): boolean {
    return state.ready;
  }
  whenReady(): Promise<void> {
    const promise = this.readyGate.promise.then(() => undefined);
    const then = promise.then.bind(promise);
    const chains = this.readyChains;
    Object.defineProperty(promise, 'then', {
      value: (onFulfilled?: (value: void) => unknown, onRejected?: (reason: unknown) => unknown) => {
        const chained = then(onFulfilled, onRejected);
        chains.push(chained);
        return chained;
      },
    });
    return promise;
  }
  getPath(name: string): string {
    const path = this.paths[name];
    if (path === undefined) throw new Error(`Failed to get '${name}' path`);
    return path;
  }
  getAppPath(): string {
    return this.appPath;
  }
  get isPackaged(): boolean {
    return false;
  }
  /** macOS only, like Electron (`app.dock` is undefined elsewhere). */
  get dock(): typeof this.dockApi | undefined {
    return process.platform === 'darwin' ? this.dockApi : undefined;
  }
  setBadgeCount(count = 0): boolean {
    record('app.setBadgeCount', count);
    this.badgeCount = count;
    return true;
  }
  setLoginItemSettings(settings: { openAtLogin?: boolean }): void {
    record('app.setLoginItemSettings', structuredClone(settings));
  }
  requestSingleInstanceLock(): boolean {
    record('app.requestSingleInstanceLock');
    return this.singleInstanceLock;
  }
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean {
    record('app.setAsDefaultProtocolClient', protocol, path, args && [...args]);
    return true;
  }
  /** before-quit, then every window is closed (any may refuse), then will-quit and quit. */
  quit(): void {
    record('app.quit');
    if (this.quitting) return;
    const before = electronEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    this.quitting = true;
    const open = FakeBrowserWindow.all.filter((w) => !w.isDestroyed());
    for (const w of open) w.close();
    if (open.some((w) => !w.closing)) {
      this.quitting = false; // a window refused: the quit is cancelled
      return;
    }
    queueMicrotask(() => {
      const willQuit = electronEvent();
      this.emit('will-quit', willQuit);
      if (willQuit.defaultPrevented) {
        this.quitting = false;
        return;
      }
      this.quitted = true;
      this.emit('quit', electronEvent(), 0);
    });
  }
  exit(code = 0): void {
    record('app.exit', code);
    this.quitted = true;
  }
}
const app = new FakeApp();

// -- ipcMain --

type IpcHandler = (event: unknown, ...args: unknown[]) => unknown;
const ipcMain = {
  handlers: new Map<string, IpcHandler>(),
  handle(name: string, handler: IpcHandler): void {
    if (this.handlers.has(name)) throw new Error(`Attempted to register a second handler for '${name}'`);
    this.handlers.set(name, handler);
  },
  removeHandler(name: string): void {
    this.handlers.delete(name);
  },
  /** Test driver: `ipcRenderer.invoke(name, payload)` from a frame at `frameUrl` (null: a destroyed frame). */
  async invoke(
    name: string,
    frameUrl: string | null,
    payload: unknown,
    sender?: FakeWebContents,
  ): Promise<unknown> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`No handler registered for '${name}'`);
    const event = {
      sender: sender ?? new FakeWebContents(),
      senderFrame: frameUrl === null ? null : { url: frameUrl, processId: 1, routingId: 1 },
      processId: 1,
      frameId: 1,
    };
    return structuredClone(await handler(event, structuredClone(payload)));
  },
};

// -- Tray, Menu, nativeImage --

interface MenuItemOptions {
  id?: string;
  label?: string;
  type?: string;
  role?: string;
  enabled?: boolean;
  checked?: boolean;
  submenu?: MenuItemOptions[] | FakeMenu;
  click?: (item: unknown, window: unknown, event: unknown) => void;
}
const MENU_ITEM_TYPES = ['normal', 'separator', 'submenu', 'checkbox', 'radio'];
export class FakeMenu {
  constructor(readonly items: MenuItemOptions[]) {}
  /** Validates like Electron's menu.ts / menu-item.ts; records the template. */
  static buildFromTemplate(template: MenuItemOptions[]): FakeMenu {
    if (!Array.isArray(template))
      throw new TypeError('Invalid template for Menu: Menu template must be an array');
    const valid = template.every(
      (item) =>
        item != null &&
        typeof item === 'object' &&
        (Object.hasOwn(item, 'label') || Object.hasOwn(item, 'role') || item.type === 'separator'),
    );
    if (!valid)
      throw new TypeError('Invalid template for MenuItem: must have at least one of label, role or type');
    const items = template.map((item) => {
      const type = item.type ?? (item.submenu ? 'submenu' : 'normal');
      if (!MENU_ITEM_TYPES.includes(type)) throw new Error(`Unknown menu item type: ${type}`);
      if (type === 'submenu' && !item.submenu) throw new Error('Invalid submenu');
      const submenu =
        item.submenu && !(item.submenu instanceof FakeMenu)
          ? FakeMenu.buildFromTemplate(item.submenu)
          : item.submenu;
      return { ...item, type, submenu };
    });
    record('Menu.buildFromTemplate', template);
    return new FakeMenu(items);
  }
  /** Every item, submenus included (depth first). */
  flat(): MenuItemOptions[] {
    return this.items.flatMap((item) => [
      item,
      ...(item.submenu instanceof FakeMenu ? item.submenu.flat() : []),
    ]);
  }
  item(label: string): MenuItemOptions | undefined {
    return this.flat().find((i) => i.label === label);
  }
  /** Test driver: the person clicks the item labelled `label`. */
  click(label: string): void {
    const item = this.item(label);
    if (!item) throw new Error(`no menu item "${label}"`);
    if (item.enabled === false) throw new Error(`menu item "${label}" is disabled`);
    item.click?.(item, undefined, { shiftKey: false, ctrlKey: false, altKey: false, metaKey: false });
  }
}

export class FakeNativeImage {
  template = false;
  constructor(readonly path: string) {}
  isEmpty(): boolean {
    return !existsSync(this.path);
  }
  setTemplateImage(flag: boolean): void {
    this.template = flag;
  }
  isTemplateImage(): boolean {
    return this.template;
  }
}
const nativeImage = {
  createFromPath(path: string): FakeNativeImage {
    record('nativeImage.createFromPath', path);
    return new FakeNativeImage(path);
  },
};

export class FakeTray extends EventEmitter {
  static all: FakeTray[] = [];
  image: FakeNativeImage;
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(image: FakeNativeImage | string) {
    super();
    if (!state.ready) throw new Error('Cannot create Tray before app is ready');
    this.image = typeof image === 'string' ? new FakeNativeImage(image) : image;
    FakeTray.all.push(this);
    record('Tray.new', this);
  }
  setImage(image: FakeNativeImage | string): void {
    this.alive();
    this.image = typeof image === 'string' ? new FakeNativeImage(image) : image;
  }
  setToolTip(text: string): void {
    this.alive();
    this.tooltip = text;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.alive();
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Test driver: a click on the tray icon. */
  click(): void {
    this.emit('click', electronEvent(), { x: 0, y: 0, width: 16, height: 16 }, { x: 0, y: 0 });
  }
  private alive(): void {
    if (this.destroyed) throw destroyedError();
  }
}

// -- Notification --

interface NotificationOptions {
  title?: string;
  body?: string;
  silent?: boolean;
  urgency?: string;
  timeoutType?: string;
  actions?: { type: string; text?: string }[];
}
export class FakeNotification extends EventEmitter {
  static all: FakeNotification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  readonly options: NotificationOptions;
  shown = false;
  closed = false;
  constructor(options: NotificationOptions = {}) {
    super();
    this.options = structuredClone(options);
    FakeNotification.all.push(this);
    record('Notification.new', this);
  }
  show(): void {
    this.shown = true;
    this.closed = false;
  }
  /** On Windows a close from code also emits `close`, later (Electron posts it to the UI thread). */
  close(): void {
    if (!this.shown || this.closed) return;
    this.closed = true;
    if (process.platform === 'win32')
      setImmediate(() => this.emit('close', electronEvent({ reason: 'unknown' })));
  }
  get onScreen(): boolean {
    return this.shown && !this.closed;
  }
  /** Test driver: the person clicks button `index`. */
  clickAction(index: number): void {
    this.emit('action', electronEvent({ actionIndex: index, selectionIndex: -1 }), index, -1);
  }
  /** Test driver: the person clicks the notification body. */
  click(): void {
    this.emit('click', electronEvent());
  }
  /** Test driver: the person dismisses it. */
  dismiss(): void {
    this.closed = true;
    this.emit('close', electronEvent({ reason: 'userCanceled' }));
  }
}

// -- the rest --

const globalShortcut = {
  registered: new Map<string, () => void>(),
  /** Accelerators another application holds. */
  taken: new Set<string>(),
  register(accelerator: string, callback: () => void): boolean {
    requireReady('globalShortcut');
    record('globalShortcut.register', accelerator);
    if (this.taken.has(accelerator) || this.registered.has(accelerator)) return false;
    this.registered.set(accelerator, callback);
    return true;
  },
  isRegistered(accelerator: string): boolean {
    return this.registered.has(accelerator);
  },
  unregisterAll(): void {
    record('globalShortcut.unregisterAll');
    this.registered.clear();
  },
  /** Test driver: the person presses `accelerator` anywhere on the desktop. */
  press(accelerator: string): void {
    const callback = this.registered.get(accelerator);
    if (!callback) throw new Error(`${accelerator} is not registered`);
    callback();
  },
};

const powerSaveBlocker = {
  active: new Map<number, string>(),
  nextId: 1,
  start(type: string): number {
    const id = this.nextId++;
    record('powerSaveBlocker.start', type, id);
    this.active.set(id, type);
    return id;
  },
  stop(id: number): boolean {
    record('powerSaveBlocker.stop', id);
    return this.active.delete(id);
  },
  isStarted(id: number): boolean {
    return this.active.has(id);
  },
};

const powerMonitor = new EventEmitter();

type ProtocolHandler = (request: Request) => Response | Promise<Response>;
const protocol = {
  handlers: new Map<string, ProtocolHandler>(),
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, boolean> }[]): void {
    if (state.ready)
      throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    record('protocol.registerSchemesAsPrivileged', structuredClone(schemes), { ready: state.ready });
  },
  handle(scheme: string, handler: ProtocolHandler): void {
    requireReady('protocol');
    if (this.handlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
    record('protocol.handle', scheme);
    this.handlers.set(scheme, handler);
  },
  isProtocolHandled(scheme: string): boolean {
    return this.handlers.has(scheme);
  },
};

type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl: string; isMainFrame: boolean },
) => void;
type PermissionCheckHandler = (
  contents: unknown,
  permission: string,
  requestingOrigin: string,
  details: { embeddingOrigin?: string; isMainFrame?: boolean; requestingUrl?: string },
) => boolean;
type DevicePermissionHandler = (details: { deviceType: string; origin: string; device: unknown }) => boolean;
type SelectHidDevice = (
  event: { preventDefault(): void },
  details: { deviceList: unknown[]; frame: { url: string } | null },
  callback: (deviceId?: string | null) => void,
) => void;
const defaultSession = {
  requestHandler: null as PermissionRequestHandler | null,
  checkHandler: null as PermissionCheckHandler | null,
  deviceHandler: null as DevicePermissionHandler | null,
  selectHidDevice: null as SelectHidDevice | null,
  setDevicePermissionHandler(handler: DevicePermissionHandler | null): void {
    this.deviceHandler = handler;
  },
  on(event: string, listener: SelectHidDevice): void {
    if (event !== 'select-hid-device') throw new Error(`fake session: no ${event} event`);
    this.selectHidDevice = listener;
  },
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.requestHandler = handler;
  },
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.checkHandler = handler;
  },
};
const session = {
  get defaultSession() {
    requireReady('session');
    return defaultSession;
  },
};

const shell = {
  openExternal(url: string): Promise<void> {
    record('shell.openExternal', url);
    return Promise.resolve();
  },
  /** Resolves to an error message, or '' when the folder was opened (as Electron's does). */
  openPath(path: string): Promise<string> {
    record('shell.openPath', path);
    return Promise.resolve(existsSync(path) ? '' : `Failed to open path`);
  },
};

const screen = {
  cursor: { x: 2500, y: 300 },
  display: {
    id: 2,
    bounds: { x: 1920, y: 0, width: 1920, height: 1080 },
    workArea: { x: 1920, y: 0, width: 1920, height: 1040 },
  },
  getCursorScreenPoint(): { x: number; y: number } {
    requireReady('screen');
    return { ...this.cursor };
  },
  getDisplayNearestPoint(point: { x: number; y: number }) {
    requireReady('screen');
    record('screen.getDisplayNearestPoint', point);
    return structuredClone(this.display);
  },
};

const systemPreferences = {
  mediaStatus: {} as Record<string, string>,
  getMediaAccessStatus(media: string): string {
    return this.mediaStatus[media] ?? 'granted';
  },
  askForMediaAccess(media: string): Promise<boolean> {
    if (process.platform !== 'darwin')
      throw new TypeError('systemPreferences.askForMediaAccess is not a function');
    record('systemPreferences.askForMediaAccess', media);
    this.mediaStatus[media] = 'granted';
    return Promise.resolve(true);
  },
};

/**
 * safeStorage's asynchronous API (the synchronous one is deprecated in Electron 45 and gone in 46), as
 * documented: encryption needs the app to be ready and an OS key store (Keychain, DPAPI, libsecret or
 * kwallet); without one, `isAsyncEncryptionAvailable()` is false and encrypting or decrypting rejects.
 * Ciphertext is bound to the key it was made with: another key (another machine, a lost keyring) cannot
 * decrypt it, and after a key rotation `decryptStringAsync` says `shouldReEncrypt`.
 * `getSelectedStorageBackend()` exists on Linux only; `basic_text` is Chromium's hard-coded key.
 */
const safeStorage = {
  /** Test knob: an OS key store is there. */
  keyStore: true,
  /** Test knob: the Linux backend getSelectedStorageBackend reports once ready. */
  backend: 'gnome_libsecret' as 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6',
  /** Test knob: the current key; `rotateKey()` makes a new one that can still read the old ciphertext. */
  keyVersion: 1,
  /** Test knob: another installation's keys (ciphertext from elsewhere cannot be read). */
  keyId: 'this-machine',
  rotateKey(): void {
    this.keyVersion++;
  },
  async isAsyncEncryptionAvailable(): Promise<boolean> {
    record('safeStorage.isAsyncEncryptionAvailable');
    return state.ready && this.keyStore;
  },
  async encryptStringAsync(plainText: string): Promise<Buffer> {
    record('safeStorage.encryptStringAsync');
    if (!state.ready || !this.keyStore) throw new Error('Encryption is not available.');
    const header = Buffer.from(`${this.keyId}:v${this.keyVersion}:`);
    return Buffer.concat([header, scramble(Buffer.from(plainText, 'utf8'), this.keyVersion)]);
  },
  async decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }> {
    record('safeStorage.decryptStringAsync');
    if (!state.ready || !this.keyStore) throw new Error('Decryption is not available.');
    const match = /^([^:]+):v(\d+):/.exec(encrypted.subarray(0, 64).toString('latin1'));
    const version = Number(match?.[2]);
    if (!match || match[1] !== this.keyId || !(version >= 1 && version <= this.keyVersion))
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptStringAsync.');
    const body = encrypted.subarray(match[0].length);
    return { shouldReEncrypt: version < this.keyVersion, result: scramble(body, version).toString('utf8') };
  },
  getSelectedStorageBackend(): string {
    if (process.platform !== 'linux')
      throw new TypeError('safeStorage.getSelectedStorageBackend is not a function');
    return state.ready ? this.backend : 'unknown';
  },
};
/** Stands for encryption: reversible with the same key version, and never the plain bytes. */
function scramble(bytes: Buffer, keyVersion: number): Buffer {
  return Buffer.from(bytes.map((b, i) => b ^ ((0x5a + keyVersion * 31 + i * 7) & 0xff)));
}

function reset(): void {
  state.ready = false;
  state.log = [];
  state.waiters = [];
  app.reset();
  FakeBrowserWindow.all = [];
  FakeTray.all = [];
  FakeNotification.all = [];
  FakeNotification.supported = true;
  ipcMain.handlers.clear();
  globalShortcut.registered.clear();
  globalShortcut.taken.clear();
  powerSaveBlocker.active.clear();
  powerSaveBlocker.nextId = 1;
  powerMonitor.removeAllListeners();
  protocol.handlers.clear();
  defaultSession.requestHandler = null;
  defaultSession.checkHandler = null;
  systemPreferences.mediaStatus = {};
  safeStorage.keyStore = true;
  safeStorage.backend = 'gnome_libsecret';
  safeStorage.keyVersion = 1;
  safeStorage.keyId = 'this-machine';
}

/** What `import ... from 'electron'` gives the code under test. */
export const electronModule = {
  app,
  BrowserWindow: FakeBrowserWindow,
  ipcMain,
  Tray: FakeTray,
  Menu: FakeMenu,
  nativeImage,
  Notification: FakeNotification,
  globalShortcut,
  powerSaveBlocker,
  powerMonitor,
  protocol,
  session,
  shell,
  screen,
  systemPreferences,
  safeStorage,
};

/** The same objects, for a test to drive and inspect, plus the recording and reset helpers. */
export const fake = {
  app,
  BrowserWindow: FakeBrowserWindow,
  ipcMain,
  Tray: FakeTray,
  Notification: FakeNotification,
  globalShortcut,
  powerSaveBlocker,
  powerMonitor,
  protocol,
  defaultSession,
  screen,
  systemPreferences,
  safeStorage,
  electronEvent,
  calls,
  /** Everything recorded so far, in order. */
  log: () => state.log,
  until,
  reset,
  isReady: () => state.ready,
};
