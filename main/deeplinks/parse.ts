/**
 * Deep links: `parley://call/<username>?media=audio|video` (and, when enabled, `tel:` links) turned
 * into a `confirm-call` PlatformAction, and the one link found in a process argv (first launch on
 * Windows/Linux, or the `second-instance` event). Everything here is attacker-controlled input: a
 * web page can make the OS launch Parley with any URL it likes. So a link never calls by itself: the
 * app asks "Call Alice (@alice) with video?" and calls only when the person says so (voice or video
 * alike: either one opens the microphone to the other side once answered). Pure; main/index.ts wires
 * it to `app.setAsDefaultProtocolClient`, `second-instance` and macOS `open-url`.
 */
import { Username } from '../../signaling/protocol/common.js';
import { PlatformAction } from '../../shared/app-shell.js';

export const PROTOCOL_SCHEME = 'parley';

/**
 * A valid link is at most ~60 characters; this bound only stops huge inputs before any parsing.
 */
export const MAX_DEEP_LINK_LENGTH = 256;

export interface DeepLinkOptions {
  /** Also accept `tel:` links (only if the app registered itself for `tel`). */
  telLinks: boolean;
}

export type CallAction = Extract<PlatformAction, { type: 'confirm-call' }>;

/**
 * The whole grammar, matched against the raw string before any URL parsing, so nothing the URL
 * parser would normalise away can slip through: `../` segments (which `new URL` resolves, turning
 * `parley://call/../../etc` into `/etc`), percent-encoding (`%2f`, `%2e`), credentials, ports,
 * whitespace, extra segments and fragments all fail here. One trailing slash is tolerated: some
 * shells append it to a bare authority-and-path link. The scheme and `call` are case-insensitive
 * (RFC 3986 schemes are; Windows may hand us either case); the username is lowercased afterwards.
 */
const PARLEY_LINK = /^parley:\/\/call\/([a-z0-9._-]{3,32})\/?(?:\?([a-z0-9=&]*))?$/i;

/** Only `media=audio` or `media=video`, once. Repeated or unknown keys make the link ambiguous. */
const MEDIA_QUERY = /^media=(audio|video)$/;

/**
 * `tel:` links (RFC 3966). The telephone-subscriber part is digits with the visual separators RFC
 * 3966 defines (`-` `.` `(` `)`, section 3; they carry no meaning and are ignored when comparing,
 * section 4) and an optional leading `+` for a global number. Space is NOT a separator: RFC 3966
 * 5.1.1 says tel URIs must not use spaces. Parley has usernames, not numbers, so:
 * - digits and separators only (at least one digit, optional leading `+`): the separators and the
 *   `+` are removed and the remaining digits must be a valid username (`tel:+1-555-0100` calls
 *   `15550100`);
 * - otherwise the subscriber part, lowercased, must itself be a valid username (`tel:alice`,
 *   `tel:al.ice`); nothing is stripped, since `.` and `-` are significant in usernames.
 * Parameters (`;ext=`, `;phone-context=`, `;isub=`), `*`, `#`, `%`-escapes, `?` and `/` are all
 * refused: none of them maps onto a Parley username. A `tel:` call is always audio.
 */
const TEL_LINK = /^tel:(\+?[a-z0-9().-]+)$/i;
const TEL_NUMBER = /^\+?[0-9().-]*[0-9][0-9().-]*$/;

function callAction(username: string, media: string): CallAction | null {
  const name = Username.safeParse(username.toLowerCase());
  if (!name.success) return null;
  // The contract's own schema is the last word on the shape.
  const action = PlatformAction.safeParse({ type: 'confirm-call', username: name.data, media });
  return action.success && action.data.type === 'confirm-call' ? action.data : null;
}

function parseParleyLink(raw: string): CallAction | null {
  const match = PARLEY_LINK.exec(raw);
  if (!match) return null;
  const [, segment = '', query] = match;
  let media = 'audio';
  if (query !== undefined && query !== '') {
    const m = MEDIA_QUERY.exec(query);
    if (!m?.[1]) return null;
    media = m[1];
  }
  // Belt and braces: the WHATWG parser must agree with the grammar above.
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  const path = url.pathname.replace(/\/$/, '');
  if (
    url.protocol !== `${PROTOCOL_SCHEME}:` ||
    url.hostname.toLowerCase() !== 'call' ||
    url.port !== '' ||
    url.username !== '' ||
    url.password !== '' ||
    url.hash !== '' ||
    path !== `/${segment}`
  ) {
    return null;
  }
  return callAction(segment, media);
}

