/**
 * A call while the signaling server is away, and when it is back. An answered call outlives the server (its
 * media is peer-to-peer): while the server is away the call goes on and says so (`signalingDown`); hanging up
 * then ends it here at once, and so does the peer closing its connection (its DTLS close); the end is kept
 * (end-reports.ts) and reported once the server is back, so that history shows when and how the call
 * really ended.
 *
 * On every (re)connect (`session.ready`) the server's list of this user's calls is the truth: ends kept
 * here are reported, the current call goes on or ends, a call this device carried before a reload is hung
 * up, and a call still ringing rings here. The engine keeps the call; this tells it what to do with it.
 */
import type { CallEndReport, CallSnapshot, IncomingCall, Leg } from '../../signaling/protocol/index.js';
import type { KeyValueStore } from '../platform/platform.js';
import type { CallResources, Signaling } from './call-resources.js';
import { EndReports } from './end-reports.js';
import type { CallView, EndReason } from './view.js';

/** What the engine lets this see and do. */
export interface CallHooks {
  /** The current call, its view and what it holds; null between calls. */
  current(): { view: CallView; held: CallResources } | null;
  update(patch: Partial<CallView>): void;
  finish(reason: EndReason): void;
  /** The callee answered (on `leg`) while this device was away: the call.accepted never reached it. */
  answeredMeanwhile(leg: Leg | undefined): void;
  /** A call still ringing for this user after a reload: it rings here. */
  ring(call: IncomingCall): void;
}

export class ServerAbsence {
  /** Whether the signaling server is connected now, as SignalingClient's status says. */
  private up = true;
  private readonly endReports: EndReports;

  constructor(
    private readonly signaling: Signaling,
    storage: KeyValueStore,
    private readonly call: CallHooks,
  ) {
    this.endReports = new EndReports(signaling, storage);
  }

  get away(): boolean {
    return !this.up;
  }

  /** Subscribes to the server's comings and goings; returns the unsubscriptions. */
  listen(): (() => void)[] {
    return [
      this.signaling.on('session.ready', (p) => this.onSessionReady(p.deviceId, p.calls)),
      this.signaling.on('status', ({ status }) => this.onStatus(status === 'connected')),
      () => this.endReports.stop(),
    ];
  }

  /**
   * The call ended at `at` (performance.now()) without the server seeing it: it is told when it is back
   * (`answer`: the code of the request that failed; E_UNAVAILABLE, it is there: told again shortly).
   */
  endedUnseen(view: CallView, reason: CallEndReport['reason'], at: number, answer?: string): void {
    this.endReports.endedUnseen(view, reason, at, answer);
  }

  /** The peer hung up while the server was away (its DTLS close): the call ends here too, reported later. */
  peerClosed(silentForMs: number): void {
    const current = this.call.current();
    if (current) this.endedUnseen(current.view, 'completed', performance.now() - silentForMs);
    this.call.finish('completed');
  }

  private onStatus(up: boolean): void {
    this.up = up;
    const view = this.call.current()?.view;
    if (view && view.signalingDown === up) this.call.update({ signalingDown: !up });
  }

  /**
   * On every (re)connect: report calls that ended meanwhile, ring for a call still ringing, resume or drop
   * the current one.
   */
  private onSessionReady(deviceId: string, calls: CallSnapshot[]): void {
    const reported = this.endReports.report(deviceId);
    const current = this.call.current();
    if (current?.view.callId) {
      const { view, held } = current;
      const mine = calls.find((c) => c.callId === view.callId);
      const stillOurs = mine && (mine.boundHere || mine.state === 'ringing');
      if (!stillOurs) return this.call.finish('connection-lost');
      // The far side's reconnect news may have been lost while we were away: the snapshot is the truth now.
      this.call.update({ peerConnected: true });
      if (mine.state !== 'active') return;
      held.restartIfPaused();
      if (!held.connection && view.direction === 'outgoing' && held.local)
        this.call.answeredMeanwhile(mine.leg);
      return;
    }
    if (current) return;
    // A call this device carried before a reload: its media is gone, so end it rather than leave the peer waiting.
    for (const orphan of calls.filter((c) => c.boundHere && !reported.has(c.callId)))
      void this.signaling.request('call.hangup', { callId: orphan.callId });
    const ringing = calls.find((c) => c.role === 'callee' && c.state === 'ringing');
    if (ringing)
      this.call.ring({
        callId: ringing.callId,
        caller: ringing.peer,
        media: ringing.media,
        ringTimeoutMs: 1,
        ...(ringing.preconnect ? { preconnect: true } : {}),
      });
  }
}
