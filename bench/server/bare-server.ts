/**
 * The baseline of the server benchmark: a bare Socket.IO 4.8 server with Parley's engine options
 * (websocket only, 64 KiB messages, no client bundle, the same Host and Origin check), answering the
 * benchmark's events with the least work that delivers the same messages: a token looked up in a Map
 * at the handshake, one room per user, `call.incoming` / `call.ended` emitted to the callee's room, and
 * `presence.changed` emitted to the contacts' rooms. No database, no validation, no rate limits, no
 * state machine: what it costs is what Socket.IO costs.
 *
 * With `protocol` (`--bare-protocol`), it also sends every other frame Parley's protocol sends for the
 * same events, with payloads of the same shape, still with the least work: a connect's `session.ready`
 * carries the contact list with each contact's presence and is told to the contacts' rooms as
 * `presence.changed`; an invite also pushes `call.ringing` to the caller; a cancel pushes `call.ended` to
 * the caller too, a `history.entry` to each party and the callee's `history.unseen`; a presence change
 * also goes back to the user as `presence.self`. What Parley costs beyond that is Parley's own work, not
 * its protocol's.
 *
 * Run by main.ts: `node --expose-gc --import tsx --import ./bench/server/probe.ts bench/server/bare-server.ts
 * <sessions file> <prefix> <count> <contacts> <port> [protocol]` (port 0: any free one; the restart phase
 * starts it again on the port it had). Prints the same "listening" log line as Parley's server, and stops
 * on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { hostGuard } from '../../signaling/host-check.js';
import { originAllowed } from '../../signaling/http.js';
import { createLogger } from '../../signaling/log.js';
import { forEachContactPair } from '../../signaling/contact-ring.js';

const [sessionsFile, prefix, countText, contactsText, portText, modeText] = process.argv.slice(2);
const speaksParleysProtocol = modeText === 'protocol';
if (!sessionsFile || prefix === undefined || !countText || !contactsText || !portText)
  throw new Error('usage: bare-server.ts <sessions file> <prefix> <count> <contacts> <port> [protocol]');

const accountOf = new Map<string, number>(); // token -> index
for (const line of readFileSync(sessionsFile, 'utf8').split('\n')) {
  const [username, token] = line.split('\t');
  if (username && token) accountOf.set(token, Number(username.slice(prefix.length)));
}
const contactsOf: number[][] = Array.from({ length: Number(countText) }, () => []);
forEachContactPair(Number(countText), Number(contactsText), (a, b) => {
  contactsOf[a]!.push(b);
  contactsOf[b]!.push(a);
});
const roomOf = (index: number): string => `user:${index}`;
const contactRoomsOf = contactsOf.map((contacts) => contacts.map(roomOf));
const summaryOf = (index: number) => ({ username: `${prefix}${index}`, displayName: `${prefix}${index}` });
/** With the protocol: who is connected (for the contacts' presence), and each callee's unseen missed calls. */
const online = new Set<number>();
const unseenOf = new Map<number, number>();

const HOST = '127.0.0.1';
const http = createServer();
const hostAllowed = hostGuard(HOST, [], createLogger('silent'));
const io = new Server(http, {
  transports: ['websocket'],
  maxHttpBufferSize: 64 * 1024, // MAX_MESSAGE_BYTES of signaling/server.ts (not imported: it loads the server)
  serveClient: false,
  allowRequest: (req, callback) =>
    hostAllowed(req) ? callback(null, originAllowed(req, [])) : callback('host not allowed', false),
});

/** Live calls: call id -> the parties' indexes and when it was placed. */
const calls = new Map<string, { caller: number; callee: number; createdAt: number }>();

io.use((socket, next) => {
  const index = accountOf.get((socket.handshake.auth as { token?: string }).token ?? '');
  if (index === undefined)
    return next(Object.assign(new Error('invalid session'), { data: { code: 'E_UNAUTHORIZED' } }));
  socket.data = { index, username: `${prefix}${index}` };
  next();
});

