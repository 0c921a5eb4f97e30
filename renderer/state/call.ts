/**
 * The call: the engine's view of it, its streams and quality, how the last one ended, and a call a link
 * asked for. The store the call screens read, and the only code that changes it: it mirrors the call
 * engine's events and offers the person's call actions, which it hands to the engine.
 */
import { storeHook } from '../app/context.js';
import type { Media } from '../../signaling/protocol/index.js';
import type { RingingCall } from '../../shared/app-shell.js';
import type { CallEngine } from '../call/engine.js';
import type { CallView, EndReason } from '../call/view.js';
import type { Quality } from '../call/quality.js';
import { endedWords, errorWords } from '../ui/error-words.js';
import { createStore, type ReadableStore } from '../util/store.js';
import type { Contacts } from './contacts.js';
import type { Notices } from './notices.js';

export interface CallState {
  call: CallView | null;
  localStream: MediaStream | null;
  remoteStream: MediaStream | null;
  quality: Quality | null;
  /** The last call's end, shown briefly ("Call ended: declined"). */
  lastEnded: { peerName: string; reason: EndReason; code?: string | undefined; at: number } | null;
  /** A `parley://call/...` link asked to call this person; nothing happens until they confirm. */
  linkCall: { username: string; media: Media } | null;
}

export type CallEngineActions = Pick<
  CallEngine,
  'on' | 'current' | 'call' | 'accept' | 'decline' | 'hangup' | 'setMuted' | 'setCamera'
>;

export interface CallsDeps {
  engine: CallEngineActions;
  contacts: Pick<Contacts, 'person'>;
  notices: Pick<Notices, 'add'>;
}

/** The call ringing on this device, or null: the one answer to "is it ringing?" (tones, shell, window). */
export function ringingCall({ call }: CallState): RingingCall | null {
  return call?.phase === 'incoming' && call.callId
    ? { callId: call.callId, caller: call.peer, media: call.media }
    : null;
}

/** True while this device has a call with `username` (ringing, placed or up): calling them again makes no sense. */
export function inCallWith({ call }: CallState, username: string): boolean {
  return call?.peer.username === username;
}

export class Calls {
  private readonly store = createStore<CallState>()(() => ({
    call: null,
    localStream: null,
    remoteStream: null,
    quality: null,
    lastEnded: null,
    linkCall: null,
  }));
  readonly state: ReadableStore<CallState> = this.store;

  constructor(private readonly d: CallsDeps) {
    const { engine } = d;
    engine.on('call', (call) => this.store.setState({ call }));
    engine.on('local-stream', (localStream) => this.store.setState({ localStream }));
    engine.on('remote-stream', (remoteStream) => this.store.setState({ remoteStream }));
    engine.on('quality', (quality) => this.store.setState({ quality }));
    engine.on('notice', ({ code, message }) => {
      // `message` names the device for media problems; a camera problem during a call does not end it.
      let words = code === 'E_DEVICE_FALLBACK' ? `${errorWords(code)} (${message})` : errorWords(code);
      if (code.startsWith('E_MEDIA_') && message === 'camera' && engine.current) {
        words += ' The call goes on without your video.';
      }
      d.notices.add(words);
    });
    engine.on('ended', ({ peer, reason, code }) => {
      this.store.setState({ lastEnded: { peerName: peer.displayName, reason, code, at: Date.now() } });
      if (reason === 'refused' && code) d.notices.add(endedWords(reason, code));
    });
  }

  /** The id of the call on this device (ringing, placed or up), or null. */
  get callId(): string | null {
    return this.d.engine.current?.callId ?? null;
  }

  async call(username: string, media: Media): Promise<void> {
    await this.d.engine.call(this.d.contacts.person(username), media);
  }

  /**
   * A link asked for a call (any web page can open one): show who and how, and call only once the
   * person confirms (confirmLinkCall). A second link replaces the question; in a call it is refused.
   */
  askToCall(username: string, media: Media): void {
    if (this.d.engine.current) this.d.notices.add(errorWords('E_IN_CALL'));
    else this.store.setState({ linkCall: { username, media } });
  }

  /** The person confirmed the call a link asked for. */
  async confirmLinkCall(): Promise<void> {
    const asked = this.store.getState().linkCall;
    this.store.setState({ linkCall: null });
    if (asked) await this.call(asked.username, asked.media);
  }

  cancelLinkCall(): void {
    this.store.setState({ linkCall: null });
  }

  accept(media: Media): Promise<void> {
    return this.d.engine.accept(media);
  }

  decline(): Promise<void> {
    return this.d.engine.decline();
  }

  /** Cancels a call ringing out, or hangs up. */
  hangup(): Promise<void> {
    return this.d.engine.hangup();
  }

  toggleMute(): void {
    const call = this.d.engine.current;
    if (call) this.d.engine.setMuted(!call.muted);
  }

  toggleCamera(): Promise<void> {
    return this.d.engine.setCamera(!this.d.engine.current?.cameraOn);
  }
}

export const useCall = storeHook((app) => app.calls.state);
