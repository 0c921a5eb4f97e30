/**
 * What the engine tells the app: the call in progress (`CallView`, with `newCallView` the one place a new
 * one is built), how a call ended, and notices. The engine publishes a fresh view on every change; the app
 * only reads it.
 */
import type { CallEndedReason, Media, UserSummary } from '../../signaling/protocol/index.js';
import type { Quality } from './quality.js';

export type CallPhase = 'outgoing' | 'incoming' | 'connecting' | 'active';

export interface CallView {
  callId: string | null;
  direction: 'outgoing' | 'incoming';
  peer: UserSummary;
  media: Media;
  phase: CallPhase;
  /** Outgoing: the callee's devices are ringing. */
  ringing: boolean;
  /** Epoch ms when media first connected (the call timer starts here). */
  connectedAt: number | null;
  /** False while the far side's device is reconnecting. */
  peerConnected: boolean;
  /** True while no media arrives and the path is being restored (ICE restart). */
  reconnecting: boolean;
  /** True while the signaling server cannot be reached: the call goes on, and hanging up still works. */
  signalingDown: boolean;
  muted: boolean;
  cameraOn: boolean;
  remoteVideo: boolean;
}

/** Why a call ended, as the person is told: server reasons plus local failures. */
export type EndReason = CallEndedReason | 'failed' | 'refused';

export interface EngineError {
  code: string;
  message: string;
}

export interface EngineEvents {
  call: CallView | null;
  ended: { callId: string | null; peer: UserSummary; reason: EndReason; code?: string };
  'local-stream': MediaStream | null;
  'remote-stream': MediaStream | null;
  quality: Quality | null;
  /** Something the person should be told; the call may go on. */
  notice: EngineError;
}

/**
 * The view of a call as it starts: an outgoing one before the server gave it an id (and before anyone
 * rings), or an incoming one ringing here. The camera is on from the start only for an outgoing video call;
 * an incoming call turns it on when answered with video.
 */
export function newCallView(
  start:
    | { direction: 'outgoing'; peer: UserSummary; media: Media }
    | { direction: 'incoming'; callId: string; peer: UserSummary; media: Media },
): CallView {
  const outgoing = start.direction === 'outgoing';
  return {
    callId: outgoing ? null : start.callId,
    direction: start.direction,
    peer: start.peer,
    media: start.media,
    phase: start.direction,
    ringing: !outgoing,
    connectedAt: null,
    peerConnected: true,
    reconnecting: false,
    signalingDown: false,
    muted: false,
    cameraOn: outgoing && start.media === 'video',
    remoteVideo: false,
  };
}
