/** Accounts over HTTP (register, sign in, sign out) and the Socket.IO handshake. */
import { z } from 'zod';
import { DeviceId, DisplayName, Password, UserSummary, Username } from './common.js';

export const httpRoutes = {
  register: '/api/register',
  login: '/api/login',
  logout: '/api/logout',
  health: '/healthz',
} as const;

export const RegisterRequest = z.strictObject({
  username: Username,
  displayName: DisplayName,
  password: Password,
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const LoginRequest = z.strictObject({
  username: z.string().max(64),
  password: z.string().max(256),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** Body of a successful register or login. The token is shown once. */
export const SessionGrant = z.object({ token: z.string(), user: UserSummary });
export type SessionGrant = z.infer<typeof SessionGrant>;

/** `auth` of the Socket.IO handshake. */
export const HandshakeAuth = z.object({
  token: z.string().min(1).max(128),
  deviceId: DeviceId,
});
export type HandshakeAuth = z.infer<typeof HandshakeAuth>;
