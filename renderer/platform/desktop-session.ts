/**
 * The desktop app's session store: main keeps the token, encrypted with the OS key store
 * (main/session/token-vault.ts), and the page asks for it through the preload bridge. A token an earlier
 * version left in the page's localStorage moves there once and is deleted. Never rejects (session-store.ts).
 */
import type { DesktopBridge } from '../../main/ipc/contract.js';
import type { KeyValueStore } from './platform.js';
import { logSessionFailure, TOKEN_KEY, type SessionStore } from './session-store.js';

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
      logSessionFailure('not loaded', err);
      return null;
    });
  }

  save(token: string): Promise<void> {
    return this.bridge.saveSession(token).catch((err: unknown) => logSessionFailure('not saved', err));
  }

  clear(): Promise<void> {
    return this.bridge.clearSession().catch((err: unknown) => logSessionFailure('not cleared', err));
  }
}
