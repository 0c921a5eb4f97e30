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

export type RequestHandlers = {
  [K in ClientRequestName]: (
    ctx: RequestContext,
    payload: z.output<(typeof clientRequests)[K]['payload']>,
  ) => Promise<RequestResult<K>> | RequestResult<K>;
};

export interface DispatchOptions {
  handlers: RequestHandlers;
  /** Per-user limit of each request (`limits.ts`). */
  limits: Record<ClientRequestName, RateLimiterAbstract>;
  /** Counts bad messages per connection; past its points the socket is closed. */
  abuse: RateLimiterMemory;
  /** Counts the refusals of both. */
  metrics: Metrics;
  /** The connection's current user, or undefined if it was disabled since the handshake. */
  currentUser(): UserRow | undefined;
  log: Logger;
}

const requestNames = new Set<string>(Object.keys(clientRequests));
type Ack = (result: Result<object>) => void;

export function bindRequests(socket: ParleySocket, ready: Promise<void>, opts: DispatchOptions): void {
  const device = deviceOf(socket);

  const reply = (event: string, ack: Ack | undefined, result: Result<object>): void => {
    if (ack) ack(result);
    else if (!result.ok) socket.emit('protocol.error', { event, ...result.error });
  };

  const countAbuse = async (): Promise<void> => {
    try {
      await opts.abuse.consume(socket.id);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      opts.metrics.rateLimited.inc({ limiter: 'bad-messages' });
      logLimited(
        opts.log,
        'warn',
        'bad-messages',
        { userId: device.userId, deviceId: device.deviceId },
        'closing connection: too many bad messages',
      );
      socket.disconnect(true);
    }
  };

  /** Takes a point of the user's limit for this request, or refuses it. */
  const limit = async (name: ClientRequestName): Promise<void> => {
    try {
      await opts.limits[name].consume(device.userId);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      opts.metrics.rateLimited.inc({ limiter: name });
      throw new AppError('E_RATE_LIMITED', 'slow down', err.msBeforeNext);
    }
  };

  const handle = async (name: ClientRequestName, args: unknown[]): Promise<void> => {
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as Ack) : undefined;
    // The count first: a missing payload is a mistake in the call, not a payload of the wrong shape.
    const parsed = args.length === 1 ? clientRequests[name].payload.safeParse(args[0]) : undefined;
    if (!parsed?.success) {
      const message = parsed ? describeInvalid(parsed.error) : 'expected exactly one payload argument';
      reply(name, ack, { ok: false, error: { code: 'E_INVALID', message } });
      return countAbuse();
    }
    const after: (() => void)[] = [];
    try {
      await ready;
      const user = opts.currentUser();
      if (!user) {
        reply(name, ack, { ok: false, error: { code: 'E_UNAUTHORIZED', message: 'session ended' } });
        socket.disconnect(true);
        return;
      }
      await limit(name);
      const handler = opts.handlers[name] as (ctx: RequestContext, p: unknown) => Promise<object> | object;
      const result = await handler({ user, device, afterAck: (task) => after.push(task) }, parsed.data);
      reply(name, ack, { ok: true, ...result });
      for (const task of after) task();
    } catch (err) {
      if (!(err instanceof AppError)) opts.log.error({ err, event: name }, 'request failed');
      reply(name, ack, { ok: false, error: toProtocolError(err) });
    }
  };

  // One listener for every event rather than one per request name: a connection holds ~20 fewer
  // closures and listener slots (memory per idle client, issue 12).
  socket.onAny((event: string, ...args: unknown[]) => {
    if (requestNames.has(event)) return void handle(event as ClientRequestName, args);
    const ack = typeof args.at(-1) === 'function' ? (args.at(-1) as Ack) : undefined;
    reply(String(event).slice(0, 64), ack, {
      ok: false,
      error: { code: 'E_UNKNOWN_EVENT', message: 'unknown event' },
    });
    void countAbuse();
  });
}

/** A fixed-window limiter in memory: per connection for bad messages (a connection lives on one node). */
export const rateLimiter = (points: number, durationSeconds: number, keyPrefix: string): RateLimiterMemory =>
  new RateLimiterMemory({ points, duration: durationSeconds, keyPrefix });
