/**
 * The call lifecycle as a pure state machine: no sockets, timers or storage.
 * The call service feeds it actions and carries out what it decides.
 *
 *   (invite) -> ringing -> accept -> active -> hangup or report (completed or failed) / connection-lost -> ended
 *                      \-> decline / cancel / timeout / connection-lost -> ended
 */
import { sameDevice, type Device, type LiveCall } from '../domain.js';
import type { CallEndReason, ErrorCode } from '../protocol/index.js';

/** What happens to a call: a device acts (`by`), or one of the server's timers runs out. */
export type CallAction =
  | { type: 'accept'; by: Device; at: number }
  | { type: 'decline'; by: Device }
  | { type: 'cancel'; by: Device }
  /** `failed`: the device found no media path (ICE failed). */
  | { type: 'hangup'; by: Device; failed?: boolean }
  /**
   * A bound device says the call ended at `at` while it could not reach the server (it hung up, or saw
   * the peer hang up): like a hangup, but only for an answered call and never before it was answered.
   */
  | { type: 'report'; by: Device; failed: boolean; at: number }
  /** The ring timeout ran out. */
  | { type: 'timeout' }
  /** A bound device stayed disconnected for longer than the grace period. */
  | { type: 'connection-lost'; deviceOf: Device };

export type Transition =
  | { ok: true; call: LiveCall; ended: null }
  | { ok: true; call: LiveCall; ended: CallEndReason }
  | { ok: false; code: Extract<ErrorCode, 'E_CALL_NOT_FOUND' | 'E_CALL_STATE' | 'E_INVALID'> };

export interface InviteFacts {
  isContact: boolean;
  callerInCall: boolean;
  calleeInCall: boolean;
  calleeOnline: boolean;
  calleeDnd: boolean;
}

export type InviteDecision =
  | { ok: true }
  /** Refused before anything rings; `recordAs` is set when the attempt goes into history. */
  | { ok: false; code: ErrorCode; recordAs: CallEndReason | null };

/** Whether a call may be placed, and if not, why and whether it counts as a call attempt. */
export function decideInvite(f: InviteFacts): InviteDecision {
  if (!f.isContact) return { ok: false, code: 'E_NOT_CONTACT', recordAs: null };
  if (f.callerInCall) return { ok: false, code: 'E_IN_CALL', recordAs: null };
  if (f.calleeInCall) return { ok: false, code: 'E_BUSY', recordAs: 'busy' };
  if (!f.calleeOnline) return { ok: false, code: 'E_OFFLINE', recordAs: 'offline' };
  if (f.calleeDnd) return { ok: false, code: 'E_DND', recordAs: 'dnd' };
  return { ok: true };
}

const isCaller = (call: LiveCall, d: Device): boolean => sameDevice(d, call.caller);

const isBoundCallee = (call: LiveCall, d: Device): boolean =>
  call.callee.deviceId !== null && sameDevice(d, call.callee);

/** The caller's device, or the callee's answering device. */
export const isBound = (call: LiveCall, d: Device): boolean => isCaller(call, d) || isBoundCallee(call, d);

/** Any device of the callee may see, answer or decline a ringing call. */
const isCalleeUser = (call: LiveCall, d: Device): boolean => d.userId === call.callee.userId;

const notFound = { ok: false, code: 'E_CALL_NOT_FOUND' } as const;
const notFoundCode = { code: 'E_CALL_NOT_FOUND' } as const;
const wrongState = { ok: false, code: 'E_CALL_STATE' } as const;
const invalid = { ok: false, code: 'E_INVALID' } as const;
const end = (call: LiveCall, reason: CallEndReason): Transition => ({ ok: true, call, ended: reason });

