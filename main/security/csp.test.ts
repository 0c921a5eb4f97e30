import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, CSP_DIRECTIVES } from './csp.js';

/** Parse the header value back into directive -> sources. */
function parse(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) {
      expect(out.has(name), `duplicate ${name}`).toBe(false);
      out.set(name, sources);
    }
  }
  return out;
}

describe('CONTENT_SECURITY_POLICY', () => {
  const policy = parse(CONTENT_SECURITY_POLICY);
  const sources = (name: string) => policy.get(name) ?? [];

  it('is the header form of CSP_DIRECTIVES, one policy on one line', () => {
    expect(Object.fromEntries(policy)).toEqual(CSP_DIRECTIVES);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/[\r\n,]/); // a comma would start a second policy
  });

  it('never allows inline or eval-ed script or style', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(
      /unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval|nonce-|sha\d+-/,
    );
    expect(sources('script-src')).toEqual(["'self'"]);
    expect(sources('style-src')).toEqual(["'self'"]);
    expect(sources('default-src')).toEqual(["'self'"]);
  });

  it('locks down plugins, <base>, framing and forms', () => {
    expect(sources('object-src')).toEqual(["'none'"]);
    expect(sources('base-uri')).toEqual(["'none'"]);
    expect(sources('frame-ancestors')).toEqual(["'none'"]);
    expect(sources('form-action')).toEqual(["'none'"]);
  });

  it('has no wildcard hosts and no data:/blob: outside images and media', () => {
    for (const [name, list] of policy) {
      expect(list, name).not.toContain('*');
      if (name !== 'img-src' && name !== 'media-src') {
        expect(list, name).not.toContain('data:');
        expect(list, name).not.toContain('blob:');
      }
    }
    expect(sources('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(sources('media-src')).toEqual(["'self'", 'blob:', 'mediastream:']);
  });

  it('lets the app reach any TLS signaling server, and plain http/ws only on loopback', () => {
    const connect = sources('connect-src');
    expect(connect).toEqual(expect.arrayContaining(["'self'", 'https:', 'wss:']));
    expect(connect).toEqual(expect.arrayContaining(['http://127.0.0.1:*', 'ws://127.0.0.1:*']));
    expect(connect).not.toContain('http:');
    expect(connect).not.toContain('ws:');
    for (const source of connect.filter((s) => /^(http|ws):/.test(s))) {
      expect(source).toMatch(/^(http|ws):\/\/(127\.0\.0\.1|localhost):\*$/);
    }
  });
});
