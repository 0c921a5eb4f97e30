/** The call in progress (mirrored from the call engine), its media and quality, and a call a link asked for. */
import { create } from 'zustand';
import type { CallView, EndReason } from '../call/view.js';
import type { Quality } from '../call/quality.js';
import type { Media } from '../../signaling/protocol/index.js';

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

export const useCall = create<CallState>(() => ({
  call: null,
  localStream: null,
  remoteStream: null,
  quality: null,
  lastEnded: null,
  linkCall: null,
}));
