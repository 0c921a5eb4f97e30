import type { Session } from 'electron';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  GRANTED_PERMISSIONS,
  hidDeviceAllowed,
  hidDeviceToPick,
  isAppUrl,
  permissionCheckAllowed,
  permissionRequestAllowed,
} from './permissions.js';

/** Electron's permission names, taken from its own type definitions (type-only import). */
type ElectronPermission = Parameters<NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>>[1];

// Every name Electron can pass. `satisfies` rejects a misspelt name; the `Missing` check below fails
// to compile if an Electron upgrade adds a permission this table does not cover.
const ELECTRON_PERMISSIONS = [
  'ar',
  'automatic-fullscreen',
  'background-fetch',
  'background-sync',
  'captured-surface-control',
  'clipboard-read',
  'clipboard-sanitized-write',
  'deprecated-sync-clipboard-read',
  'display-capture',
  'fileSystem',
  'fullscreen',
  'geolocation',
  'geolocation-approximate',
  'hand-tracking',
  'hid',
  'idle-detection',
  'keyboardLock',
  'local-fonts',
  'local-network',
  'local-network-access',
  'loopback-network',
  'media',
  'mediaKeySystem',
  'midi',
  'midiSysex',
  'nfc',
  'notifications',
  'openExternal',
  'payment-handler',
  'periodic-background-sync',
  'persistent-storage',
  'pointerLock',
  'screen-wake-lock',
  'sensors',
  'serial',
  'smart-card',
  'speaker-selection',
  'storage-access',
  'system-wake-lock',
  'top-level-storage-access',
  'usb',
  'vr',
  'web-app-installation',
  'web-printing',
  'window-management',
  'unknown',
] as const satisfies readonly ElectronPermission[];
type Missing = Exclude<ElectronPermission, (typeof ELECTRON_PERMISSIONS)[number]>;
const everyPermissionCovered: [Missing] extends [never] ? true : Missing = true;

const GRANTED = new Set(['media', 'notifications']);

/** Not Electron names, but strings a handler could be fed: near-misses and prototype keys. */
const BOGUS_PERMISSIONS = [
  '',
  'MEDIA',
  'Media',
  ' media',
  'media ',
  'media\u0000',
  'camera',
  'microphone',
  'notification',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
];

const APP_URLS = [
  'app://parley',
  'app://parley/',
  'app://parley/index.html',
  'app://parley/incoming.html',
  'app://parley/incoming.html?callId=abc#x',
  'app://parley/assets/index-abc.js',
  'APP://PARLEY/index.html',
  'app://Parley/',
];

const FOREIGN_URLS = [
  '',
  'null',
  'app://parley.evil',
  'app://parley.evil/index.html',
  'app://parley@evil',
  'app://parley@evil/index.html',
  'app://evil@parley/',
  'app://user:pass@parley/',
  'app://:pass@parley/',
  'app://parley:1',
  'app://parley:443/',
  'app://parley:0/',
  'app://parley./',
  'app://xparley/',
  'app://parleyx/',
  'app://par%6cey/',
  'app://parl\u0435y/', // Cyrillic e
  'app://evil/',
  'app:parley',
  'app:/parley',
  'app:///parley',
  'app:',
  'appx://parley/',
  'ap://parley/',
  'https://parley',
  'http://parley/',
  'https://parley.example/',
  'file:///parley/index.html',
  'file://parley/index.html',
  'about:blank',
  'data:text/html,app://parley',
  'javascript:app://parley',
  'blob:app://parley/8a2c',
  'devtools://devtools/bundled/inspector.html',
  'chrome://settings',
  'parley://call/alice',
  ' app://parley/',
  'app://parley/ ',
  'app://par\tley/',
  'app://parley/\n',
  '\u0000app://parley/',
  `app://parley/${'a'.repeat(5000)}`,
];

describe('isAppUrl', () => {
  it('accepts the app origin with any path, query or fragment, host case-insensitively', () => {
    expect(APP_ORIGIN).toBe('app://parley');
    for (const url of APP_URLS) expect(isAppUrl(url), url).toBe(true);
  });

  it('refuses other origins, credentials, ports, look-alike hosts and strings the parser would repair', () => {
    for (const url of FOREIGN_URLS) expect(isAppUrl(url), JSON.stringify(url)).toBe(false);
  });

  it('refuses non-strings without throwing', () => {
    for (const value of [undefined, null, 42, {}, ['app://parley/']]) {
      expect(isAppUrl(value as unknown as string)).toBe(false);
    }
  });
});

