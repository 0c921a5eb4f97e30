/**
 * Serves the built web client (renderer) at `/`, with a strict CSP, so
 * anyone can call from a browser without installing anything.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

/** Where `npm run build` puts the web client, relative to this file. */
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../dist/renderer/', import.meta.url));

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

function securityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('permissions-policy', 'camera=(self), microphone=(self), speaker-selection=(self)');
}

export type WebHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A handler for the web client, or one that explains how to build it. */
export function webClient(dir: string = DEFAULT_WEB_DIR): WebHandler {
  if (!existsSync(dir)) {
    return (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The web client is not built. Run `npm run build`, then reload.\n');
    };
  }
  const serve = sirv(dir, {
    single: true,
    etag: true,
    gzip: false,
    setHeaders: (res) => securityHeaders(res),
  });
  return (req, res) =>
    serve(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    });
}
