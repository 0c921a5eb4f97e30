/**
 * The renderer's connection to the signaling server: a typed Socket.IO
 * client that validates every server message against the protocol schemas
 * (a malformed one is reported, never thrown into the app) and turns
 * requests into promises of `Result`s. It alone decides when to connect
 * again (`retry`, on the schedule of its ReconnectPolicy; Socket.IO's own
 * reconnection is off), and `setStatus` alone changes its status.
 */
import { io, type Socket } from 'socket.io-client';
import {
  clientRequests,
  requestResultSchemas,
  serverEvents,
  type ClientRequestName,
  type ClientToServerEvents,
  type ProtocolError,
  type RequestPayload,
  type RequestResult,
  type ServerEventName,
  type ServerEventPayload,
  type ServerToClientEvents,
} from '../../signaling/protocol/index.js';
import { Emitter } from '../util/emitter.js';
import { BackoffPolicy, type DropReason, type ReconnectPolicy } from './reconnect-policy.js';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/**
 * Why the connection stopped for good: a refused or revoked session (E_UNAUTHORIZED), E_REPLACED (same
 * device elsewhere) or E_TOO_MANY_DEVICES (the account's other devices fill its quota).
 */
export interface StatusError {
  code: string;
  message: string;
}

export type ServerEventHandlers = { [K in ServerEventName]: ServerEventPayload<K> };

/** What a SignalingClient emits: every server event (validated), its status, and malformed messages. */
export interface ClientEvents extends ServerEventHandlers {
  status: { status: ConnectionStatus; error?: StatusError };
  /** A server message that did not match the protocol: the app carries on without it. */
  'malformed-message': { event: string; problem: string };
}

const REQUEST_TIMEOUT_MS = 10_000;
/**
 * How long a connection attempt may go unanswered before it is given up and tried again. Socket.IO bounds
 * only the transport's opening (20 s); a server that opened the transport but never answers the connect
 * (stuck, or a proxy whose upstream hangs) would otherwise hold the client "reconnecting" for good. Longer
 * than that: a node taking thousands of reconnections at once (a restart) answers the last ones after
 * many seconds, and an attempt given up there would only be queued again behind the others.
 */
const ATTEMPT_TIMEOUT_MS = 30_000;
/** How many of the connection's latest happenings `happenings()` keeps. */
const HAPPENINGS_KEPT = 40;

/** Something that happened to the connection (an attempt, its outcome, a drop, a retry), for support. */
export interface ConnectionHappening {
  /** Date.now() */
  at: number;
  what: string;
}

export type RequestOutcome<K extends ClientRequestName> =
  | ({ ok: true } & RequestResult<K>)
  | { ok: false; error: ProtocolError | { code: 'E_NETWORK'; message: string } };

/**
 * Whether a failed request may succeed if sent again later: it did not get through or got no answer
 * (E_NETWORK), or the server could not reach its storage (E_UNAVAILABLE). Any other answer is final.
 */
export const mayTryAgain = (code: string): boolean => code === 'E_NETWORK' || code === 'E_UNAVAILABLE';

export class SignalingClient extends Emitter<ClientEvents> {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Retries since the connection was last up. */
  private attempt = 0;
  private status: ConnectionStatus = 'disconnected';
  /**
   * A connection attempt is on its way: Socket.IO's transport may be open, but the server has not answered
   * the connect yet. Connecting again then would send a second connect on the same transport, which the
   * server takes for a second connection of this device; the newer one replaces ours (session.replaced)
   * and this client stops for good. A slow handshake (a loaded server) made that window wide.
   */
  private connecting = false;
  /** Gives up the attempt on its way if it stays unanswered (ATTEMPT_TIMEOUT_MS). */
  private attemptTimer: ReturnType<typeof setTimeout> | undefined;
  /** The latest happenings, oldest first. */
  private readonly recent: ConnectionHappening[] = [];

  constructor(
    private readonly policy: ReconnectPolicy = new BackoffPolicy(),
    private readonly attemptTimeoutMs = ATTEMPT_TIMEOUT_MS,
  ) {
    super();
  }