describe('permissionRequestAllowed (origin x permission)', () => {
  it('covers every Electron permission name', () => {
    expect(everyPermissionCovered).toBe(true);
    expect([...GRANTED_PERMISSIONS].sort()).toEqual([...GRANTED].sort());
  });

  for (const permission of ELECTRON_PERMISSIONS) {
    const expected = GRANTED.has(permission);
    it(`${expected ? 'grants' : 'denies'} ${permission} to the app's main frame`, () => {
      for (const url of APP_URLS) expect(permissionRequestAllowed(permission, url, true), url).toBe(expected);
    });
    it(`denies ${permission} to app subframes and foreign origins`, () => {
      for (const url of APP_URLS) expect(permissionRequestAllowed(permission, url, false), url).toBe(false);
      for (const url of FOREIGN_URLS) {
        expect(permissionRequestAllowed(permission, url, true), JSON.stringify(url)).toBe(false);
        expect(permissionRequestAllowed(permission, url, false), JSON.stringify(url)).toBe(false);
      }
    });
  }

  it('denies names that are not exactly a granted permission', () => {
    for (const permission of BOGUS_PERMISSIONS) {
      expect(permissionRequestAllowed(permission, 'app://parley/index.html', true), permission).toBe(false);
    }
  });

  it('treats only a real `true` as the main frame', () => {
    for (const flag of [1, 'true', {}, undefined]) {
      expect(permissionRequestAllowed('media', 'app://parley/', flag as unknown as boolean)).toBe(false);
    }
  });
});

describe('permissionCheckAllowed (origin x permission)', () => {
  const origins = ['app://parley', 'app://parley/'];

  for (const permission of ELECTRON_PERMISSIONS) {
    // `hid` is only ever checked (navigator.hid), never requested; which devices is hidDeviceAllowed's.
    const expected = GRANTED.has(permission) || permission === 'hid';
    it(`${expected ? 'allows' : 'denies'} ${permission} for the app origin, denies it elsewhere`, () => {
      for (const origin of origins) {
        expect(permissionCheckAllowed(permission, origin), origin).toBe(expected);
        expect(permissionCheckAllowed(permission, origin, {}), origin).toBe(expected);
        expect(permissionCheckAllowed(permission, origin, { embeddingOrigin: '' }), origin).toBe(expected);
        expect(permissionCheckAllowed(permission, origin, { embeddingOrigin: APP_ORIGIN }), origin).toBe(
          expected,
        );
      }
      for (const origin of FOREIGN_URLS) {
        expect(permissionCheckAllowed(permission, origin), JSON.stringify(origin)).toBe(false);
      }
    });
  }

  it('denies the app origin when it is embedded by a foreign page', () => {
    for (const embeddingOrigin of ['https://evil.example', 'app://parley.evil', 'null', 'file://']) {
      expect(permissionCheckAllowed('media', 'app://parley', { embeddingOrigin }), embeddingOrigin).toBe(
        false,
      );
    }
  });

  it('denies names that are not exactly a granted permission', () => {
    for (const permission of BOGUS_PERMISSIONS) {
      expect(permissionCheckAllowed(permission, APP_ORIGIN), permission).toBe(false);
    }
  });
});

describe('HID devices (USB headsets)', () => {
  const headset = { deviceId: 'h', collections: [{ usagePage: 0x0c }, { usagePage: 0x0b }] };
  const notHeadsets = [
    { deviceId: 'keyboard', collections: [{ usagePage: 0x01 }] },
    { deviceId: 'fido', collections: [{ usagePage: 0xf1d0 }] },
    { deviceId: 'none', collections: [] },
    { deviceId: 'odd', collections: 'telephony' },
    { deviceId: 'odd2', collections: [null] },
    null,
    'h',
  ];

  it('allows the app origin a device with a Telephony collection, and nothing else', () => {
    for (const origin of ['app://parley', 'app://parley/'])
      expect(hidDeviceAllowed('hid', origin, headset)).toBe(true);
    for (const device of notHeadsets) expect(hidDeviceAllowed('hid', 'app://parley', device)).toBe(false);
    for (const origin of FOREIGN_URLS) expect(hidDeviceAllowed('hid', origin, headset), origin).toBe(false);
    for (const type of ['usb', 'serial', 'HID'])
      expect(hidDeviceAllowed(type, 'app://parley', headset)).toBe(false);
  });

  it('picks the first telephony device for an app frame, none for any other frame', () => {
    const second = { ...headset, deviceId: 'h2' };
    expect(hidDeviceToPick('app://parley/index.html', [...notHeadsets, headset, second])).toBe('h');
    expect(hidDeviceToPick('app://parley/index.html', notHeadsets)).toBeUndefined();
    expect(hidDeviceToPick(undefined, [headset])).toBeUndefined();
    for (const url of FOREIGN_URLS) expect(hidDeviceToPick(url, [headset]), url).toBeUndefined();
  });
});