/** A missed call's history entry as one party sees it (`peer` the other one). */
const historyEntry = (
  callId: string,
  call: { createdAt: number },
  peer: number,
  incoming: boolean,
  endedAt: number,
) => ({
  callId,
  direction: incoming ? 'incoming' : 'outgoing',
  peer: summaryOf(peer),
  media: 'audio',
  createdAt: new Date(call.createdAt).toISOString(),
  answeredAt: null,
  endedAt: new Date(endedAt).toISOString(),
  endReason: 'cancelled',
  answeredDevice: null,
  missed: incoming,
  seen: !incoming,
});

io.on('connection', (socket) => {
  const { index, username } = socket.data as { index: number; username: string };
  void socket.join(roomOf(index));
  if (speaksParleysProtocol) {
    online.add(index);
    socket.emit('session.ready', {
      user: summaryOf(index),
      deviceId: (socket.handshake.auth as { deviceId?: string }).deviceId,
      presence: 'online',
      dnd: false,
      contacts: contactsOf[index]!.map((contact) => ({
        ...summaryOf(contact),
        state: 'accepted',
        presence: online.has(contact) ? 'online' : 'offline',
      })),
      unseenMissedCalls: unseenOf.get(index) ?? 0,
      calls: [],
    });
    io.to(contactRoomsOf[index]!).emit('presence.changed', { username, presence: 'online' });
    socket.on('disconnect', () => online.delete(index));
  } else socket.emit('session.ready', {});
  socket.on('call.invite', (p: { callee: string; media: string }, ack: (r: unknown) => void) => {
    const callId = randomBytes(16).toString('base64url');
    const callee = Number(p.callee.slice(prefix.length));
    calls.set(callId, { caller: index, callee, createdAt: Date.now() });
    ack({ ok: true, callId });
    io.to(roomOf(callee)).emit('call.incoming', {
      callId,
      caller: summaryOf(index),
      media: p.media,
      ringTimeoutMs: 45_000,
    });
    if (speaksParleysProtocol) socket.emit('call.ringing', { callId, callee: summaryOf(callee) });
  });
  socket.on('call.cancel', (p: { callId: string }, ack: (r: unknown) => void) => {
    const call = calls.get(p.callId);
    calls.delete(p.callId);
    ack({ ok: true });
    if (!call) return;
    const ended = { callId: p.callId, reason: 'cancelled' };
    io.to(roomOf(call.callee)).emit('call.ended', ended);
    if (!speaksParleysProtocol) return;
    socket.emit('call.ended', ended);
    const endedAt = Date.now();
    io.to(roomOf(call.caller)).emit('history.entry', {
      entry: historyEntry(p.callId, call, call.callee, false, endedAt),
    });
    io.to(roomOf(call.callee)).emit('history.entry', {
      entry: historyEntry(p.callId, call, call.caller, true, endedAt),
    });
    const unseen = (unseenOf.get(call.callee) ?? 0) + 1;
    unseenOf.set(call.callee, unseen);
    io.to(roomOf(call.callee)).emit('history.unseen', { unseenMissedCalls: unseen });
  });
  socket.on('presence.update', (p: { away: boolean }, ack: (r: unknown) => void) => {
    const presence = p.away ? 'away' : 'online';
    ack({ ok: true, presence, dnd: false });
    io.to(contactRoomsOf[index]!).emit('presence.changed', { username, presence });
    if (speaksParleysProtocol) socket.emit('presence.self', { presence, dnd: false });
  });
});

// Parley's listen backlog (LISTEN_BACKLOG of signaling/server.ts): a restart's reconnects queue alike.
http.listen({ port: Number(portText), host: HOST, backlog: 4096 }, () => {
  const { port } = http.address() as AddressInfo;
  console.log(
    JSON.stringify({ level: 30, msg: 'signaling server listening', url: `http://${HOST}:${port}` }),
  );
});
process.once('SIGTERM', () => io.close(() => process.exit(0)));