function parseTelLink(raw: string): CallAction | null {
  const match = TEL_LINK.exec(raw);
  const subscriber = match?.[1];
  if (!subscriber) return null;
  if (TEL_NUMBER.test(subscriber)) return callAction(subscriber.replace(/[+().-]/g, ''), 'audio');
  if (subscriber.startsWith('+')) return null;
  return callAction(subscriber, 'audio');
}

/**
 * `parley://call/<username>[?media=audio|video]` -> `{ type: 'confirm-call', username, media }` (audio
 * by default), `tel:<username-or-digits>` likewise when `opts.telLinks`; anything else -> null.
 */
export function parseDeepLink(raw: string, opts: DeepLinkOptions): CallAction | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_DEEP_LINK_LENGTH) return null;
  if (/^parley:/i.test(raw)) return parseParleyLink(raw);
  if (opts.telLinks && /^tel:/i.test(raw)) return parseTelLink(raw);
  return null;
}

/**
 * What `app.setAsDefaultProtocolClient(PROTOCOL_SCHEME, process.execPath, [...PROTOCOL_CLIENT_ARGS])`
 * registers. On Windows Electron writes the command `"<exe>" <args joined by spaces> "%1"` into the
 * registry (shell/browser/browser_win.cc, GetProtocolLaunchPath). With `--` before `"%1"`, Chromium
 * stops parsing switches (base/command_line.h: "An argument of "--" will terminate switch parsing
 * during initialization, interpreting subsequent tokens as non-switch arguments, regardless of
 * prefix"), so a crafted URL that breaks out of the quotes (CVE-2018-1000006, e.g.
 * `parley://x" --gpu-launcher="cmd" --x=`) can never become a Chromium/Electron switch. This is the
 * mitigation Electron's advisory (electronjs.org/blog/protocol-handler-fix) gives: append `--` as
 * the last argument. Electron's own fix (shell/app/command_line_args.cc, CheckCommandLineArguments)
 * additionally refuses to start when any argument follows a URL-like argument before `--`.
 * macOS ignores these args (Info.plist + `open-url`); Linux uses the .desktop file's Exec line.
 */
export const PROTOCOL_CLIENT_ARGS: readonly string[] = Object.freeze(['--']);

/**
 * The args for `setAsDefaultProtocolClient`, fresh each call (Electron wants a mutable array).
 * When running unpackaged (`process.defaultApp`), Electron needs the app's path before the
 * sentinel; Electron joins args with spaces without quoting, so a path with spaces is quoted here.
 */
export function protocolClientArgs(devAppPath?: string): string[] {
  if (devAppPath === undefined) return [...PROTOCOL_CLIENT_ARGS];
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (devAppPath === '' || devAppPath.startsWith('-') || /["\u0000-\u001f]/.test(devAppPath)) {
    throw new Error('protocolClientArgs: unusable app path');
  }
  return [/\s/.test(devAppPath) ? `"${devAppPath}"` : devAppPath, ...PROTOCOL_CLIENT_ARGS];
}

/**
 * The deep link in a process argv, or null. If a `--` sentinel is present only the arguments after
 * it are considered (the registered command line puts the URL there; Chromium keeps `--` and the
 * arguments after it in order, moving switches before them). Without a sentinel (Linux .desktop
 * launches, macOS, dev runs) every argument after argv[0] is considered. Arguments starting with
 * `-` are never links. Exactly one argument may look like a link: two or more means the command
 * line was tampered with (for example a URL that broke out of its quotes), so nothing is returned.
 */
export function deepLinkFromArgv(argv: readonly string[], opts: DeepLinkOptions): CallAction | null {
  if (!Array.isArray(argv)) return null;
  const sentinel = argv.indexOf('--');
  const candidates = sentinel === -1 ? argv.slice(1) : argv.slice(sentinel + 1);
  const links = candidates.filter(
    (arg): arg is string =>
      typeof arg === 'string' &&
      !arg.startsWith('-') &&
      (/^parley:/i.test(arg) || (opts.telLinks && /^tel:/i.test(arg))),
  );
  const [only] = links;
  return links.length === 1 && only !== undefined ? parseDeepLink(only, opts) : null;
}
