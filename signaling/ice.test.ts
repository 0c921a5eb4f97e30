import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iceConfigFor } from './ice.js';

const now = Date.UTC(2026, 10, 25, 12, 0, 0);
const base = { stunUrls: [], turnUrls: [], turnCredentialTtl: 600 };

describe('iceConfigFor', () => {
  it('gives no servers when none are configured', () => {
    expect(iceConfigFor('alice', base, now)).toEqual({ iceServers: [], expiresAt: null });
  });

  it('passes STUN through and gives no TURN without a secret', () => {
    const config = iceConfigFor(
      'alice',
      { ...base, stunUrls: ['stun:stun.example:3478'], turnUrls: ['turn:t:3478'] },
      now,
    );
    expect(config).toEqual({ iceServers: [{ urls: ['stun:stun.example:3478'] }], expiresAt: null });
  });

  it('issues TURN REST credentials: expiry:user, base64 HMAC-SHA1 with the shared secret', () => {
    const config = iceConfigFor(
      'alice',
      { ...base, turnUrls: ['turn:127.0.0.1:3478'], turnSecret: 'x'.repeat(32) },
      now,
    );
    const expiry = now / 1000 + 600;
    const turn = config.iceServers[0]!;
    expect(turn.username).toBe(`${expiry}:alice`);
    expect(turn.credential).toBe(
      createHmac('sha1', 'x'.repeat(32)).update(`${expiry}:alice`).digest('base64'),
    );
    expect(config.expiresAt).toBe(new Date(expiry * 1000).toISOString());
  });
});

describe('ice.servers over Socket.IO', () => {
  it('gives a signed-in user TURN credentials for their own username', async () => {
    const { person, startTestServer } = await import('./test-support/harness.js');
    const server = await startTestServer({
      turnUrls: ['turn:127.0.0.1:3478'],
      turnSecret: 's'.repeat(24),
      turnCredentialTtl: 60,
    });
    try {
      const alice = await person(server, 'alice');
      const config = await alice.device.ok('ice.servers', {});
      const turn = config.iceServers[0]!;
      expect(turn.urls).toEqual(['turn:127.0.0.1:3478']);
      expect(turn.username).toMatch(/^\d+:alice$/);
      expect(turn.credential).toBe(
        createHmac('sha1', 's'.repeat(24)).update(turn.username!).digest('base64'),
      );
      expect(Date.parse(config.expiresAt!) - Date.now()).toBeGreaterThan(50_000);
      alice.device.close();
    } finally {
      await server.stop();
    }
  });
});
