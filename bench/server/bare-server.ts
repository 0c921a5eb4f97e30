/**
 * The baseline of the server benchmark: a bare Socket.IO 4.8 server with Parley's engine options
 * (websocket only, 64 KiB messages, no client bundle, the same Host and Origin check), answering the
 * benchmark's events with the least work that delivers the same messages: a token looked up in a Map
 * at the handshake, one room per user, `call.incoming` / `call.ended` emitted to the callee's room, and
 * `presence.changed` emitted to the contacts' rooms. No database, no validation, no rate limits, no
 * state machine: what it costs is what Socket.IO costs.
 *
 * With `announce` (`--bare-announces`), a connect is also told to the user's contacts' rooms as
 * `presence.changed`, as Parley tells online contacts: without it, bare sends one frame per connect
 * where Parley sends one per online contact too.
 *
 * Run by main.ts: `node --expose-gc --import tsx --import ./bench/server/probe.ts bench/server/bare-server.ts
 * <sessions file> <prefix> <count> <contacts> <port> [announce]` (port 0: any free one; the restart phase
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

const [sessionsFile, prefix, countText, contactsText, portText, announceText] = process.argv.slice(2);
const announcesConnects = announceText === 'announce';
if (!sessionsFile || prefix === undefined || !countText || !contactsText || !portText)
  throw new Error('usage: bare-server.ts <sessions file> <prefix> <count> <contacts> <port> [announce]');

const accountOf = new Map<string, number>(); // token -> index
for (const line of readFileSync(sessionsFile, 'utf8').split('\n')) {
  const [username, token] = line.split('\t');
  if (username && token) accountOf.set(token, Number(username.slice(prefix.length)));
}
const contactsOf: string[][] = Array.from({ length: Number(countText) }, () => []);
forEachContactPair(Number(countText), Number(contactsText), (a, b) => {
  contactsOf[a]!.push(`user:${b}`);
  contactsOf[b]!.push(`user:${a}`);
});

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

/** Live calls: call id -> callee index. */
const calls = new Map<string, number>();

io.use((socket, next) => {
  const index = accountOf.get((socket.handshake.auth as { token?: string }).token ?? '');
  if (index === undefined)
    return next(Object.assign(new Error('invalid session'), { data: { code: 'E_UNAUTHORIZED' } }));
  socket.data = { index, username: `${prefix}${index}` };
  next();
});

io.on('connection', (socket) => {
  const { index, username } = socket.data as { index: number; username: string };
  void socket.join(`user:${index}`);
  socket.emit('session.ready', {});
  if (announcesConnects) io.to(contactsOf[index]!).emit('presence.changed', { username, presence: 'online' });
  socket.on('call.invite', (p: { callee: string; media: string }, ack: (r: unknown) => void) => {
    const callId = randomBytes(16).toString('base64url');
    const callee = Number(p.callee.slice(prefix.length));
    calls.set(callId, callee);
    ack({ ok: true, callId });
    io.to(`user:${callee}`).emit('call.incoming', {
      callId,
      caller: { username, displayName: username },
      media: p.media,
      ringTimeoutMs: 45_000,
    });
  });
  socket.on('call.cancel', (p: { callId: string }, ack: (r: unknown) => void) => {
    const callee = calls.get(p.callId);
    calls.delete(p.callId);
    ack({ ok: true });
    if (callee !== undefined)
      io.to(`user:${callee}`).emit('call.ended', { callId: p.callId, reason: 'cancelled' });
  });
  socket.on('presence.update', (p: { away: boolean }, ack: (r: unknown) => void) => {
    const presence = p.away ? 'away' : 'online';
    ack({ ok: true, presence, dnd: false });
    io.to(contactsOf[index]!).emit('presence.changed', { username, presence });
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
