/**
 * The small always-on-top incoming-call window: at most one, shown without taking focus, closed the moment
 * ringing stops for any reason. It talks to Electron only through IncomingWindowFactory/IncomingWindow;
 * window/windows.ts implements them with a BrowserWindow (alwaysOnTop, focusable, `showInactive`).
 *
 * Rules:
 * - A button in the window (`choose`) forwards the first answer about the shown call; the window stays
 *   until ringing stops, which that answer brings about: it closes in one place, `hide`.
 * - `hide(callId)` closes at once, and only the window showing that call.
 * - Closed by hand: the call keeps ringing elsewhere (main window, tray, notification); no action is sent
 *   and the window does not come back for that call.
 * - A call that ended here (hidden, closed by hand) is never shown again, even if the app reports it
 *   ringing again (a reloaded page).
 */
import type { PlatformAction, RingingCall } from '../../shared/app-shell.js';

export interface IncomingWindow {
  /** Show without activating: typing in another app must not land in Parley. */
  showInactive(): void;
  close(): void;
  isDestroyed(): boolean;
  /** May be called before the page has loaded; the implementation delivers it once it has. */
  sendCall(call: RingingCall): void;
  /** Called once when the window is gone, whoever closed it. */
  onClosed(cb: () => void): void;
  /** True when `contents` (an IPC message's sender) is this window's page. */
  hasContents(contents: unknown): boolean;
}

export interface IncomingWindowFactory {
  create(): IncomingWindow;
}

export interface IncomingCallWindowsOptions {
  factory: IncomingWindowFactory;
  /** Where a choice made in the window goes (to the main window's call engine). */
  onAction: (action: PlatformAction) => void;
}

/** How many ended call ids to remember; calls are minutes apart, this covers hours. */
const ENDED_MEMORY = 50;

export class IncomingCallWindows {
  private current: { window: IncomingWindow; call: RingingCall; answered: boolean } | null = null;
  private readonly ended = new Set<string>();

  constructor(private readonly options: IncomingCallWindowsOptions) {}

  /** True when `contents` belong to the window shown now (a closed one's messages are stale). */
  isWindowOf(contents: unknown): boolean {
    return this.current?.window.hasContents(contents) ?? false;
  }

  /** Shows `call`, replacing whatever the window showed. False when the call already ended here. */
  show(call: RingingCall): boolean {
    if (this.ended.has(call.callId)) return false;
    if (this.current && !this.current.window.isDestroyed()) {
      if (this.current.call.callId !== call.callId) this.current = { ...this.current, call, answered: false };
    } else {
      const window = this.options.factory.create();
      window.onClosed(() => this.closedByHand(window));
      this.current = { window, call, answered: false };
    }
    this.current.window.sendCall(call);
    this.current.window.showInactive();
    return true;
  }

  /** Ringing stopped for `callId` (answered anywhere, declined, cancelled, timed out). */
  hide(callId: string): boolean {
    if (this.current?.call.callId !== callId) return false;
    this.closeCurrent();
    return true;
  }

  /**
   * A button in the window. Only the first accept or decline of the shown call counts; anything else is
   * ignored. The window closes when the app reports the call no longer ringing (`hide`).
   */
  choose(action: PlatformAction): boolean {
    const current = this.current;
    if (
      !current ||
      current.answered ||
      (action.type !== 'accept' && action.type !== 'decline') ||
      action.callId !== current.call.callId
    )
      return false;
    current.answered = true;
    this.options.onAction(action);
    return true;
  }

  /** On quit or sign-out. */
  closeAll(): void {
    if (this.current) this.closeCurrent();
  }

  private closeCurrent(): void {
    close(this.detach());
  }

  /** Forget the window before closing it, so its `closed` event is not taken for a close by hand. */
  private detach(): IncomingWindow {
    const { window, call } = this.current!;
    this.current = null;
    this.remember(call.callId);
    return window;
  }

  private closedByHand(window: IncomingWindow): void {
    if (this.current?.window !== window) return;
    this.remember(this.current.call.callId);
    this.current = null;
  }

  private remember(callId: string): void {
    this.ended.delete(callId);
    this.ended.add(callId);
    if (this.ended.size > ENDED_MEMORY) this.ended.delete(this.ended.values().next().value!);
  }
}

function close(window: IncomingWindow): void {
  if (!window.isDestroyed()) window.close();
}
