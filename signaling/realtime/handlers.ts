/** What each client request does, in terms of the services. */
import type { CallService } from '../calls/service.js';
import type { ContactsService } from '../contacts/service.js';
import type { HistoryService } from '../history/service.js';
import type { PresenceService } from '../presence/service.js';
import type { IceConfig } from '../protocol/index.js';
import type { RequestHandlers } from './dispatch.js';

export interface Services {
  /** ICE servers (with fresh TURN credentials) for a user. */
  iceConfig(username: string): IceConfig;
  contacts: ContactsService;
  presence: PresenceService;
  calls: CallService;
  history: HistoryService;
}

export const requestHandlers = (s: Services): RequestHandlers => ({
  'contacts.request': async ({ user }, p) => ({ contact: await s.contacts.request(user, p.username) }),
  'contacts.accept': async ({ user }, p) => ({ contact: await s.contacts.accept(user, p.username) }),
  'contacts.decline': ({ user }, p) => s.contacts.decline(user, p.username),
  'contacts.remove': ({ user }, p) => s.contacts.remove(user, p.username),
  'presence.update': async ({ user, device }, p) => {
    if (p.away !== undefined) await s.presence.setAway(device, p.away);
    if (p.dnd !== undefined) await s.presence.setDnd(user.id, p.dnd);
    return s.presence.refresh(user.id, { announceSelf: p.dnd !== undefined });
  },
  'call.invite': ({ user, device, afterAck }, p) => s.calls.invite(user, device, p.callee, p.media, afterAck),
  'call.accept': ({ device }, p) => s.calls.accept(device, p.callId),
  'call.decline': ({ device }, p) => s.calls.decline(device, p.callId),
  'call.cancel': ({ device }, p) => s.calls.cancel(device, p.callId),
  'call.hangup': ({ device }, p) => s.calls.hangup(device, p.callId, p.reason),
  'call.reportEnd': ({ device }, p) => s.calls.reportEnd(device, p),
  'call.signal': ({ device }, p) => s.calls.relay(device, p),
  'history.list': ({ user }, p) => s.history.list(user.id, p),
  'history.markSeen': ({ user }) => s.history.markSeen(user.id),
  'ice.servers': ({ user }) => s.iceConfig(user.username),
});
