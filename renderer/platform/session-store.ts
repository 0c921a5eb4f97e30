/**
 * Where the app keeps its session token between runs. The web app keeps it in the page's localStorage:
 * a browser offers nothing safer to a page (no OS key store), and the token is only as exposed as the
 * site's own storage, which the strict CSP keeps other scripts out of. The desktop app keeps it in main,
 * encrypted with the OS key store (desktop-session.ts).
 *
 * These never reject: a failure is logged and reads as "no session", so the person signs in again.
 */
import type { KeyValueStore } from './platform.js';

export interface SessionStore {
  load(): Promise<string | null>;
  save(token: string): Promise<void>;
  clear(): Promise<void>;
}

/** The localStorage key of the token (the web app's, and earlier versions of the desktop app's). */
export const TOKEN_KEY = 'parley.token';

/** A failure to keep or read the token is logged; the person signs in again. */
export const logSessionFailure = (what: string, err: unknown): void => console.warn(`session ${what}`, err);

/** The web app's: the page's own storage. */
export function localSessionStore(storage: KeyValueStore): SessionStore {
  return {
    load: async () => storage.get(TOKEN_KEY),
    save: async (token) => {
      try {
        storage.set(TOKEN_KEY, token);
      } catch (err) {
        logSessionFailure('not saved', err); // storage full or blocked: signed in for this page only
      }
    },
    clear: async () => storage.remove(TOKEN_KEY),
  };
}