  /**
   * Connects (and keeps reconnecting) with a session token and this device's id. When the server says
   * the id belongs to another sign-in (E_DEVICE_TAKEN), `renewDeviceId` makes a fresh one to retry with.
   */
  connect(serverUrl: string, token: string, deviceId: string, renewDeviceId: () => string): void {
    this.disconnect();
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(serverUrl, {
      transports: ['websocket'],
      auth: { token, deviceId },
      reconnection: false, // retry() decides
    });
    this.socket = socket;
    this.note(`connecting to ${serverUrl}`);
    this.attemptStarted(socket); // io() connects at once
    this.setStatus('connecting');
    const attemptEnded = () => {
      if (this.socket !== socket) return;
      this.connecting = false;
      clearTimeout(this.attemptTimer);
    };
    socket.on('connect', () => {
      this.note('connected');
      attemptEnded();
      clearTimeout(this.retryTimer);
      this.attempt = 0;
      this.setStatus('connected');
    });
    // The same device connected again elsewhere (a duplicated tab): let that one have it.
    socket.on('session.replaced', () =>
      this.stop(socket, { code: 'E_REPLACED', message: 'this device connected again elsewhere' }),
    );
    // Signed out elsewhere, account disabled or session expired: the token is dead, sign in again.
    socket.on('session.revoked', ({ reason }) =>
      this.stop(socket, { code: 'E_UNAUTHORIZED', message: `session ended: ${reason}` }),
    );
    socket.on('disconnect', (reason) => {
      this.note(`disconnected: ${reason}`);
      attemptEnded();
      // The server closed us on purpose (shutdown, a newer connection), or the connection was lost.
      this.retry(socket, reason === 'io server disconnect' ? 'server' : 'transport');
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const code = err.data?.code;
      this.note(`attempt failed: ${err.message}${code ? ` (${code})` : ''}`);
      attemptEnded();
      // A dead token, or too many devices signed in (trying again changes nothing until the person acts).
      if (code === 'E_UNAUTHORIZED' || code === 'E_TOO_MANY_DEVICES')
        return this.stop(socket, { code, message: err.message });
      if (code === 'E_DEVICE_TAKEN') socket.auth = { token, deviceId: renewDeviceId() };
      // A refusal by the server (e.g. E_SHUTTING_DOWN) leaves the socket inactive; a network error does not.
      this.retry(socket, socket.active ? 'transport' : 'server');
    });
    socket.onAny((event: string, payload: unknown) => this.receive(event, payload));
  }

  /** Stops for good with an error: no reconnect from here, not even when told to reconnect now. */
  private stop(socket: Socket, error: StatusError): void {
    this.note(`stopped: ${error.code} ${error.message}`);
    clearTimeout(this.retryTimer);
    clearTimeout(this.attemptTimer);
    if (this.socket === socket) this.socket = undefined;
    this.setStatus('disconnected', error);
    socket.disconnect();
  }

  /** Retries at once when the connection is down (after sleep or a network change), instead of waiting out the backoff. */
  reconnectNow(): void {
    if (!this.socket || this.socket.connected || this.connecting) return;
    clearTimeout(this.retryTimer);
    this.startAttempt(this.socket);
  }

  /**
   * Drops the connection, even one that looks open, and connects again at once. After the machine's
   * address changed, the connection from the old address neither answers nor closes; Socket.IO's
   * heartbeat would notice only after pingInterval + pingTimeout (45 s by default).
   */
  reconnect(): void {
    const socket = this.socket;
    if (!socket) return;
    this.note('reconnecting now: the connection may be dead');
    // An attempt on its way may be as stuck as the connection: it goes too (its transport closes with it).
    if (socket.connected || this.connecting) this.drop(socket);
    this.reconnectNow();
  }

  /** The one place that starts a connection attempt on an existing socket (never a second at once). */
  private startAttempt(socket: Socket): void {
    if (socket.connected || this.connecting) return;
    this.note('connecting');
    this.attemptStarted(socket);
    socket.connect();
  }

