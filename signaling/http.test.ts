import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, originAllowed } from './http.js';

const request = (headers: Record<string, string | string[]>, remoteAddress = '10.0.0.5') =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('uses the socket address unless a proxy is trusted', () => {
    expect(clientAddress(request({ 'x-forwarded-for': '1.2.3.4' }), false)).toBe('10.0.0.5');
  });

  it('behind a trusted proxy takes the entry the proxy appended, not one the client forged', () => {
    expect(clientAddress(request({ 'x-forwarded-for': 'forged, 203.0.113.7' }), true)).toBe('203.0.113.7');
    expect(clientAddress(request({ 'x-forwarded-for': ['forged', '203.0.113.8'] }), true)).toBe(
      '203.0.113.8',
    );
    expect(clientAddress(request({}), true)).toBe('10.0.0.5');
  });
});

describe('originAllowed', () => {
  it('allows non-browser clients, the server own origin and listed origins only', () => {
    expect(originAllowed(request({ host: 'parley.example' }), [])).toBe(true);
    expect(originAllowed(request({ host: 'parley.example', origin: 'https://parley.example' }), [])).toBe(
      true,
    );
    expect(originAllowed(request({ host: 'parley.example', origin: 'app://parley' }), ['app://parley'])).toBe(
      true,
    );
    expect(originAllowed(request({ host: 'parley.example', origin: 'https://evil.example' }), [])).toBe(
      false,
    );
    expect(originAllowed(request({ host: 'parley.example', origin: 'not a url' }), [])).toBe(false);
  });
});
