/**
 * A stand-in for SignalingClient in unit tests of the renderer's domains: the test plays the server. It
 * pushes server events (`push`), answers requests (`answer`; unanswered ones fail with E_NETWORK, as
 * with no connection) and reads what was asked (`sent`).
 */
import type { ClientRequestName, RequestPayload, SessionReady } from '../../signaling/protocol/index.js';
import type { ClientEvents, RequestOutcome } from '../net/signaling-client.js';
import { Emitter } from '../util/emitter.js';

type Answer<K extends ClientRequestName> = (payload: RequestPayload<K>) => RequestOutcome<K>;

export class FakeSignaling extends Emitter<ClientEvents> {
  readonly sent: { event: ClientRequestName; payload: unknown }[] = [];
  private readonly answers = new Map<ClientRequestName, Answer<never>>();

  answer<K extends ClientRequestName>(event: K, reply: Answer<K>): void {
    this.answers.set(event, reply as Answer<never>);
  }

  async request<K extends ClientRequestName>(
    event: K,
    payload: RequestPayload<K>,
  ): Promise<RequestOutcome<K>> {
    this.sent.push({ event, payload });
    const reply = this.answers.get(event) as Answer<K> | undefined;
    return reply
      ? reply(payload)
      : { ok: false, error: { code: 'E_NETWORK', message: 'not answered in this test' } };
  }

  /** The payloads sent with one request, in order. */
  sentOf<K extends ClientRequestName>(event: K): RequestPayload<K>[] {
    return this.sent.filter((s) => s.event === event).map((s) => s.payload as RequestPayload<K>);
  }

  /** The server (or the client itself) says something. */
  push<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    this.emit(event, payload);
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
