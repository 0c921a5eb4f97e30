/**
 * A PeerSession for one call, wired the one way every call's connection is: its offers, answers and
 * candidates go to the server as `call.signal` for this call (addressed to a leg when the caller talks to
 * one ringing device of the callee), and the setup stages it reaches are recorded (offer, answer, ICE
 * connected). The connection made while it rings (early.ts) and the one made after Accept (connection.ts)
 * both come from here.
 */
import type { Leg } from '../../signaling/protocol/index.js';
import type { SignalingClient } from '../net/signaling-client.js';
import { PeerSession, type PeerOptions } from './peer.js';
import type { TimingRecorder } from './timings.js';

export interface CallPeerOptions extends Omit<PeerOptions, 'send'> {
  callId: string;
  /** The ringing device of the callee this connection goes to (the caller's connections made while it rings). */
  leg?: Leg | undefined;
  signaling: Pick<SignalingClient, 'request'>;
  recorder: TimingRecorder;
}

export function newCallPeer({ callId, leg, signaling, recorder, ...options }: CallPeerOptions): PeerSession {
  const peer = new PeerSession({
    ...options,
    send: (signal) => void signaling.request('call.signal', { callId, signal, ...(leg ? { leg } : {}) }),
  });
  peer.on('description-sent', (type) => recorder.mark(type));
  peer.on('description-received', (type) => recorder.mark(type));
  peer.on('connection', (state) => {
    if (state === 'connected') recorder.mark('ice-connected');
  });
  peer.on('error', (err) => console.warn('negotiation error', err));
  return peer;
}
