/**
 * Where Parley's windows may go: renderer navigation stays on the app's own pages, no frame inside a
 * page navigates anywhere (the app has no iframes), `window.open` never opens an Electron window, and
 * only https links to an allow list of hosts are handed to the system browser. Pure;
 * main/window/security.ts wires these into `will-navigate`, `will-frame-navigate`, `will-redirect`,
 * `setWindowOpenHandler` and `shell.openExternal`.
 */
import { isAppUrl } from './permissions.js';

/** The pages the renderer may navigate to (paths on app://parley; `/` serves index.html). */
export const APP_PAGES: readonly string[] = Object.freeze(['/', '/index.html', '/incoming.html']);

/**
 * Hosts whose https pages may be opened in the system browser. `parley.example` is the
 * placeholder for the project's documentation site; deployments pass their own list.
 */
export const EXTERNAL_ALLOW_LIST: readonly string[] = Object.freeze(['parley.example']);

/** Longer than any link the app's pages hold; a longer one is refused unparsed. */
export const MAX_EXTERNAL_URL_LENGTH = 2048;

/** C0 controls, space, DEL, C1 controls and backslash: never in a canonical https URL we'd open. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARS = /[\u0000-\u0020\u007f-\u009f\\]/;

/**
 * True only for the app's own pages (`app://parley/`, `/index.html`, `/incoming.html`, with any
 * query or fragment). Denies http(s), file:, javascript:, data:, blob:, other app paths and every
 * other scheme. For `will-navigate` / `will-frame-navigate` / `will-redirect`.
 */
export function navigationAllowed(url: string, pages: readonly string[] = APP_PAGES): boolean {
  if (!isAppUrl(url)) return false;
  // `app` is not a WHATWG special scheme, so `app://parley` has an empty path where Chromium (which
  // treats it as a standard scheme) has `/`.
  return pages.includes(new URL(url).pathname || '/');
}

/**
 * For `will-frame-navigate`, which fires for the main frame and for every subframe: the main frame
 * follows `navigationAllowed`; a subframe may not navigate at all. Parley's pages embed no frames, so
 * a subframe is something injected (an `<iframe>` a compromised page added), and letting it load even
 * an app page would give it a second foothold with the preload bridge's origin.
 */
export function frameNavigationAllowed(url: string, isMainFrame: boolean): boolean {
  return isMainFrame === true && navigationAllowed(url);
}

/**
 * The canonical form of `url` to hand to `shell.openExternal`, or null when it may not be opened:
 * only `https:`, host exactly in `allowList` (no subdomains, no trailing dot, IDN compared in its
 * punycode form), no credentials, default port only, at most MAX_EXTERNAL_URL_LENGTH characters.
 * Returning the re-serialised URL (not the input) means the OS sees exactly what was checked.
 */
export function externalUrl(url: string, allowList: readonly string[]): string | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_EXTERNAL_URL_LENGTH) return null;
  if (UNSAFE_CHARS.test(url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (
    parsed.protocol !== 'https:' ||
    parsed.username !== '' ||
    parsed.password !== '' ||
    parsed.port !== ''
  ) {
    return null;
  }
  // https hosts come out of the parser lowercased and punycoded; compare allow-list entries alike.
  const host = parsed.hostname;
  if (!allowList.some((allowed) => allowed.toLowerCase() === host)) return null;
  return parsed.href.length <= MAX_EXTERNAL_URL_LENGTH ? parsed.href : null;
}

/** True when `url` may be opened in the system browser; see `externalUrl`. */
export function externalUrlAllowed(url: string, allowList: readonly string[]): boolean {
  return externalUrl(url, allowList) !== null;
}

export type WindowOpenDecision =
  | { action: 'deny'; openExternally: false }
  | {
      action: 'deny';
      openExternally: true;
      /** The canonical URL to pass to `shell.openExternal`. */ url: string;
    };

/**
 * For `webContents.setWindowOpenHandler`: Parley never opens a second Electron window from page
 * content, so the answer is always `deny`; an allow-listed https link is opened in the system
 * browser instead. Return `{ action: decision.action }` to Electron.
 */
export function windowOpenDecision(url: string, allowList: readonly string[]): WindowOpenDecision {
  const external = externalUrl(url, allowList);
  return external === null
    ? { action: 'deny', openExternally: false }
    : { action: 'deny', openExternally: true, url: external };
}
