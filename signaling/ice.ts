/**
 * ICE servers for a signed-in user. TURN credentials follow the TURN REST
 * scheme that coturn checks with `use-auth-secret`: the username is
 * `expiry:user`, the password base64(HMAC-SHA1(secret, username)).
 */
import { createHmac } from 'node:crypto';
import type { IceConfig } from './protocol/index.js';

export interface IceSettings {
  stunUrls: readonly string[];
  turnUrls: readonly string[];
  turnSecret?: string | undefined;
  turnCredentialTtl: number;
}

function turnCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

export function iceConfigFor(user: string, s: IceSettings, now: number): IceConfig {
  const iceServers: IceConfig['iceServers'] = [];
  if (s.stunUrls.length > 0) iceServers.push({ urls: [...s.stunUrls] });
  if (s.turnUrls.length === 0 || !s.turnSecret) return { iceServers, expiresAt: null };
  const expiry = Math.floor(now / 1000) + s.turnCredentialTtl;
  const username = `${expiry}:${user}`;
  iceServers.push({ urls: [...s.turnUrls], username, credential: turnCredential(s.turnSecret, username) });
  return { iceServers, expiresAt: new Date(expiry * 1000).toISOString() };
}
