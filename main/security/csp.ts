/**
 * The Content-Security-Policy header the app:// protocol handler sends with every renderer
 * response. A header (not a <meta> tag) so that `frame-ancestors` is honoured.
 */

/**
 * connect-src: the desktop app talks to a signaling server the person chooses, so it must reach
 * any `https:` / `wss:` host. Plain `http:` / `ws:` is allowed only to the loopback interface
 * (`npm start`'s embedded server listens on 127.0.0.1): a server elsewhere on the network must use
 * TLS, because the session token and the call setup would otherwise cross the network in clear.
 * CSP host-source patterns with a port wildcard (`http://127.0.0.1:*`) express exactly that; IPv6
 * literals such as `[::1]` cannot be written in a CSP source expression, so use 127.0.0.1.
 */
const LOOPBACK_PLAINTEXT = [
  'http://127.0.0.1:*',
  'ws://127.0.0.1:*',
  'http://localhost:*',
  'ws://localhost:*',
] as const;

export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'media-src': ["'self'", 'blob:', 'mediastream:'],
  'connect-src': ["'self'", 'https:', 'wss:', ...LOOPBACK_PLAINTEXT],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'none'"],
});

/** The header value: `directive source source; directive ...`. */
export const CONTENT_SECURITY_POLICY: string = Object.entries(CSP_DIRECTIVES)
  .map(([name, sources]) => [name, ...sources].join(' '))
  .join('; ');
