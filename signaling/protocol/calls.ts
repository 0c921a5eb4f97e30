/** Call setup: invite, ring, accept/decline/cancel/hang-up, and the SDP/ICE relay. */
import { z } from 'zod';
import { CallId, Leg, Media, UserSummary, Username } from './common.js';

/** Chrome's video offers are ~10 KB; leave room for many codecs and simulcast. */
export const MAX_SDP_LENGTH = 48_000;

export const CallInvite = z.strictObject({ callee: Username, media: Media });
export type CallInvite = z.infer<typeof CallInvite>;

export const CallRef = z.strictObject({ callId: CallId });
export type CallRef = z.infer<typeof CallRef>;

/**
 * `call.hangup`. `reason: 'failed'`: no media path could be established or restored (ICE failed), so the
 * call ends as `failed` instead of `completed`.
 */
export const CallHangup = z.strictObject({ callId: CallId, reason: z.literal('failed').optional() });
export type CallHangup = z.infer<typeof CallHangup>;

/**
 * How long after a call ended its end may still be reported (`call.reportEnd`): the report must say it
 * ended at most this long ago, and an end the server recorded itself can be corrected only this long.
 */
export const CALL_REPORT_MAX_AGE_MS = 3_600_000;

/**
 * `call.reportEnd`: a bound device tells the server that an answered call ended while it could not reach
 * it (it hung up, or saw the peer hang up). `endedMsAgo` is how long before sending the call ended, by
 * the device's own clock: relative, so the two clocks need not agree.
 */
export const CallEndReport = z.strictObject({
  callId: CallId,
  reason: z.enum(['completed', 'failed']),
  endedMsAgo: z.number().int().min(0).max(CALL_REPORT_MAX_AGE_MS),
});
export type CallEndReport = z.infer<typeof CallEndReport>;

export const SessionDescription = z.strictObject({
  type: z.enum(['offer', 'answer']),
  sdp: z.string().min(1).max(MAX_SDP_LENGTH),
});

export const IceCandidate = z.strictObject({
  candidate: z.string().max(1024),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(255).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

/**
 * What the relay carries. Renegotiation and ICE restart are new offers;
 * `candidate: null` means end of candidates.
 */
export const Signal = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('description'), description: SessionDescription }),
  z.strictObject({ kind: z.literal('candidate'), candidate: IceCandidate.nullable() }),
]);
export type Signal = z.infer<typeof Signal>;

/**
 * `call.signal`, request and event. While a call rings and connecting early is on (`IncomingCall.preconnect`),
 * each ringing device of the callee and the caller's device negotiate a connection of their own: the
 * caller's device addresses a ringing device by its `leg`, and every signal from a device of the callee
 * reaches the caller with that device's `leg`. Once answered, signals go between the two bound devices;
 * a `leg` the caller still gives must be the answering device's.
 */
export const CallSignal = z.strictObject({ callId: CallId, signal: Signal, leg: Leg.optional() });
export type CallSignal = z.infer<typeof CallSignal>;

/**
 * Why a call ended. `completed`: answered, then hung up. `missed`: nobody
 * answered within the ring timeout. `busy`, `dnd`, `offline`: the callee
 * could not be rung. `connection-lost`: a bound device vanished for longer
 * than the grace period. `interrupted`: the server stopped during the call.
 * `failed`: answered, but a bound device found no media path between the two
 * (ICE failed) and hung up saying so.
 */
export const CallEndReason = z.enum([
  'completed',
  'declined',
  'cancelled',
  'missed',
  'busy',
  'dnd',
  'offline',
  'connection-lost',
  'interrupted',
  'failed',
]);
export type CallEndReason = z.infer<typeof CallEndReason>;

/** Reasons a device stops ringing or leaves a call (`call.ended`). */
export const CallEndedReason = z.union([CallEndReason, z.literal('answered-elsewhere')]);
export type CallEndedReason = z.infer<typeof CallEndedReason>;

export const CallRole = z.enum(['caller', 'callee']);
export type CallRole = z.infer<typeof CallRole>;

/** A live call as one device sees it (sent on connect, so a device can resume). */
export const CallSnapshot = z.object({
  callId: CallId,
  role: CallRole,
  peer: UserSummary,
  media: Media,
  state: z.enum(['ringing', 'active']),
  /** True when this device is the one bound to the call (it carries the media). */
  boundHere: z.boolean(),
  /** For the caller of an answered call: the answering device's leg, when the server gives legs (as `call.accepted`). */
  leg: Leg.optional(),
  /** For a call ringing this device: whether it may connect early (as `IncomingCall.preconnect`). */
  preconnect: z.boolean().optional(),
});
export type CallSnapshot = z.infer<typeof CallSnapshot>;

export const IncomingCall = z.object({
  callId: CallId,
  caller: UserSummary,
  media: Media,
  /** How long the server will ring before it records a missed call. */
  ringTimeoutMs: z.number().int().positive(),
  /**
   * Whether this device may connect early: offer a connection to the caller's device while it rings (no
   * media: camera and microphone stay closed until Accept), so that Accept only has to attach them. Absent:
   * no (the server's `connectWhileRinging` setting is off).
   */
  preconnect: z.boolean().optional(),
});
export type IncomingCall = z.infer<typeof IncomingCall>;

export const CallRinging = z.object({ callId: CallId, callee: UserSummary });
/**
 * `leg`: the answering device, whenever connecting while it rings is on (the caller keeps that leg's early
 * connection if it has one, and otherwise makes one and offers as before).
 */
export const CallAccepted = z.object({ callId: CallId, leg: Leg.optional() });
export const CallEnded = z.object({ callId: CallId, reason: CallEndedReason });
export type CallEnded = z.infer<typeof CallEnded>;
/** The peer's bound device dropped (`connected: false`) or came back. */
export const CallPeerConnection = z.object({ callId: CallId, connected: z.boolean() });
