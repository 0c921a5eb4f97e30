/**
 * The HTTP side of the server: health check and the account endpoints
 * (register, sign in, sign out) with JSON bodies validated by the protocol
 * schemas. Socket.IO handles its own path on the same server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Accounts } from './accounts/accounts.js';
import { AppError, describeInvalid, toProtocolError } from './errors.js';
import { logLimited } from './log.js';
import type { Metrics } from './metrics.js';
import { httpRoutes, LoginRequest, RegisterRequest, type ErrorCode } from './protocol/index.js';

const MAX_BODY_BYTES = 16 * 1024;

const statusOf: Partial<Record<ErrorCode, number>> = {
  E_INVALID: 400,
  E_UNAUTHORIZED: 401,
  E_AUTH_FAILED: 401,
  E_REGISTRATION_CLOSED: 403,
  E_NOT_FOUND: 404,
  E_USERNAME_TAKEN: 409,
  E_RATE_LIMITED: 429,
  E_HOST_NOT_ALLOWED: 421,
  E_SHUTTING_DOWN: 503,
  E_UNAVAILABLE: 503,
};

export interface HttpDeps {
  accounts: Accounts;
  /** Origins allowed besides the server's own. */
  allowedOrigins: readonly string[];
  trustProxy: boolean;
  isClosing(): boolean;
  /** Closes the open connections of sessions just revoked (e.g. signed out) on this server at once. */
  applyRevocations(): Promise<void>;
  /** Counts sign-ins and registrations refused by their rate limits. */
  metrics: Metrics;
  log: Logger;
}

/** Whether a browser request from `origin` may use this server (no Origin: not a browser). */
export function originAllowed(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The answer to a request whose Host this server does not answer to (see host-check.ts). */
export function refuseHost(res: ServerResponse): void {
  sendError(res, new AppError('E_HOST_NOT_ALLOWED', 'this server does not answer to that host name'));
}

/**
 * The client's address. Behind a trusted proxy it is the last X-Forwarded-For
 * entry, the one the proxy appended; earlier entries are the client's to forge.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const header = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  const forwarded = (Array.isArray(header) ? header.join(',') : header)?.split(',').at(-1)?.trim();
  return forwarded || req.socket.remoteAddress || 'unknown';
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const json = JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(json);
}

function sendError(res: ServerResponse, err: unknown): void {
  const error = toProtocolError(err);
  if (error.retryAfterMs) res.setHeader('retry-after', String(Math.ceil(error.retryAfterMs / 1000)));
  send(res, statusOf[error.code] ?? 500, { error });
}

/** Reads a body of at most MAX_BODY_BYTES; past that the rest is drained and discarded. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      tooLarge = true;
      reject(new AppError('E_INVALID', `body larger than ${MAX_BODY_BYTES} bytes`));
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(new RequestAborted()));
  });
}

/** The client went away before its request body was complete: nothing to answer, nothing wrong here. */
class RequestAborted extends Error {}

/**
 * Whether a content-type header is JSON: the media type `application/json` (any case), with any
 * parameters, except a charset other than UTF-8 (JSON on the wire is UTF-8, RFC 8259).
 */
function isJsonContentType(header: string | undefined): boolean {
  const [type, ...params] = (header ?? '').split(';');
  if (type!.trim().toLowerCase() !== 'application/json') return false;
  return params.every((param) => {
    const [name = '', value = ''] = param.split('=').map((part) => part.trim().toLowerCase());
    return name !== 'charset' || value.replace(/^"(.*)"$/, '$1') === 'utf-8';
  });
}

async function readJson<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.output<S>> {
  if (!isJsonContentType(req.headers['content-type'])) {
    throw new AppError('E_INVALID', 'content-type must be application/json');
  }
  const raw = await readBody(req);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('E_INVALID', 'body is not valid JSON');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError('E_INVALID', describeInvalid(parsed.error));
  return parsed.data;
}

const bearerToken = (req: IncomingMessage): string | undefined =>
  /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(req.headers.authorization ?? '')?.[1];

export function createHttpHandler(deps: HttpDeps) {
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    [`POST ${httpRoutes.register}`]: async (req, res) => {
      send(
        res,
        201,
        await deps.accounts.registerAndSignIn(
          await readJson(req, RegisterRequest),
          clientAddress(req, deps.trustProxy),
        ),
      );
    },
    [`POST ${httpRoutes.login}`]: async (req, res) => {
      const { username, password } = await readJson(req, LoginRequest);
      send(res, 200, await deps.accounts.signIn(username, password, clientAddress(req, deps.trustProxy)));
    },
    [`POST ${httpRoutes.logout}`]: async (req, res) => {
      const token = bearerToken(req);
      if (!token || !(await deps.accounts.signOut(token)))
        throw new AppError('E_UNAUTHORIZED', 'no such session');
      await deps.applyRevocations();
      send(res, 204);
    },
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://parley').pathname;
    try {
      if (req.method === 'GET' && path === httpRoutes.health) {
        send(res, deps.isClosing() ? 503 : 200, { status: deps.isClosing() ? 'shutting-down' : 'ok' });
        return;
      }
      if (!originAllowed(req, deps.allowedOrigins))
        throw new AppError('E_UNAUTHORIZED', 'origin not allowed');
      if (req.headers.origin) {
        res.setHeader('access-control-allow-origin', req.headers.origin);
        res.setHeader('vary', 'Origin');
        res.setHeader('access-control-expose-headers', 'retry-after');
      }
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'POST');
        res.setHeader('access-control-allow-headers', 'content-type, authorization');
        send(res, 204);
        return;
      }
      const route = routes[`${req.method} ${path}`];
      if (!route) {
        send(res, 404, { error: { code: 'E_NOT_FOUND', message: 'no such endpoint' } });
        return;
      }
      if (deps.isClosing()) throw new AppError('E_SHUTTING_DOWN', 'server is shutting down');
      await route(req, res);
    } catch (err) {
      // Sign-in throttling and the registration limit: limiter "login" or "register".
      if (err instanceof AppError && err.code === 'E_RATE_LIMITED')
        deps.metrics.rateLimited.inc({ limiter: path.slice('/api/'.length) });
      if (err instanceof RequestAborted)
        logLimited(deps.log, 'info', 'http-aborted', { path }, 'request aborted by the client');
      else if (!(err instanceof AppError)) deps.log.error({ err, path }, 'http request failed');
      // A body we stopped reading must not be mistaken for the next request on this connection.
      if (!req.complete) res.setHeader('connection', 'close');
      if (!res.headersSent) sendError(res, err);
      else res.destroy();
    }
  };
}
