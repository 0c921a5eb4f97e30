/**
 * A stand-in for CallEngine in unit tests of the renderer's domains: the test sets the call it has
 * (`show`, which also emits it like the engine does) and reads what it was asked to do (`asked`).
 */
import type { Media, UserSummary } from '../../signaling/protocol/index.js';
import type { CallView, EngineEvents } from '../call/view.js';
import { Emitter } from '../util/emitter.js';

/** A call as the engine shows it, `changes` on top of one ringing in from Bob. */
export function callView(changes: Partial<CallView> = {}): CallView {
  return {
    callId: 'call-1'.padEnd(22, '_'),
    direction: 'incoming',
    peer: { username: 'bob', displayName: 'Bob' },
    media: 'audio',
    phase: 'incoming',
    ringing: true,
    connectedAt: null,
    peerConnected: true,
    muted: false,
    cameraOn: false,
    remoteVideo: false,
    reconnecting: false,
    signalingDown: false,
    ...changes,
  };
}

export class FakeEngine extends Emitter<EngineEvents> {
  current: CallView | null = null;
  /** The device id each local track uses. */
  inUse: Partial<Record<'audio' | 'video', string>> = {};
  readonly asked: unknown[][] = [];

  /** The engine's call changes (or ends: null), as its `call` event says. */
  show(view: CallView | null): void {
    this.current = view;
    this.emit('call', view);
  }

  /** Any other engine event. */
  say<K extends keyof EngineEvents>(event: K, payload: EngineEvents[K]): void {
    this.emit(event, payload);
  }

  async call(peer: UserSummary, media: Media): Promise<void> {
    this.asked.push(['call', peer, media]);
  }
  async accept(media: Media): Promise<void> {
    this.asked.push(['accept', media]);
  }
  async decline(): Promise<void> {
    this.asked.push(['decline']);
  }
  async hangup(): Promise<void> {
    this.asked.push(['hangup']);
  }
  setMuted(muted: boolean): void {
    this.asked.push(['setMuted', muted]);
  }
  async setCamera(on: boolean): Promise<void> {
    this.asked.push(['setCamera', on]);
  }
  deviceInUse(kind: 'audio' | 'video'): string | undefined {
    return this.inUse[kind];
  }
  async switchDevice(kind: 'audio' | 'video', deviceId: string | undefined): Promise<void> {
    this.asked.push(['switchDevice', kind, deviceId]);
  }
}
