import { describe, expect, it } from 'vitest';
import {
  APP_PAGES,
  EXTERNAL_ALLOW_LIST,
  MAX_EXTERNAL_URL_LENGTH,
  externalUrl,
  externalUrlAllowed,
  frameNavigationAllowed,
  navigationAllowed,
  windowOpenDecision,
} from './navigation.js';

const DOCS = ['parley.example'];

describe('navigationAllowed', () => {
  it('allows the app pages, with query and fragment', () => {
    for (const url of [
      'app://parley/',
      'app://parley',
      'app://parley/index.html',
      'app://parley/incoming.html',
      'app://parley/incoming.html?callId=abc',
      'app://parley/index.html#/history',
      'APP://PARLEY/index.html',
    ]) {
      expect(navigationAllowed(url), url).toBe(true);
    }
  });

  it('denies other schemes, origins and app paths', () => {
    for (const url of [
      'https://parley.example/',
      'http://127.0.0.1:4700/',
      'file:///C:/Windows/System32/calc.exe',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'blob:app://parley/1234',
      'about:blank',
      'chrome://gpu',
      'devtools://devtools/',
      'parley://call/alice',
      'app://parley.evil/index.html',
      'app://parley@evil/index.html',
      'app://evil@parley/index.html',
      'app://parley:8080/index.html',
      'app://parley/assets/index-abc.js',
      'app://parley/INDEX.html',
      'app://parley//index.html',
      'app://parley/%69ndex.html',
      'app://parley/index.html/',
      'app://parley/../../etc/passwd',
      ' app://parley/index.html',
      'app://parley/index.html\n',
      '',
    ]) {
      expect(navigationAllowed(url), JSON.stringify(url)).toBe(false);
    }
  });

  it('takes the page list as a parameter', () => {
    expect(APP_PAGES).toContain('/incoming.html');
    expect(navigationAllowed('app://parley/incoming.html', ['/index.html'])).toBe(false);
    expect(navigationAllowed('app://parley/settings.html', ['/settings.html'])).toBe(true);
  });
});

describe('frameNavigationAllowed (will-frame-navigate)', () => {
  it('lets the main frame go where navigationAllowed says', () => {
    expect(frameNavigationAllowed('app://parley/index.html', true)).toBe(true);
    expect(frameNavigationAllowed('app://parley/incoming.html', true)).toBe(true);
    expect(frameNavigationAllowed('https://evil.example/', true)).toBe(false);
    expect(frameNavigationAllowed('app://parley/assets/x.js', true)).toBe(false);
  });

  it('never lets a subframe navigate, not even to an app page', () => {
    for (const url of [
      'app://parley/index.html',
      'app://parley/incoming.html',
      'app://parley/',
      'https://parley.example/',
      'https://evil.example/',
      'about:blank',
      'data:text/html,<b>x</b>',
      'javascript:alert(1)',
    ]) {
      expect(frameNavigationAllowed(url, false), url).toBe(false);
    }
  });

  it('treats only a real `true` as the main frame', () => {
    for (const flag of [1, 'true', {}, undefined, null]) {
      expect(frameNavigationAllowed('app://parley/index.html', flag as unknown as boolean)).toBe(false);
    }
  });
});

describe('externalUrl / externalUrlAllowed', () => {
  it('allows https URLs on an allow-listed host, returning the canonical URL', () => {
    expect(EXTERNAL_ALLOW_LIST).toContain('parley.example');
    expect(externalUrl('https://parley.example/docs/setup', DOCS)).toBe('https://parley.example/docs/setup');
    expect(externalUrl('https://parley.example', DOCS)).toBe('https://parley.example/');
    expect(externalUrl('https://PARLEY.Example/Docs?q=1#top', DOCS)).toBe(
      'https://parley.example/Docs?q=1#top',
    );
    expect(externalUrl('https://parley.example:443/a', DOCS)).toBe('https://parley.example/a');
    expect(externalUrl('https://docs.example.org/x', ['Docs.Example.org'])).toBe(
      'https://docs.example.org/x',
    );
    expect(externalUrlAllowed('https://parley.example/docs', DOCS)).toBe(true);
  });

  it('denies other schemes, hosts, subdomain and credential tricks, ports and overlong URLs', () => {
    for (const url of [
      'http://parley.example/',
      'HTTP://parley.example/',
      'ftp://parley.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,hi',
      'smb://parley.example/share',
      'ms-msdt:/id PCWDiagnostic',
      'mailto:someone@parley.example',
      'tel:+15550100',
      'app://parley/index.html',
      'parley://call/alice',
      'https://evil.example/',
      'https://docs.parley.example/',
      'https://parley.example.evil.com/',
      'https://evilparley.example/',
      'https://parley.example./',
      'https://parley.example@evil.com/',
      'https://evil.com@parley.example/',
      'https://user:pass@parley.example/',
      'https://parley.example:8443/',
      'https://parley.example:80/',
      'https://p\u0430rley.example/', // Cyrillic a
      'https://parley.example\\@evil.com/',
      'https://parley.example/\u0000',
      ' https://parley.example/',
      'https://parley.example/\n',
      'https://parley.example/a b',
      '//parley.example/',
      'parley.example',
      '',
      `https://parley.example/${'a'.repeat(MAX_EXTERNAL_URL_LENGTH)}`,
    ]) {
      expect(externalUrlAllowed(url, DOCS), JSON.stringify(url)).toBe(false);
    }
  });

  it('allows nothing with an empty allow list', () => {
    expect(externalUrlAllowed('https://parley.example/', [])).toBe(false);
  });

  it('refuses non-strings without throwing', () => {
    expect(externalUrl(undefined as unknown as string, DOCS)).toBeNull();
    expect(externalUrl({ toString: () => 'https://parley.example/' } as unknown as string, DOCS)).toBeNull();
  });
});

describe('windowOpenDecision', () => {
  it('always denies, and hands only allow-listed https URLs to the system browser', () => {
    expect(windowOpenDecision('https://parley.example/docs', DOCS)).toEqual({
      action: 'deny',
      openExternally: true,
      url: 'https://parley.example/docs',
    });
    for (const url of [
      'https://evil.example/',
      'http://parley.example/',
      'app://parley/index.html',
      'about:blank',
      'javascript:alert(1)',
      'file:///C:/Windows/System32/calc.exe',
      '',
    ]) {
      expect(windowOpenDecision(url, DOCS), url).toEqual({ action: 'deny', openExternally: false });
    }
  });
});
