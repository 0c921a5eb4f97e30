/** The call in progress (mirrored from the call engine), its media and quality, and notices. */
import { create } from 'zustand';
import type { CallView, EndReason } from '../call/view.js';
import type { Quality } from '../call/quality.js';

export interface Notice {
  id: number;
  text: string;
}

export interface CallState {
  call: CallView | null;
  localStream: MediaStream | null;
  remoteStream: MediaStream | null;
  quality: Quality | null;
  /** The last call's end, shown briefly ("Call ended: declined"). */
  lastEnded: { peerName: string; reason: EndReason; code?: string | undefined; at: number } | null;
  notices: Notice[];
}

export const useCall = create<CallState>(() => ({
  call: null,
  localStream: null,
  remoteStream: null,
  quality: null,
  lastEnded: null,
  notices: [],
}));

let nextNotice = 1;
export const noticeActions = {
  add: (text: string) =>
    useCall.setState((s) => ({ notices: [...s.notices.slice(-3), { id: nextNotice++, text }] })),
  dismiss: (id: number) => useCall.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
};
