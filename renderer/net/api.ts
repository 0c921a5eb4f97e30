/** The account endpoints over HTTP: register, sign in, sign out. */
import {
  httpRoutes,
  ProtocolError,
  SessionGrant,
  type ProtocolError as ProtocolErrorType,
  type RegisterRequest,
  type SessionGrant as SessionGrantType,
} from '../../signaling/protocol/index.js';

/** An error with a protocol code, from the server or made here for network trouble. */
export class RequestError extends Error {
  constructor(readonly error: ProtocolErrorType | { code: 'E_NETWORK'; message: string }) {
    super(error.message);
    this.name = 'RequestError';
  }

  get code(): string {
    return this.error.code;
  }
}

/** Normalises a server address typed by a person: adds http(s), drops a trailing slash. */
export function normaliseServerUrl(input: string): string {
  const trimmed = input.trim();
  const withScheme = /^https?:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  const url = new URL(withScheme);
  return url.origin;
}

async function post(serverUrl: string, path: string, body: unknown, token?: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(serverUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  } catch {
    throw new RequestError({ code: 'E_NETWORK', message: `cannot reach ${serverUrl}` });
  }
  if (res.status === 204) return undefined;
  const json: unknown = await res.json().catch(() => undefined);
  if (res.ok) return json;
  const parsed = ProtocolError.safeParse((json as { error?: unknown } | undefined)?.error);
  throw new RequestError(
    parsed.success ? parsed.data : { code: 'E_NETWORK', message: `unexpected answer ${res.status}` },
  );
}

function grant(json: unknown): SessionGrantType {
  const parsed = SessionGrant.safeParse(json);
  if (!parsed.success)
    throw new RequestError({ code: 'E_NETWORK', message: 'malformed answer from the server' });
  return parsed.data;
}

export const api = {
  register: async (serverUrl: string, req: RegisterRequest) =>
    grant(await post(serverUrl, httpRoutes.register, req)),
  signIn: async (serverUrl: string, username: string, password: string) =>
    grant(await post(serverUrl, httpRoutes.login, { username, password })),
  signOut: async (serverUrl: string, token: string) => {
    await post(serverUrl, httpRoutes.logout, {}, token);
  },
};
