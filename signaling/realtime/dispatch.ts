/**
 * Turns client requests into service calls: validates every payload with
 * its zod schema, waits for the connection's setup, refuses a disabled
 * account, applies per-user rate limits, acknowledges with a `Result`, and
 * disconnects a socket that keeps sending garbage.
 */
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { z } from 'zod';
import type { UserRow } from '../db/users.js';
import type { Device } from '../domain.js';
import { AppError, describeInvalid, toProtocolError } from '../errors.js';
import { logLimited } from '../log.js';
import type { Metrics } from '../metrics.js';
import {
  clientRequests,
  type ClientRequestName,
  type RequestResult,
  type Result,
} from '../protocol/index.js';
import { deviceOf, type ParleySocket } from './types.js';

export interface RequestContext {
  user: UserRow;
  device: Device;
  /** Work to do once the acknowledgement is on its way (e.g. ring after the caller has the call id). */
  afterAck(task: () => void): void;
}

/** What a handler returns: a request whose result is empty may return nothing (the service's own promise). */
type HandlerResult<K extends ClientRequestName> =
  Record<string, never> extends RequestResult<K> ? RequestResult<K> | void : RequestResult<K>;

export type RequestHandlers = {
  [K in ClientRequestName]: (
    ctx: RequestContext,
    payload: z.output<(typeof clientRequests)[K]['payload']>,
  ) => Promise<HandlerResult<K>> | HandlerResult<K>;
};

export interface DispatchOptions {
  handlers: RequestHandlers;
  /** Per-user limit of each request (`limits.ts`). */
  limits: Record<ClientRequestName, RateLimiterAbstract>;
  /** Counts bad messages per connection; past its points the socket is closed. */
  abuse: RateLimiterMemory;
  /** Counts the refusals of both. */
  metrics: Metrics;
  /** The user's row now (a disabled account's requests are refused). */
  findUser(userId: number): Promise<UserRow | undefined>;
  log: Logger;
}

const requestNames = new Set<string>(Object.keys(clientRequests));
type Ack = (result: Result<object>) => void;
type AnyListener = (this: ParleySocket, event: string, ...args: unknown[]) => void;
const ignore = (): void => undefined;

/**
 * One per server. Every connection's events go to one shared listener, which finds the connection in
 * `this` (Socket.IO calls `onAny` listeners on the socket): a connection holds no closures of its own,
 * only its slot in Socket.IO's listener list (memory per idle client, issue 12).
 */
export class RequestDispatcher {
  /** Connections whose setup has not finished (or failed): their requests wait for it. */
  private readonly settingUp = new WeakMap<ParleySocket, Promise<void>>();
  /**
   * The any-listener list every socket shares. `onAny` would give each socket an array of its own, with
   * room for 17 listeners (152 bytes a connection); Socket.IO only reads the list when an event comes
   * (it copies it first). Frozen: a Socket.IO that changed it in place would throw, not reach every socket.
   */
  private readonly anyListeners: readonly AnyListener[];
  /** At debug level each request is logged (`trace`); otherwise that costs nothing but this flag. */
  private readonly tracing: boolean;

  constructor(private readonly opts: DispatchOptions) {
    this.anyListeners = Object.freeze([sharedListener(this)]);
    this.tracing = opts.log.isLevelEnabled('debug');
  }

  /** Takes the socket's requests once `ready` (its setup) has resolved; if it rejects, they fail. */
  listen(socket: ParleySocket, ready: Promise<void>): void {
    this.settingUp.set(socket, ready);
    ready.then(() => this.settingUp.delete(socket), ignore);
    (socket as unknown as { _anyListeners: readonly AnyListener[] })._anyListeners = this.anyListeners;
  }

  receive(socket: ParleySocket, event: string, args: unknown[]): void {
    if (requestNames.has(event)) {
      if (this.tracing) this.trace(socket, event, args);
      return void this.handle(socket, event as ClientRequestName, args);
    }
    const ack = typeof args.at(-1) === 'function' ? (args.at(-1) as Ack) : undefined;
    reply(socket, String(event).slice(0, 64), ack, {
      ok: false,
      error: { code: 'E_UNKNOWN_EVENT', message: 'unknown event' },
    });
    void this.countAbuse(socket);
  }

