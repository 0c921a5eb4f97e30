/**
 * Which web permissions Parley's renderers get: only pages on the app's own origin (app://parley),
 * only in the main frame, and only what a softphone needs. Pure TypeScript; window/security.ts passes
 * these to `session.setPermissionRequestHandler`, `session.setPermissionCheckHandler`,
 * `session.setDevicePermissionHandler` and the `select-hid-device` event.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'parley';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Longer than any URL the app itself produces; anything longer is refused without parsing. */
const MAX_URL_LENGTH = 4096;

/**
 * C0 controls, space and DEL. The WHATWG URL parser silently strips leading/trailing C0+space and
 * deletes tabs/newlines anywhere (`app://par\tley` parses as `app://parley`); Chromium hands us
 * canonical URLs, so a string that needs such repair did not come from it and is refused.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;

/**
 * The permissions Parley grants (Electron's names, see `Session.setPermissionRequestHandler`):
 * - `media`: microphone and camera for calls. In Chromium this consent also exposes output-device
 *   ids, so `HTMLMediaElement.setSinkId` (speaker / ring-device choice) works without
 *   `speaker-selection`, which is a permissions-policy name for iframes.
 * - `notifications`: incoming and missed call notifications from the page.
 * `hid` (USB headsets' call buttons) is never requested this way: the page's `navigator.hid` is allowed by
 * the check handler, and each device by `hidDeviceAllowed` below.
 * Everything else (display-capture, geolocation, midi, clipboard-read, serial, usb, openExternal,
 * fullscreen, pointerLock, idle-detection, storage-access, window-management, unknown, ...) is denied.
 * `display-capture` (screen sharing) is granted by the change that adds screen sharing, together with a
 * `setDisplayMediaRequestHandler` picker; until then a compromised page must not get the screen.
 */
export const GRANTED_PERMISSIONS: readonly string[] = Object.freeze(['media', 'notifications']);

/** A Set, so names like `__proto__` or `toString` can never match through the prototype chain. */
const GRANTED = new Set<string>(GRANTED_PERMISSIONS);

/**
 * True when `url` is on the app's own origin: scheme `app`, host `parley` (ASCII case-insensitive,
 * as Chromium treats a standard scheme's host), no port, no credentials. Any path, query or
 * fragment: this is an origin check. `app://parley.evil`, `app://parley@evil`, `app://parley:1`,
 * `app://evil@parley` and `app:parley` are all refused.
 */
export function isAppUrl(url: string): boolean {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH) return false;
  if (CONTROL_OR_SPACE.test(url)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    // Non-special schemes keep an opaque host: case is preserved and non-ASCII is percent-encoded,
    // so lowercasing here can only fold ASCII letters.
    parsed.hostname.toLowerCase() === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/**
 * For `session.setPermissionRequestHandler((wc, permission, callback, details) => ...)`: pass
 * `details.requestingUrl` and `details.isMainFrame`. Grants only the listed permissions, only to
 * the app origin's main frame (the app has no iframes; anything else is not ours).
 */
export function permissionRequestAllowed(
  permission: string,
  requestingUrl: string,
  isMainFrame: boolean,
): boolean {
  return GRANTED.has(permission) && isMainFrame === true && isAppUrl(requestingUrl);
}

/** The parts of Electron's `PermissionCheckHandlerHandlerDetails` this policy reads. */
export interface PermissionCheckDetails {
  /** Set by Electron only for cross-origin subframes: the origin of the embedding frame. */
  embeddingOrigin?: string | undefined;
}

/**
 * For `session.setPermissionCheckHandler((wc, permission, requestingOrigin, details) => ...)`: the
 * granted permissions, and `hid` (using `navigator.hid` at all; which devices is `hidDeviceAllowed`'s).
 * Electron passes an origin string here (not a page URL) and, for some checks such as
 * `notifications`, a null webContents and no usable `isMainFrame`, so the origin is what is
 * checked. If Electron reports an embedding origin (a cross-origin subframe), it must be the app's
 * too; the app never embeds frames, and its CSP (`frame-ancestors 'none'`) forbids being embedded.
 */
export function permissionCheckAllowed(
  permission: string,
  requestingOrigin: string,
  details?: PermissionCheckDetails,
): boolean {
  if (!(GRANTED.has(permission) || permission === 'hid') || !isAppUrl(requestingOrigin)) return false;
  const embedding = details?.embeddingOrigin;
  return embedding === undefined || embedding === '' || isAppUrl(embedding);
}

/** The HID usage page of telephony devices: headsets with a hook switch, mute button and call lights. */
const TELEPHONY_USAGE_PAGE = 0x0b;

/** The parts of Electron's `HIDDevice` read here. */
export interface HidDeviceInfo {
  deviceId: string;
  collections?: readonly { usagePage: number }[];
}

function isTelephonyHid(device: unknown): device is HidDeviceInfo {
  const collections = (device as Partial<HidDeviceInfo> | null)?.collections;
  return Array.isArray(collections) && collections.some((c) => c?.usagePage === TELEPHONY_USAGE_PAGE);
}

/**
 * For `session.setDevicePermissionHandler((details) => ...)`: the app's own origin may use a HID device
 * that has a Telephony collection (a headset's call buttons and lights), and nothing else: no keyboard,
 * security key or other HID device, no serial port, no USB device.
 */
export function hidDeviceAllowed(deviceType: string, origin: string, device: unknown): boolean {
  return deviceType === 'hid' && isAppUrl(origin) && isTelephonyHid(device);
}

/**
 * For `session.on('select-hid-device', ...)` (`navigator.hid.requestDevice`, Settings' *Add a headset*):
 * Electron has no chooser, so the first telephony device offered is taken, for the app's own frames
 * only. Undefined cancels the request.
 */
export function hidDeviceToPick(
  frameUrl: string | undefined,
  devices: readonly unknown[],
): string | undefined {
  if (frameUrl === undefined || !isAppUrl(frameUrl)) return undefined;
  return devices.find(isTelephonyHid)?.deviceId;
}
