/**
 * The call on the system's media controls, through the Media Session API: while a call is placed or up, the
 * `hangup`, `togglemicrophone` and `togglecamera` actions act on it (keyboard media keys and headset
 * buttons where the system maps them there, Chromium's own media and picture-in-picture controls), and the
 * microphone and camera states are told (`setMicrophoneActive`, `setCameraActive`) so those controls show
 * them. A ringing call is not on them: answering is a decision the ringing window and notification ask for.
 * Nothing is registered where the browser has no Media Session, or does not know an action.
 */
import type { CallState } from '../state/call.js';
import type { ReadableStore } from '../util/store.js';

/** The part of `navigator.mediaSession` used here, narrow so that tests can stand in for it. */
export interface CallMediaSession {
  setActionHandler(action: string, handler: (() => void) | null): void;
  setMicrophoneActive?(active: boolean): void | Promise<void>;
  setCameraActive?(active: boolean): void | Promise<void>;
}

export interface CallControls {
  state: ReadableStore<CallState>;
  hangup(): Promise<void>;
  toggleMute(): void;
  toggleCamera(): Promise<void>;
}

const ACTIONS = ['hangup', 'togglemicrophone', 'togglecamera'] as const;

export class MediaSessionLink {
  /** Whether the actions are registered (a call is placed or up). */
  private registered = false;
  private shown: { microphone: boolean; camera: boolean } | null = null;

  constructor(
    private readonly session: CallMediaSession,
    private readonly calls: CallControls,
  ) {
    calls.state.subscribe((state) => this.follow(state));
  }

  private follow({ call }: CallState): void {
    const onControls = call !== null && call.phase !== 'incoming';
    if (onControls !== this.registered) this.register(onControls);
    if (!call || !onControls) {
      this.shown = null;
      return;
    }
    const now = { microphone: !call.muted, camera: call.cameraOn };
    if (now.microphone !== this.shown?.microphone) void this.session.setMicrophoneActive?.(now.microphone);
    if (now.camera !== this.shown?.camera) void this.session.setCameraActive?.(now.camera);
    this.shown = now;
  }

  private register(on: boolean): void {
    this.registered = on;
    const handlers = {
      hangup: () => void this.calls.hangup(),
      togglemicrophone: () => this.calls.toggleMute(),
      togglecamera: () => void this.calls.toggleCamera(),
    };
    for (const action of ACTIONS) {
      try {
        this.session.setActionHandler(action, on ? handlers[action] : null);
      } catch {
        // A browser that does not know the action throws: that control is simply not offered.
      }
    }
  }
}
