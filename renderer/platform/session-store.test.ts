// The session stores: the web app's in localStorage, the desktop app's in main (a recording bridge that
// keeps what main would), and the one-time move of a token an earlier desktop version left in
// localStorage.
import { describe, expect, it, vi } from 'vitest';
import { memoryStore } from '../test-support/memory-store.js';
import { DesktopSessionStore } from './desktop-session.js';
import { localSessionStore, TOKEN_KEY } from './session-store.js';

/** The preload bridge's session actions, with main's side as one variable. */
function bridge(initial: string | null = null) {
  const main = { token: initial };
  return {
    main,
    loadSession: vi.fn(async () => main.token),
    saveSession: vi.fn(async (token: string) => void (main.token = token)),
    clearSession: vi.fn(async () => void (main.token = null)),
  };
}

describe('the web app keeps the token in localStorage', () => {
  it('saves, loads and clears it there', async () => {
    const storage = memoryStore();
    const store = localSessionStore(storage);
    expect(await store.load()).toBeNull();
    await store.save('t1');
    expect(storage.data.get(TOKEN_KEY)).toBe('t1');
    expect(await store.load()).toBe('t1');
    await store.clear();
    expect(storage.data.has(TOKEN_KEY)).toBe(false);
  });

  it('a storage that refuses to write leaves the person signed in for this page, without throwing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const storage = memoryStore();
    storage.set = () => {
      throw new DOMException('quota', 'QuotaExceededError');
    };
    await expect(localSessionStore(storage).save('t1')).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith('session not saved', expect.any(DOMException));
    warn.mockRestore();
  });
});

describe('the desktop app keeps the token in main', () => {
  it('saves, loads and clears it through the bridge, never in localStorage', async () => {
    const storage = memoryStore();
    const b = bridge();
    const store = new DesktopSessionStore(b, storage);
    await store.save('t1');
    expect(b.main.token).toBe('t1');
    expect(await store.load()).toBe('t1');
    await store.clear();
    expect(b.main.token).toBeNull();
    expect(storage.data.size).toBe(0);
  });

  it('moves a token an earlier version left in localStorage to main once, then deletes it', async () => {
    const storage = memoryStore({ [TOKEN_KEY]: 'old-token', 'parley.serverUrl': 'https://parley.example' });
    const b = bridge();
    const store = new DesktopSessionStore(b, storage);

    expect(await store.load()).toBe('old-token');
    expect(b.saveSession).toHaveBeenCalledExactlyOnceWith('old-token');
    expect(b.loadSession).not.toHaveBeenCalled();
    expect(storage.data.has(TOKEN_KEY)).toBe(false);
    expect(storage.data.get('parley.serverUrl')).toBe('https://parley.example');

    // The next start finds it in main.
    expect(await new DesktopSessionStore(b, storage).load()).toBe('old-token');
    expect(b.saveSession).toHaveBeenCalledTimes(1);
    expect(b.loadSession).toHaveBeenCalledTimes(1);
  });

  it('deletes the old token even when main cannot take it; it still serves this run', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const storage = memoryStore({ [TOKEN_KEY]: 'old-token' });
    const b = bridge();
    b.saveSession.mockRejectedValueOnce(new Error('refused'));
    expect(await new DesktopSessionStore(b, storage).load()).toBe('old-token');
    expect(storage.data.has(TOKEN_KEY)).toBe(false);
    expect(warn).toHaveBeenCalledWith('session not saved', expect.any(Error));
    warn.mockRestore();
  });

  it('a bridge failure reads as no session and is logged, never thrown', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const b = bridge();
    b.loadSession.mockRejectedValueOnce(new Error('main is gone'));
    b.clearSession.mockRejectedValueOnce(new Error('main is gone'));
    const store = new DesktopSessionStore(b, memoryStore());
    expect(await store.load()).toBeNull();
    await expect(store.clear()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });
});
