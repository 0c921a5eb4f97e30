/**
 * The renderer's connection to the signaling server: a typed Socket.IO
 * client that validates every server message against the protocol schemas
 * (a malformed one is reported, never thrown into the app) and turns
 * requests into promises of `Result`s.
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

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/**
 * Why the connection stopped for good: a refused or revoked session (E_UNAUTHORIZED) or E_REPLACED (same
 * device elsewhere).
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
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 10_000;

export type RequestOutcome<K extends ClientRequestName> =
  | ({ ok: true } & RequestResult<K>)
  | { ok: false; error: ProtocolError | { code: 'E_NETWORK'; message: string } };

export class SignalingClient extends Emitter<ClientEvents> {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;
  private status: ConnectionStatus = 'disconnected';

  /**
   * Connects (and keeps reconnecting) with a session token and this device's id. When the server says
   * the id belongs to another sign-in (E_DEVICE_TAKEN), `renewDeviceId` makes a fresh one to retry with.
   */
  connect(serverUrl: string, token: string, deviceId: string, renewDeviceId: () => string): void {
    this.disconnect();
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(serverUrl, {
      transports: ['websocket'],
      auth: { token, deviceId },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    this.socket = socket;
    this.setStatus('connecting');
    socket.on('connect', () => {
      this.retries = 0;
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
      if (!socket.active && this.status === 'disconnected') return; // stopped on purpose above
      this.setStatus('reconnecting');
      // The server closed us on purpose (shutdown, a newer connection): Socket.IO will not retry by itself.
      if (reason === 'io server disconnect') this.retryLater(socket);
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const code = err.data?.code;
      if (code === 'E_UNAUTHORIZED') return this.stop(socket, { code, message: err.message });
      if (code === 'E_DEVICE_TAKEN') socket.auth = { token, deviceId: renewDeviceId() };
      this.setStatus('reconnecting');
      // A refusal by the server (e.g. E_SHUTTING_DOWN) leaves the socket inactive: Socket.IO gives up.
      if (!socket.active) this.retryLater(socket);
    });
    socket.onAny((event: string, payload: unknown) => this.receive(event, payload));
  }

  /** Stops for good with an error: no reconnect from here, not even when told to reconnect now. */
  private stop(socket: Socket, error: StatusError): void {
    clearTimeout(this.retryTimer);
    if (this.socket === socket) this.socket = undefined;
    this.setStatus('disconnected', error);
    socket.disconnect();
  }

  /** Retries at once when the connection is down (after sleep or a network change), instead of waiting out the backoff. */
  reconnectNow(): void {
    if (this.socket && !this.socket.connected) this.socket.connect();
  }

  /**
   * Drops the connection, even one that looks open, and connects again at once. After the machine's
   * address changed, the connection from the old address neither answers nor closes; Socket.IO's
   * heartbeat would notice only after pingInterval + pingTimeout (45 s by default).
   */
  reconnect(): void {
    const socket = this.socket;
    if (!socket) return;
    if (socket.connected) socket.disconnect();
    socket.connect();
  }

  /** Reconnects after a growing pause, unless this socket has been replaced or closed meanwhile. */
  private retryLater(socket: Socket): void {
    clearTimeout(this.retryTimer);
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.retries++);
    this.retryTimer = setTimeout(() => {
      if (this.socket === socket && !socket.connected) socket.connect();
    }, delay);
  }

  disconnect(): void {
    clearTimeout(this.retryTimer);
    this.status = 'disconnected';
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = undefined;
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
    const parsed = serverEvents[name].safeParse(payload);
    if (!parsed.success) {
      this.emit('malformed-message', { event, problem: parsed.error.message });
      return;
    }
    (this.emit as (e: ServerEventName, p: unknown) => void)(name, parsed.data);
  }
}
