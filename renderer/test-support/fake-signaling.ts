/**
 * A stand-in for SignalingClient in the renderer's unit tests: the test plays the server. Every request is
 * checked against the protocol's schema first (a message the real server would refuse fails the test) and
 * recorded (`sent`, `sentOf`); every server event pushed (`push`) is checked the same way.
 *
 * A request the test did not `answer` gets, by the `unanswered` option:
 * - `'network-error'` (the default): E_NETWORK at once, as with no connection. The domain tests answer
 *   what they expect to be asked, so anything else shows up as a failure.
 * - `'server'`: what the server says to a valid request: ok, with a call id for `call.invite` and a STUN
 *   server for `ice.servers`. The call engine's tests, which send many requests and look at a few.
 *
 * For the call engine's tests there is more: `dead` makes requests go unanswered (E_NETWORK after their
 * timeout, as SignalingClient reports it), `away` takes the connection down as the client announces it
 * (status `reconnecting`, requests fail at once), `relay` hands the engine's `call.signal`s to the far side,
 * `reconnects` counts the engine's asks for a new connection.
 */
import {
  clientRequests,
  serverEvents,
  type ClientRequestName,
  type Leg,
  type RequestPayload,
  type SessionReady,
  type Signal,
} from '../../signaling/protocol/index.js';
import type { ClientEvents, RequestOutcome } from '../net/signaling-client.js';
import { Emitter } from '../util/emitter.js';

/** A call id as the server makes them (22 base64url characters). */
export const CALL_ID = 'call-id-of-the-test-01';

type Answer<K extends ClientRequestName> = (payload: RequestPayload<K>) => RequestOutcome<K>;

const serverReplies: { [K in ClientRequestName]?: Answer<K> } = {
  'ice.servers': () => ({ ok: true, iceServers: [{ urls: ['stun:stun.example:3478'] }], expiresAt: null }),
  'call.invite': () => ({ ok: true, callId: CALL_ID }),
};

export interface FakeSignalingOptions {
  /** What a request the test did not `answer` gets (see the header). */
  unanswered?: 'network-error' | 'server';
}

export class FakeSignaling extends Emitter<ClientEvents> {
  /** Every request, in order, with the timeout it was sent with. */
  readonly sent: { event: ClientRequestName; payload: unknown; timeoutMs: number | undefined }[] = [];
  /** How often the client was asked for a new connection. */
  reconnects = 0;
  /** The connection is dead without knowing it: nothing is answered. */
  dead = false;
  /** Where the engine's `call.signal`s go (the far side's PeerSession; the caller's address a ringing leg). */
  relay: ((signal: Signal, leg: Leg | undefined) => void) | null = null;
  /** Not connected (the server is away): requests fail at once with E_NETWORK. */
  private down = false;
  private readonly answers = new Map<ClientRequestName, Answer<never>>();

  constructor(private readonly options: FakeSignalingOptions = {}) {
    super();
  }

  answer<K extends ClientRequestName>(event: K, reply: Answer<K>): void {
    this.answers.set(event, reply as Answer<never>);
  }

  async request<K extends ClientRequestName>(
    event: K,
    payload: RequestPayload<K>,
    options: { timeoutMs?: number } = {},
  ): Promise<RequestOutcome<K>> {
    clientRequests[event].payload.parse(payload);
    this.sent.push({ event, payload, timeoutMs: options.timeoutMs });
    if (this.down) return { ok: false, error: { code: 'E_NETWORK', message: 'not connected' } };
    if (this.dead) {
      await new Promise((resolve) => setTimeout(resolve, options.timeoutMs ?? 10_000));
      return { ok: false, error: { code: 'E_NETWORK', message: `no answer to ${event}` } };
    }
    if (event === 'call.signal') {
      const { signal, leg } = payload as RequestPayload<'call.signal'>;
      this.relay?.(signal, leg);
    }
    const answer = this.answers.get(event) as Answer<K> | undefined;
    if (answer) return answer(payload);
    if (this.options.unanswered !== 'server')
      return { ok: false, error: { code: 'E_NETWORK', message: 'not answered in this test' } };
    const reply = serverReplies[event] as Answer<K> | undefined;
    return reply ? reply(payload) : ({ ok: true } as RequestOutcome<K>);
  }

  /** The payloads sent with one request, in order. */
  sentOf<K extends ClientRequestName>(event: K): RequestPayload<K>[] {
    return this.sent.filter((s) => s.event === event).map((s) => s.payload as RequestPayload<K>);
  }

  /** The server pushes an event to this device (checked against the protocol), or the client says something. */
  push<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    if (event in serverEvents) serverEvents[event as keyof typeof serverEvents].parse(payload);
    this.emit(event, payload);
  }

  /** The server goes away (true) or the connection is back (false), as SignalingClient's status says. */
  away(away: boolean): void {
    this.down = away;
    this.emit('status', { status: away ? 'reconnecting' : 'connected' });
  }

  reconnect(): void {
    this.reconnects++;
  }
}

/** A `session.ready` as the server sends it to a fresh device of Ann's, with `changes` on top. */
export function sessionReady(changes: Partial<SessionReady> = {}): SessionReady {
  return {
    user: { username: 'ann', displayName: 'Ann' },
    deviceId: 'device-of-ann',
    presence: 'online',
    dnd: false,
    contacts: [],
    unseenMissedCalls: 0,
    calls: [],
    ...changes,
  };
}
