/** Who is signed in, where, and how the connection to the server is doing. */
import { create } from 'zustand';
import type { Presence, UserSummary } from '../../signaling/protocol/index.js';
import type { ConnectionStatus } from '../net/signaling-client.js';

export interface SessionState {
  phase: 'signed-out' | 'signing-in' | 'signed-in';
  serverUrl: string;
  user: UserSummary | null;
  connection: ConnectionStatus;
  presence: Presence;
  dnd: boolean;
  /** A words-ready error for the sign-in form. */
  error: string | null;
}

export const useSession = create<SessionState>(() => ({
  phase: 'signed-out',
  serverUrl: '',
  user: null,
  connection: 'disconnected',
  presence: 'offline',
  dnd: false,
  error: null,
}));