export function transition(call: LiveCall, action: CallAction): Transition {
  switch (action.type) {
    case 'accept':
      if (!isCalleeUser(call, action.by)) return notFound;
      if (call.state !== 'ringing') return wrongState;
      return {
        ok: true,
        call: {
          ...call,
          state: 'active',
          answeredAt: action.at,
          callee: { ...call.callee, deviceId: action.by.deviceId },
        },
        ended: null,
      };
    case 'decline':
      if (!isCalleeUser(call, action.by)) return notFound;
      return call.state === 'ringing' ? end(call, 'declined') : wrongState;
    case 'cancel':
      if (!isCaller(call, action.by)) return notFound;
      return call.state === 'ringing' ? end(call, 'cancelled') : wrongState;
    case 'hangup':
      // Hanging up while it rings is the same as cancel (caller) or decline (callee).
      if (call.state === 'ringing') {
        if (isCaller(call, action.by)) return end(call, 'cancelled');
        return isCalleeUser(call, action.by) ? end(call, 'declined') : notFound;
      }
      if (!isBound(call, action.by)) return notFound;
      return end(call, action.failed ? 'failed' : 'completed');
    case 'report':
      // Only an answered call has an end to report: while it rings the parties get "not now".
      if (call.state === 'ringing')
        return isCaller(call, action.by) || isCalleeUser(call, action.by) ? wrongState : notFound;
      if (!isBound(call, action.by)) return notFound;
      return action.at < call.answeredAt! ? invalid : end(call, action.failed ? 'failed' : 'completed');
    case 'timeout':
      return call.state === 'ringing' ? end(call, 'missed') : wrongState;
    case 'connection-lost':
      return isBound(call, action.deviceOf) ? end(call, 'connection-lost') : notFound;
  }
}

/**
 * A signal to relay, as the service found it: the sender, the callee device its `leg` names (`named`,
 * absent when it has no leg; `device: null` when the leg names no device of the callee that rings or is
 * bound), and whether the relay opens while the call rings (the `connectWhileRinging` setting).
 */
export interface RelayRequest {
  from: Device;
  named?: { device: Device | null };
  connectWhileRinging: boolean;
}

/** The device a signal goes to, and whether it goes with the sender's leg (a callee device to the caller). */
export interface RelayRoute {
  to: Device;
  stampLeg: boolean;
}

export type RelayRefusal = { code: 'E_CALL_NOT_FOUND' | 'E_CALL_STATE' | 'E_INVALID' };

const wrongStateCode = { code: 'E_CALL_STATE' } as const;
const invalidCode = { code: 'E_INVALID' } as const;

/**
 * Where a relayed signal goes, or why it may not. Identity first: anyone but the caller's device and the
 * callee's devices (once answered: the two bound devices) gets E_CALL_NOT_FOUND, "not your call".
 *
 * While it rings, with `connectWhileRinging` off, the parties get E_CALL_STATE, "not yet". With it on, a
 * device of the callee reaches the caller's device, with its leg; the caller's device reaches the
 * callee's device its leg names, E_CALL_STATE without a leg ("whom?"), E_CALL_NOT_FOUND for a leg that
 * names no ringing device ("that one is gone").
 *
 * Once answered, signals go between the two bound devices, the callee's with its leg when
 * `connectWhileRinging` is on; a leg from the caller must name the answering device (another one is
 * E_CALL_NOT_FOUND: a late signal for a device that did not answer).
 *
 * A callee device never names a leg (it is not told any): one that does gets E_INVALID.
 */
export function relayTarget(call: LiveCall, req: RelayRequest): RelayRoute | RelayRefusal {
  const { from, named } = req;
  const fromCaller = isCaller(call, from);
  if (call.state === 'ringing' || call.callee.deviceId === null) {
    if (!fromCaller && !isCalleeUser(call, from)) return notFoundCode;
    if (!req.connectWhileRinging) return wrongStateCode;
    if (!fromCaller) return named ? invalidCode : { to: call.caller, stampLeg: true };
    if (!named) return wrongStateCode;
    const to = named.device;
    return to && isCalleeUser(call, to) ? { to, stampLeg: false } : notFoundCode;
  }
  if (!isBound(call, from)) return notFoundCode;
  if (!fromCaller) return named ? invalidCode : { to: call.caller, stampLeg: req.connectWhileRinging };
  if (named && !(named.device && isBoundCallee(call, named.device))) return notFoundCode;
  return { to: call.callee, stampLeg: false };
}
