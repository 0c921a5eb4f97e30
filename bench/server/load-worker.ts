/**
 * A load-generator process of the server benchmark (started by main.ts with `fork`): connects its share
 * of the seeded accounts with socket.io-client, then on command rings pairs of them and toggles their
 * presence at a given rate, recording when each event was sent and received. It speaks the Parley wire
 * protocol; the bare baseline server (bare-server.ts) answers the same events. With `--restart` it also
 * holds the restart phase's clients (restart-clients.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { forEachContactPair } from '../../signaling/contact-ring.js';
import type { PresenceBatch, PresenceChanged } from '../../signaling/protocol/index.js';
import { monotonicMs } from './proc.js';
import type { Account, ErrorCounts, WorkerCommand, WorkerReport, WorkerSetup } from './messages.js';
import { RestartClients } from './restart-clients.js';

/** A pair still in its call this long after the invite counts as timed out and is freed. */
const PAIR_TIMEOUT_MS = 10_000;
/** How often the rate schedulers wake up to send what is due. */
const TICK_MS = 5;

interface Client extends Account {
  socket?: Socket;
  /** Each contact's presence as this client last heard it (index -> 1 away, 0 online). */
  heard: Map<number, number>;
}

interface Pair {
  a: Client;
  b: Client;
  /** Who calls next: a (false) or b (true); alternates so each account invites half as often. */
  bCalls: boolean;
  busy: boolean;
  sentAt: number;
  callId?: string;
  rang: boolean;
  cancelled: boolean;
  ended: boolean;
}

type Ack = { ok: true; callId?: string } | { ok: false; error: { code: string } };

const setup = await new Promise<WorkerSetup>((resolve) => process.once('message', resolve));
const send = (report: WorkerReport) => process.send!(report);
const clients: Client[] = setup.accounts.map((a) => ({ ...a, heard: new Map() }));
const byIndex = new Map(clients.map((c) => [c.index, c]));
const indexOf = (username: string) => Number(username.slice(setup.prefix.length));
const count = (errors: ErrorCounts, code: string) => (errors[code] = (errors[code] ?? 0) + 1);

const pairs: Pair[] = [];
const pairOf = new Map<number, Pair>();
for (let i = 0; i + 1 < clients.length; i += 2) {
  const pair: Pair = {
    a: clients[i]!,
    b: clients[i + 1]!,
    bCalls: false,
    busy: false,
    sentAt: 0,
    rang: false,
    cancelled: false,
    ended: false,
  };
  pairs.push(pair);
  pairOf.set(pair.a.index, pair).set(pair.b.index, pair);
}

/**
 * This worker's own event-loop delay (less the 5 ms sampling interval), reset when a phase starts: a
 * worker that falls behind stamps receipts late, which would show as server latency.
 */
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
const delayP99Ms = () => Math.max(0, delay.percentile(99) / 1e6 - 5);

const ring = { latencies: [] as number[], errors: {} as ErrorCounts, timedOut: 0 };
let presenceReceipts: number[] = [];
let recordingPresence = false;
let disconnected = 0;
let shutdownNotices = 0;

function connectOne(client: Client): Promise<number | string> {
  const started = monotonicMs();
  const socket = io(setup.url, {
    transports: ['websocket'],
    auth: { token: client.token, deviceId: `bench-${client.index.toString().padStart(8, '0')}` },
    reconnection: false,
    forceNew: true,
  });
  client.socket = socket;
  const heard = (p: PresenceChanged) => {
    const from = indexOf(p.username);
    const state = p.presence === 'away' ? 1 : 0;
    client.heard.set(from, state);
    if (recordingPresence) presenceReceipts.push(from, state, monotonicMs(), client.index);
  };
  socket.on('presence.changed', heard);
  socket.on('presence.batch', ({ changes }: PresenceBatch) => changes.forEach(heard));
  socket.on('call.incoming', () => {
    const pair = pairOf.get(client.index);
    if (!pair?.busy || pair.rang) return;
    ring.latencies.push(monotonicMs() - pair.sentAt);
    pair.rang = true;
    cancelWhenRung(pair);
  });
  socket.on('call.ended', (e: { callId: string }) => {
    const pair = pairOf.get(client.index);
    if (pair?.busy && e.callId === pair.callId && callee(pair) === client) {
      pair.ended = true;
      freeWhenDone(pair);
    }
  });
  socket.on('server.shutdown', () => shutdownNotices++);
  socket.on('disconnect', () => disconnected++);
  return new Promise((resolve) => {
    socket.once('session.ready', () => resolve(monotonicMs() - started));
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) =>
      resolve(err.data?.code ?? err.message),
    );
  });
}

