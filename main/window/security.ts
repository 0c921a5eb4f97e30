/**
 * Applies the security policies to Electron: the app:// file handler with
 * its CSP, the permission handlers, and navigation, popup and webview
 * refusals for every web contents.
 */
import { app, protocol, session, shell, type WebContents } from 'electron';
import { readFile } from 'node:fs/promises';
import { CONTENT_SECURITY_POLICY } from '../security/csp.js';
import {
  EXTERNAL_ALLOW_LIST,
  frameNavigationAllowed,
  navigationAllowed,
  windowOpenDecision,
} from '../security/navigation.js';
import {
  APP_SCHEME,
  hidDeviceAllowed,
  hidDeviceToPick,
  permissionCheckAllowed,
  permissionRequestAllowed,
} from '../security/permissions.js';
import { appFileFor } from './app-files.js';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
    },
  ]);
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFileFor(request.url, rendererDir);
    if (!file) return new Response('not found', { status: 404 });
    try {
      return new Response(await readFile(file.path), {
        headers: {
          'content-type': file.contentType,
          'content-security-policy': CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}

export function lockDownSessions(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(permissionRequestAllowed(permission, details.requestingUrl, details.isMainFrame)),
  );
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    permissionCheckAllowed(permission, requestingOrigin, details),
  );
  ses.setDevicePermissionHandler(({ deviceType, origin, device }) =>
    hidDeviceAllowed(deviceType, origin, device),
  );
  ses.on('select-hid-device', (event, { frame, deviceList }, callback) => {
    event.preventDefault();
    callback(hidDeviceToPick(frame?.url, deviceList) ?? null);
  });
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
}

function lockDown(contents: WebContents): void {
  const refuse = (event: { preventDefault(): void }, url: string) => {
    if (!navigationAllowed(url)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => refuse(event, event.url));
  // Also fires for subframes, which will-navigate never sees: none may navigate (the app has no frames).
  contents.on('will-frame-navigate', (event) => {
    if (!frameNavigationAllowed(event.url, event.isMainFrame)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => refuse(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Popups are always denied; an allow-listed https: link opens in the browser instead.
    const decision = windowOpenDecision(url, EXTERNAL_ALLOW_LIST);
    if (decision.openExternally) void shell.openExternal(decision.url); // eng-disable OPEN_EXTERNAL_JS_CHECK (reviewed)
    return { action: 'deny' };
  });
}
