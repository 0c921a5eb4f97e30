/**
 * Where the app keeps its session token between runs. The web app keeps it in the page's localStorage:
 * a browser offers nothing safer to a page (no OS key store), and the token is only as exposed as the
 * site's own storage, which the strict CSP keeps other scripts out of. The desktop app keeps it in main,
 * encrypted with the OS key store (main/session/token-vault.ts); a token an earlier version left in
 * localStorage moves there once and is deleted.
 *
 * These never reject: a failure is logged and reads as "no session", so the person signs in again.
 */
import type { DesktopBridge } from '../../main/ipc/contract.js';
import type { KeyValueStore } from './platform.js';

export interface SessionStore {
  load(): Promise<string | null>;
  save(token: string): Promise<void>;
  clear(): Promise<void>;
}

/** The localStorage key of the token (the web app's, and earlier versions of the desktop app's). */
export const TOKEN_KEY = 'parley.token';

const warn = (what: string, err: unknown): void => console.warn(`session ${what}`, err);

/** The web app's: the page's own storage. */
export function localSessionStore(storage: KeyValueStore): SessionStore {
  return {
    load: async () => storage.get(TOKEN_KEY),
    save: async (token) => {
      try {
        storage.set(TOKEN_KEY, token);
      } catch (err) {
        warn('not saved', err); // storage full or blocked: signed in for this page only
      }
    },
    clear: async () => storage.remove(TOKEN_KEY),
  };
}

/** The desktop app's: main keeps it, through the preload bridge. */
export class DesktopSessionStore implements SessionStore {
  constructor(
    private readonly bridge: Pick<DesktopBridge, 'loadSession' | 'saveSession' | 'clearSession'>,
    /** The page's localStorage, where an earlier version kept the token. */
    private readonly legacy: KeyValueStore,
  ) {}

  async load(): Promise<string | null> {
    const left = this.legacy.get(TOKEN_KEY);
    if (left !== null) {
      // Out of the page's reach first, whatever happens next; it is still this run's session.
      this.legacy.remove(TOKEN_KEY);
      await this.save(left);
      return left;
    }
    return this.bridge.loadSession().catch((err: unknown) => {
      warn('not loaded', err);
      return null;
    });
  }

  save(token: string): Promise<void> {
    return this.bridge.saveSession(token).catch((err: unknown) => warn('not saved', err));
  }

  clear(): Promise<void> {
    return this.bridge.clearSession().catch((err: unknown) => warn('not cleared', err));
  }
}
