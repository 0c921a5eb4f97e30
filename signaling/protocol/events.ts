/**
 * The Socket.IO event maps: every client request with its payload and
 * result schema, and every server push with its payload schema. Server and
 * clients derive their types and event names from these two objects.
 */
import { z } from 'zod';
import {
  CallAccepted,
  CallEndReport,
  CallEnded,
  CallHangup,
  CallInvite,
  CallPeerConnection,
  CallRef,
  CallRinging,
  CallSignal,
  CallSnapshot,
  IncomingCall,
} from './calls.js';
import { DeviceId, Presence, UserSummary } from './common.js';
import { Contact, ContactRef } from './contacts.js';
import { ProtocolError, resultSchema, type Result } from './errors.js';
import { IceConfig } from './ice.js';
import { HistoryEntry, HistoryListRequest, HistoryPage, UnseenMissedCalls } from './history.js';
import { PresenceBatch, PresenceChanged, PresenceUpdate, SelfPresence } from './presence.js';

const Empty = z.object({});

/** Client -> server requests. Each is acknowledged with a `Result`. */
export const clientRequests = {
  'contacts.request': { payload: ContactRef, result: z.object({ contact: Contact }) },
  'contacts.accept': { payload: ContactRef, result: z.object({ contact: Contact }) },
  'contacts.decline': { payload: ContactRef, result: Empty },
  'contacts.remove': { payload: ContactRef, result: Empty },
  'presence.update': { payload: PresenceUpdate, result: SelfPresence },
  'call.invite': { payload: CallInvite, result: z.object({ callId: CallSnapshot.shape.callId }) },
  'call.accept': { payload: CallRef, result: Empty },
  'call.decline': { payload: CallRef, result: Empty },
  'call.cancel': { payload: CallRef, result: Empty },
  'call.hangup': { payload: CallHangup, result: Empty },
  'call.signal': { payload: CallSignal, result: Empty },
  'call.reportEnd': { payload: CallEndReport, result: Empty },
  'history.list': { payload: HistoryListRequest, result: HistoryPage },
  'history.markSeen': { payload: Empty.strict(), result: UnseenMissedCalls },
  'ice.servers': { payload: Empty.strict(), result: IceConfig },
} as const;

export type ClientRequestName = keyof typeof clientRequests;
export type RequestPayload<K extends ClientRequestName> = z.input<(typeof clientRequests)[K]['payload']>;
export type RequestResult<K extends ClientRequestName> = z.infer<(typeof clientRequests)[K]['result']>;

export const SessionReady = z.object({
  user: UserSummary,
  deviceId: DeviceId,
  /** Your own derived presence, as in `presence.self`. */
  presence: Presence,
  dnd: z.boolean(),
  contacts: z.array(Contact),
  unseenMissedCalls: z.number().int().nonnegative(),
  /** Calls this user has in progress (ringing to ring again, or one to resume). */
  calls: z.array(CallSnapshot),
});
export type SessionReady = z.infer<typeof SessionReady>;

/** Server -> client pushes. */
export const serverEvents = {
  'session.ready': SessionReady,
  'contact.updated': z.object({ contact: Contact }),
  'contact.removed': ContactRef,
  'presence.changed': PresenceChanged,
  'presence.batch': PresenceBatch,
  'presence.self': SelfPresence,
  'call.incoming': IncomingCall,
  'call.ringing': CallRinging,
  'call.accepted': CallAccepted,
  'call.ended': CallEnded,
  'call.signal': CallSignal,
  'call.peer': CallPeerConnection,
  'history.entry': z.object({ entry: HistoryEntry }),
  'history.unseen': UnseenMissedCalls,
  'server.shutdown': z.object({ message: z.string() }),
  /** This connection was replaced by a newer one with the same deviceId; do not reconnect it. */
  'session.replaced': z.object({}),
  /**
   * This connection's session ended (signed out elsewhere, account disabled, or expired); the server
   * closes the connection right after. Do not reconnect with the same token: sign in again.
   */
  'session.revoked': z.object({ reason: z.enum(['signed-out', 'disabled', 'expired']) }),
  /** A message that had no acknowledgement callback failed. */
  'protocol.error': ProtocolError.extend({ event: z.string() }),
} as const;

export type ServerEventName = keyof typeof serverEvents;
export type ServerEventPayload<K extends ServerEventName> = z.infer<(typeof serverEvents)[K]>;

export const requestResultSchemas = Object.fromEntries(
  Object.entries(clientRequests).map(([name, spec]) => [name, resultSchema(spec.result)]),
) as { [K in ClientRequestName]: ReturnType<typeof resultSchema<(typeof clientRequests)[K]['result']>> };

/** Typed maps for `Server<ClientToServerEvents, ServerToClientEvents>` and the client `Socket`. */
export type ClientToServerEvents = {
  [K in ClientRequestName]: (
    payload: RequestPayload<K>,
    ack: (result: Result<RequestResult<K>>) => void,
  ) => void;
};
export type ServerToClientEvents = {
  [K in ServerEventName]: (payload: ServerEventPayload<K>) => void;
};
