// TokenVault against the fake Electron's safeStorage (main/test-support/fake-electron.ts) and a real
// temporary user-data folder: what lands on disk, what a restart reads back, and what happens without an
// OS key store.
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fake } from '../test-support/fake-electron.js';
import { SESSION_FILE, TokenVault } from './token-vault.js';

const TOKEN = 'tok_3q2-7vYx0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789';

let dir = '';
let log: ReturnType<typeof vi.fn<(message: string) => void>>;

beforeEach(async () => {
  fake.reset();
  fake.app.markReady();
  dir = await mkdtemp(join(tmpdir(), 'parley-vault-'));
  log = vi.fn<(message: string) => void>();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A vault as main/index.ts makes one: a new one stands for the next start of Parley. */
const vault = (platform: NodeJS.Platform = 'linux') =>
  new TokenVault(join(dir, SESSION_FILE), fake.safeStorage, { platform, log });

const onDisk = () => readFile(join(dir, SESSION_FILE));

describe('with an OS key store', () => {
  it('keeps the token encrypted in session.bin (0600), and the next start reads it back', async () => {
    await vault().save(TOKEN);
    const bytes = await onDisk();
    expect(bytes.toString('latin1')).not.toContain(TOKEN);
    expect(bytes.toString('utf8')).not.toContain(TOKEN.slice(4, 20));
    if (process.platform !== 'win32') expect((await stat(join(dir, SESSION_FILE))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual([SESSION_FILE]); // no temporary file left behind
    expect(await vault().load()).toBe(TOKEN);
    expect(log).not.toHaveBeenCalled();
  });

  it('clear removes the file: this run and the next start have no session', async () => {
    const v = vault();
    await v.save(TOKEN);
    await v.clear();
    expect(await v.load()).toBeNull();
    expect(await readdir(dir)).toEqual([]);
    expect(await vault().load()).toBeNull();
    await v.clear(); // nothing to remove is fine
  });

  it('operations keep their order: a clear right after a save wins', async () => {
    const v = vault();
    const saving = v.save(TOKEN);
    const clearing = v.clear();
    await Promise.all([saving, clearing]);
    expect(await vault().load()).toBeNull();
  });

  it('with no file there is no session', async () => {
    expect(await vault().load()).toBeNull();
    expect(log).not.toHaveBeenCalled();
  });

  it('a file it cannot decrypt (another machine, corrupt) is no session, logged; a new sign-in replaces it', async () => {
    fake.safeStorage.keyId = 'another-machine';
    await vault().save('someone-else');
    fake.safeStorage.keyId = 'this-machine';
    const v = vault();
    expect(await v.load()).toBeNull();
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^saved session not readable, signing in again/));

    await writeFile(join(dir, SESSION_FILE), 'not encrypted at all');
    expect(await vault().load()).toBeNull();

    await v.save(TOKEN);
    expect(await vault().load()).toBe(TOKEN);
  });

  it('after a key rotation the token is written again with the new key', async () => {
    await vault().save(TOKEN);
    const before = await onDisk();
    fake.safeStorage.rotateKey();
    expect(await vault().load()).toBe(TOKEN);
    const after = await onDisk();
    expect(after.equals(before)).toBe(false);
    expect(await fake.safeStorage.decryptStringAsync(after)).toEqual({
      shouldReEncrypt: false,
      result: TOKEN,
    });
  });

  it.each(['darwin', 'win32'] as const)('on %s it does not ask for a Linux backend', async (platform) => {
    await vault(platform).save(TOKEN);
    expect(await vault(platform).load()).toBe(TOKEN);
  });
});

describe('without an OS key store', () => {
  it('keeps the token in memory only: signed in for this run, not after a restart; warns once', async () => {
    fake.safeStorage.keyStore = false;
    const v = vault();
    await v.save(TOKEN);
    await v.save(`${TOKEN}2`);
    expect(await v.load()).toBe(`${TOKEN}2`);
    expect(await readdir(dir)).toEqual([]);
    expect(await vault().load()).toBeNull();
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith(
      'the session is kept in memory only, so Parley asks to sign in after a restart: safeStorage has no OS key store',
    );
    await v.clear();
    expect(await v.load()).toBeNull();
  });

  it("treats Linux's basic_text backend (a key built into Chromium) as no key store", async () => {
    fake.safeStorage.backend = 'basic_text';
    expect(await fake.safeStorage.isAsyncEncryptionAvailable()).toBe(true);
    const v = vault('linux');
    await v.save(TOKEN);
    expect(await v.load()).toBe(TOKEN);
    expect(await readdir(dir)).toEqual([]);
    expect(log).toHaveBeenCalledWith(
      'the session is kept in memory only, so Parley asks to sign in after a restart: no OS keyring (safeStorage backend basic_text)',
    );
  });

  it('removes an older session file instead of leaving it to come back on the next start', async () => {
    await vault().save('older-session');
    fake.safeStorage.keyStore = false;
    await vault().save(TOKEN);
    expect(await readdir(dir)).toEqual([]);
    fake.safeStorage.keyStore = true;
    expect(await vault().load()).toBeNull();
  });
});
