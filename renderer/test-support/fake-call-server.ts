/**
 * The server's side of calls for CallEngine unit tests, in place of SignalingClient: it answers each request
 * as the server would (checking the payload against the protocol's schema first, so a message the real
 * server would refuse fails the test), records it, and pushes server events (checked the same way). The test
 * plays the rest: `answer` changes a reply, `dead` makes requests go unanswered (E_NETWORK after their
 * timeout, as SignalingClient reports it), `away` takes the connection down as the client announces it
 * (status `reconnecting`, requests fail at once), `relay` hands the engine's `call.signal`s to the far side.
 */
import {
  clientRequests,
  serverEvents,
  type ClientRequestName,
  type Leg,
  type RequestPayload,
  type Signal,
} from '../../signaling/protocol/index.js';
import type { ConnectionStatus, RequestOutcome, ServerEventHandlers } from '../net/signaling-client.js';
import { Emitter } from '../util/emitter.js';

/** A call id as the server makes them (22 base64url characters). */
export const CALL_ID = 'call-id-of-the-test-01';

type Reply<K extends ClientRequestName> = (payload: RequestPayload<K>) => RequestOutcome<K>;

const defaultReplies: { [K in ClientRequestName]?: Reply<K> } = {
  'ice.servers': () => ({ ok: true, iceServers: [{ urls: ['stun:stun.example:3478'] }], expiresAt: null }),
  'call.invite': () => ({ ok: true, callId: CALL_ID }),
};

/** What SignalingClient announces: the server's events, and the connection's status. */
type ClientEvents = ServerEventHandlers & { status: { status: ConnectionStatus } };

export class FakeCallServer extends Emitter<ClientEvents> {
  /** Every request, in order, with the timeout it was sent with. */
  readonly requests: { event: ClientRequestName; payload: unknown; timeoutMs: number | undefined }[] = [];
  /** How often the engine asked for a new connection. */
  reconnects = 0;
  /** The connection is dead without knowing it: nothing is answered. */
  dead = false;
  /** Not connected (the server is away): requests fail at once with E_NETWORK. */
  private down = false;
  /** Where the engine's `call.signal`s go (the far side's PeerSession; the caller's address a ringing leg). */
  relay: ((signal: Signal, leg: Leg | undefined) => void) | null = null;
  private readonly replies = new Map<ClientRequestName, Reply<never>>();

  answer<K extends ClientRequestName>(event: K, reply: Reply<K>): void {
    this.replies.set(event, reply as Reply<never>);
  }

  async request<K extends ClientRequestName>(
    event: K,
    payload: RequestPayload<K>,
    options: { timeoutMs?: number } = {},
  ): Promise<RequestOutcome<K>> {
    clientRequests[event].payload.parse(payload);
    this.requests.push({ event, payload, timeoutMs: options.timeoutMs });
    if (this.down) return { ok: false, error: { code: 'E_NETWORK', message: 'not connected' } };
    if (this.dead) {
      await new Promise((resolve) => setTimeout(resolve, options.timeoutMs ?? 10_000));
      return { ok: false, error: { code: 'E_NETWORK', message: `no answer to ${event}` } };
    }
    if (event === 'call.signal') {
      const { signal, leg } = payload as RequestPayload<'call.signal'>;
      this.relay?.(signal, leg);
    }
    const reply = (this.replies.get(event) ?? defaultReplies[event]) as Reply<K> | undefined;
    return reply ? reply(payload) : ({ ok: true } as RequestOutcome<K>);
  }

  /** The payloads of one request, in order. */
  sentOf<K extends ClientRequestName>(event: K): RequestPayload<K>[] {
    return this.requests.filter((r) => r.event === event).map((r) => r.payload as RequestPayload<K>);
  }

  /** The server pushes an event to this device. */
  push<K extends keyof ServerEventHandlers>(event: K, payload: ServerEventHandlers[K]): void {
    serverEvents[event].parse(payload);
    this.emit(event, payload as ClientEvents[K]);
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
