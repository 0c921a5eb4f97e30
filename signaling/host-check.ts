/**
 * The Host header check against DNS rebinding. A page on evil.example can point its own name at this
 * server's address; its requests are then same-origin (Origin and Host both evil.example) and pass the
 * origin check. The Host header gives it away, so only hosts this server answers to are served: IP
 * literals (a rebinding attack needs a name), `localhost`, the listen host when it is a name, and the
 * names configured in `publicHosts` (with a port: that port only).
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { logLimited, type Logger } from './log.js';

/** A `publicHosts` entry: a DNS name, optionally with `:port`. */
export const PUBLIC_HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;

/** Whether a request's Host may be served; refusals are logged (a few per window). */
export type HostGuard = (req: IncomingMessage) => boolean;

export function hostGuard(listenHost: string, publicHosts: readonly string[], log: Logger): HostGuard {
  const allowed = new Set(['localhost', ...[listenHost, ...publicHosts].map((h) => h.toLowerCase())]);
  return (req) => {
    const host = req.headers.host;
    if (host === undefined) return true; // HTTP/1.0 without Host: not a browser, so not a rebinding attack
    const parsed = parseHost(host);
    if (
      parsed &&
      (isIP(parsed.name) || allowed.has(parsed.name) || allowed.has(`${parsed.name}:${parsed.port}`))
    )
      return true;
    logLimited(
      log,
      'warn',
      'host-refused',
      { host: host.slice(0, 300) },
      'refused a request for a host this server does not know; add it to --public-hosts if it is yours',
    );
    return false;
  };
}

/** `name[:port]` or `[v6]:port` from a Host header, lowercased, without a trailing dot. */
function parseHost(header: string): { name: string; port: string } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!match) return undefined;
  const name = match[1]!
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  return { name, port: match[2] ?? '' };
}