  private async handle(socket: ParleySocket, name: ClientRequestName, args: unknown[]): Promise<void> {
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as Ack) : undefined;
    // The count first: a missing payload is a mistake in the call, not a payload of the wrong shape.
    const parsed = args.length === 1 ? clientRequests[name].payload.safeParse(args[0]) : undefined;
    if (!parsed?.success) {
      const message = parsed ? describeInvalid(parsed.error) : 'expected exactly one payload argument';
      reply(socket, name, ack, { ok: false, error: { code: 'E_INVALID', message } });
      return this.countAbuse(socket);
    }
    const device = deviceOf(socket);
    const after: (() => void)[] = [];
    try {
      // Awaited only while it runs: an await costs even when there is nothing to wait for.
      const setup = this.settingUp.get(socket);
      if (setup) await setup;
      const user = await this.opts.findUser(device.userId);
      if (!user || user.disabledAt !== null) {
        reply(socket, name, ack, { ok: false, error: { code: 'E_UNAUTHORIZED', message: 'session ended' } });
        socket.disconnect(true);
        return;
      }
      try {
        await this.opts.limits[name].consume(device.userId);
      } catch (err) {
        this.refuse(name, err);
      }
      const handler = this.opts.handlers[name] as (
        ctx: RequestContext,
        p: unknown,
      ) => Promise<object | void> | object | void;
      // A bound push rather than an arrow: tsx (esbuild's keepNames) names an arrow written as a property
      // each time it is made, which cost 0.4 KB and a few µs a request.
      const result = await handler({ user, device, afterAck: after.push.bind(after) }, parsed.data);
      reply(socket, name, ack, { ok: true, ...result });
      for (const task of after) task();
    } catch (err) {
      if (!(err instanceof AppError)) this.opts.log.error({ err, event: name }, 'request failed');
      else this.opts.log.debug({ ...device, event: name, code: err.code }, 'request refused');
      reply(socket, name, ack, { ok: false, error: toProtocolError(err) });
    }
  }

  /**
   * Logs the request as it arrives and its answer when it goes, with how long it took (a request that
   * is never answered shows as its first line alone): `args`' acknowledgement is wrapped to say so.
   */
  private trace(socket: ParleySocket, event: string, args: unknown[]): void {
    const { userId, deviceId } = deviceOf(socket);
    this.opts.log.debug({ userId, deviceId, event }, 'request');
    const ack = args.at(-1);
    if (typeof ack !== 'function') return;
    const since = performance.now();
    args[args.length - 1] = (result: Result<object>) => {
      const ms = Math.round((performance.now() - since) * 10) / 10;
      const code = result.ok ? undefined : result.error.code;
      this.opts.log.debug({ userId, deviceId, event, ms, code }, 'request answered');
      (ack as Ack)(result);
    };
  }

  private async countAbuse(socket: ParleySocket): Promise<void> {
    try {
      await this.opts.abuse.consume(socket.id);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      this.opts.metrics.rateLimited.inc({ limiter: 'bad-messages' });
      const { userId, deviceId } = deviceOf(socket);
      logLimited(
        this.opts.log,
        'warn',
        'bad-messages',
        { userId, deviceId },
        'closing connection: too many bad messages',
      );
      socket.disconnect(true);
    }
  }

  /** Turns the refusal of a request's rate limit into E_RATE_LIMITED (anything else is rethrown). */
  private refuse(name: ClientRequestName, err: unknown): never {
    if (!(err instanceof RateLimiterRes)) throw err;
    this.opts.metrics.rateLimited.inc({ limiter: name });
    throw new AppError('E_RATE_LIMITED', 'slow down', err.msBeforeNext);
  }
}

/** The `onAny` listener all of a dispatcher's sockets share: Socket.IO calls it with the socket as `this`. */
function sharedListener(dispatcher: RequestDispatcher): AnyListener {
  return function (this: ParleySocket, event: string, ...args: unknown[]) {
    dispatcher.receive(this, event, args);
  };
}

/** Acknowledges a request; a failed one sent without an acknowledgement gets `protocol.error`. */
function reply(socket: ParleySocket, event: string, ack: Ack | undefined, result: Result<object>): void {
  if (ack) ack(result);
  else if (!result.ok) socket.emit('protocol.error', { event, ...result.error });
}

/** A fixed-window limiter in memory: per connection for bad messages (a connection lives on one node). */
export const rateLimiter = (points: number, durationSeconds: number, keyPrefix: string): RateLimiterMemory =>
  new RateLimiterMemory({ points, duration: durationSeconds, keyPrefix });