  /** An attempt is on its way on `socket`: no second one meanwhile, and it is given up if unanswered. */
  private attemptStarted(socket: Socket): void {
    this.connecting = true;
    clearTimeout(this.attemptTimer);
    this.attemptTimer = setTimeout(() => {
      if (this.socket !== socket || !this.connecting) return;
      this.note(`attempt unanswered after ${this.attemptTimeoutMs} ms: given up`);
      this.drop(socket); // not connected, so no 'disconnect' event: retried here
      this.retry(socket, 'transport');
    }, this.attemptTimeoutMs);
  }

  /** Closes the connection or the attempt on its way, and its transport; the socket can connect again. */
  private drop(socket: Socket): void {
    this.connecting = false;
    clearTimeout(this.attemptTimer);
    socket.disconnect();
  }

  /**
   * The one place that decides whether and when to connect again after a drop: the policy's delay, unless
   * this socket was stopped, let go or replaced meanwhile.
   */
  private retry(socket: Socket, reason: DropReason): void {
    if (this.socket !== socket) return; // stopped or let go on purpose
    this.setStatus('reconnecting');
    clearTimeout(this.retryTimer);
    const delay = this.policy.nextDelayMs({ attempt: this.attempt++, reason });
    if (delay === null)
      return this.stop(socket, { code: 'E_NETWORK', message: 'gave up reconnecting to the server' });
    this.note(`next attempt in ${delay} ms (${reason})`);
    this.retryTimer = setTimeout(() => {
      if (this.socket === socket) this.startAttempt(socket);
    }, delay);
  }

  /** Signing out: no more connection and no retries; the status says disconnected, without an error. */
  disconnect(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.attemptTimer);
    const socket = this.socket;
    this.socket = undefined;
    this.connecting = false;
    socket?.removeAllListeners();
    socket?.disconnect();
    this.setStatus('disconnected');
  }

  /** What happened to the connection lately, oldest first: attempts, their outcomes, drops and retries. */
  happenings(): readonly ConnectionHappening[] {
    return [...this.recent];
  }

  private note(what: string): void {
    this.recent.push({ at: Date.now(), what });
    if (this.recent.length > HAPPENINGS_KEPT) this.recent.shift();
  }

  /** Sends a request; resolves with the server's result, or E_NETWORK after `timeoutMs` (never rejects). */
  async request<K extends ClientRequestName>(
    event: K,
    payload: RequestPayload<K>,
    { timeoutMs = REQUEST_TIMEOUT_MS }: { timeoutMs?: number } = {},
  ): Promise<RequestOutcome<K>> {
    const socket = this.socket;
    if (!socket?.connected) return { ok: false, error: { code: 'E_NETWORK', message: 'not connected' } };
    const checked = clientRequests[event].payload.safeParse(payload);
    if (!checked.success) return { ok: false, error: { code: 'E_INVALID', message: checked.error.message } };
    let raw: unknown;
    try {
      const timed = socket.timeout(timeoutMs);
      const emit = timed.emitWithAck as (e: string, p: unknown) => Promise<unknown>;
      raw = await emit.call(timed, event, payload);
    } catch {
      return { ok: false, error: { code: 'E_NETWORK', message: `no answer to ${event}` } };
    }
    const parsed = requestResultSchemas[event].safeParse(raw);
    if (!parsed.success) {
      this.emit('malformed-message', { event, problem: parsed.error.message });
      return { ok: false, error: { code: 'E_NETWORK', message: `malformed answer to ${event}` } };
    }
    return parsed.data as RequestOutcome<K>;
  }

  /** Announces a status once, not again while it stays the same. */
  private setStatus(status: ConnectionStatus, error?: StatusError): void {
    if (status === this.status && !error) return;
    this.status = status;
    this.emit('status', error ? { status, error } : { status });
  }

  private receive(event: string, payload: unknown): void {
    if (!(event in serverEvents)) {
      this.emit('malformed-message', { event, problem: 'unknown event' });
      return;
    }
    const name = event as ServerEventName;
    if (name === 'session.ready') this.note('session ready'); // connected is not yet in session
    const parsed = serverEvents[name].safeParse(payload);
    if (!parsed.success) {
      this.emit('malformed-message', { event, problem: parsed.error.message });
      return;
    }
    (this.emit as (e: ServerEventName, p: unknown) => void)(name, parsed.data);
  }
}