/** How many of this worker's clients (in order) have been connected so far. */
let connectedSoFar = 0;

/** Connects the clients after those connected so far, up to (not including) index `upTo` of this worker's. */
async function connectNext(concurrency: number, upTo: number): Promise<void> {
  const latencies: number[] = [];
  const errors: ErrorCounts = {};
  let next = connectedSoFar;
  connectedSoFar = upTo;
  const lane = async () => {
    while (next < upTo) {
      const result = await connectOne(clients[next++]!);
      if (typeof result === 'number') latencies.push(result);
      else count(errors, result);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  send({ type: 'connected', connected: latencies.length, errors, latencies: Float64Array.from(latencies) });
}

const caller = (p: Pair) => (p.bCalls ? p.b : p.a);
const callee = (p: Pair) => (p.bCalls ? p.a : p.b);

function invite(pair: Pair): void {
  Object.assign(pair, {
    busy: true,
    sentAt: monotonicMs(),
    callId: undefined,
    rang: false,
    cancelled: false,
    ended: false,
  });
  caller(pair).socket!.emit('call.invite', { callee: callee(pair).username, media: 'audio' }, (ack: Ack) => {
    if (!ack.ok) {
      count(ring.errors, ack.error.code);
      return release(pair);
    }
    pair.callId = ack.callId;
    cancelWhenRung(pair);
  });
}

/** The caller cancels once it has the call id and the callee's device rang: the pair is then free again. */
function cancelWhenRung(pair: Pair): void {
  if (!pair.rang || pair.callId === undefined) return;
  caller(pair).socket!.emit('call.cancel', { callId: pair.callId }, (ack: Ack) => {
    if (!ack.ok) count(ring.errors, `cancel:${ack.error.code}`);
    pair.cancelled = true;
    freeWhenDone(pair);
  });
}

function freeWhenDone(pair: Pair): void {
  if (pair.cancelled && pair.ended) release(pair);
}

function release(pair: Pair): void {
  pair.busy = false;
  pair.bCalls = !pair.bCalls;
}

/** Calls `act` `rate` times a second for `seconds`, spread evenly; resolves with how many were due. */
async function atRate(rate: number, seconds: number, act: () => void): Promise<number> {
  const started = monotonicMs();
  let done = 0;
  const total = Math.round(rate * seconds);
  while (done < total) {
    const due = Math.min(total, Math.floor(((monotonicMs() - started) / 1000) * rate));
    for (; done < due; done++) act();
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  return total;
}

async function ringAtRate(rate: number, seconds: number): Promise<void> {
  delay.reset();
  ring.latencies = [];
  ring.errors = {};
  ring.timedOut = 0;
  let sent = 0;
  let skipped = 0;
  let cursor = 0;
  await atRate(rate, seconds, () => {
    const now = monotonicMs();
    for (let tried = 0; tried < pairs.length; tried++) {
      const pair = pairs[cursor++ % pairs.length]!;
      if (pair.busy && now - pair.sentAt > PAIR_TIMEOUT_MS) {
        ring.timedOut++;
        release(pair);
      }
      if (!pair.busy) {
        invite(pair);
        sent++;
        return;
      }
    }
    skipped++;
  });
  // The last invites' rings and cancels.
  const deadline = monotonicMs() + PAIR_TIMEOUT_MS;
  while (pairs.some((p) => p.busy) && monotonicMs() < deadline) await new Promise((r) => setTimeout(r, 20));
  ring.timedOut += pairs.filter((p) => p.busy).length;
  const { latencies, errors, timedOut } = ring;
  send({
    type: 'ring-done',
    sent,
    skipped,
    timedOut,
    errors,
    latencies: Float64Array.from(latencies),
    loopDelayP99Ms: delayP99Ms(),
  });
}

async function togglePresence(rate: number, seconds: number): Promise<void> {
  delay.reset();
  presenceReceipts = [];
  recordingPresence = true;
  const sends: number[] = [];
  const errors: ErrorCounts = {};
  const away = new Map<number, boolean>();
  let cursor = 0;
  await atRate(rate, seconds, () => {
    const client = clients[cursor++ % clients.length]!;
    const next = !(away.get(client.index) ?? false);
    away.set(client.index, next);
    sends.push(client.index, next ? 1 : 0, monotonicMs());
    client.socket!.emit('presence.update', { away: next }, (ack: Ack) => {
      if (!ack.ok) count(errors, ack.error.code);
    });
  });
  send({ type: 'presence-sent', sends: Float64Array.from(sends), errors });
}

/** This worker's clients' contacts (index -> contact indexes). */
const contactsOf = new Map<number, number[]>();
forEachContactPair(setup.count, setup.contacts, (a, b) => {
  if (byIndex.has(a)) (contactsOf.get(a) ?? contactsOf.set(a, []).get(a)!).push(b);
  if (byIndex.has(b)) (contactsOf.get(b) ?? contactsOf.set(b, []).get(b)!).push(a);
});

/** (receiver, contact) views checked against the contact's last sent state, and how many differ. */
function checkFinalStates(finalStates: Int8Array): { finalChecked: number; finalWrong: number } {
  let finalChecked = 0;
  let finalWrong = 0;
  for (const client of clients) {
    for (const contact of contactsOf.get(client.index) ?? []) {
      const expected = finalStates[contact]!;
      if (expected < 0) continue; // never toggled
      finalChecked++;
      if ((client.heard.get(contact) ?? 0) !== expected) finalWrong++;
    }
  }
  return { finalChecked, finalWrong };
}

/** Stops recording and checks each client's view of its contacts against their last sent state. */
function collectPresence(finalStates: Int8Array): void {
  recordingPresence = false;
  const { finalChecked, finalWrong } = checkFinalStates(finalStates);
  send({
    type: 'presence-received',
    receipts: Float64Array.from(presenceReceipts),
    finalChecked,
    finalWrong,
    loopDelayP99Ms: delayP99Ms(),
  });
  presenceReceipts = [];
}

/** The restart phase's clients (`--restart`), connected after the other phases' have gone. */
const restartClients = new RestartClients();

/**
 * Closes every client's connection, as an app that quits (or a network that goes) does; the next `connect`
 * connects them again, with the same token and device id. Their listeners go with their sockets, so
 * these closes are not counted as the shutdown's disconnects.
 */
function disconnectAll(): void {
  let closed = 0;
  for (const client of clients) {
    if (!client.socket) continue;
    client.socket.removeAllListeners();
    client.socket.close();
    client.socket = undefined;
    client.heard.clear();
    closed++;
  }
  connectedSoFar = 0;
  send({ type: 'disconnected-all', closed });
}

process.on('message', (command: WorkerCommand) => {
  switch (command.type) {
    case 'connect':
      return void connectNext(command.concurrency, Math.min(command.upTo, clients.length));
    case 'disconnect-all':
      return disconnectAll();
    case 'ring':
      return void ringAtRate(command.rate, command.seconds);
    case 'presence':
      return void togglePresence(command.rate, command.seconds);
    case 'presence-collect':
      return collectPresence(command.finalStates);
    case 'presence-check':
      return send({
        type: 'presence-checked',
        finalWrong: checkFinalStates(command.finalStates).finalWrong,
        receipts: presenceReceipts.length / 4,
      });
    case 'count-disconnects':
      return send({ type: 'disconnects', disconnected, shutdownNotices });
    case 'restart-connect':
      return void restartClients
        .connect(setup.accounts, command.url, command.concurrency, command.backOn)
        .then(send);
    case 'restart-mark':
      restartClients.mark();
      return send({ type: 'restart-marked' });
    case 'restart-report':
      return send(restartClients.report(command.happenings));
    case 'restart-close':
      restartClients.close();
      return send({ type: 'restart-closed' });
    case 'exit':
      restartClients.close();
      for (const client of clients) client.socket?.close();
      process.exit(0);
  }
});
send({ type: 'ready' });
