/**
 * The desktop app's session token, kept by main instead of the renderer's localStorage (where any
 * script in the page, or anyone who copies the profile folder, could read it). It is encrypted with
 * Electron's safeStorage, whose key lives in the OS key store (Keychain, DPAPI, libsecret or kwallet),
 * in `session.bin` in the user data folder. The renderer reaches it through the preload's
 * loadSession / saveSession / clearSession.
 *
 * Decisions:
 * - No OS key store (safeStorage says encryption is unavailable: Linux without a keyring), or Linux's
 *   `basic_text` backend (a key compiled into Chromium, so its "encrypted" file is as readable as plain
 *   text): the token is kept in memory only (and an older session's file is removed). The person stays
 *   signed in while Parley runs and signs in again after a restart; a warning in the log says why,
 *   once. Parley never turns on `setUsePlainTextEncryption`.
 * - A file that cannot be decrypted (copied from another machine, corrupt, keyring reset) is no
 *   session: the person signs in, and the next save replaces it. It is not deleted, so a keyring that is
 *   only locked for now still works on the next start.
 * - After a key rotation (`shouldReEncrypt`) the token is written again with the new key.
 * - The file is written atomically (temporary file, rename), readable by its owner only (0600); one
 *   operation at a time, so a sign-out cannot be overtaken by an earlier sign-in's write.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';

/** The part of Electron's `safeStorage` the vault uses (its asynchronous API). */
export interface SafeStorage {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }>;
  /** Linux only. */
  getSelectedStorageBackend(): string;
}

export interface TokenVaultOptions {
  platform: NodeJS.Platform;
  log: (message: string) => void;
}

export const SESSION_FILE = 'session.bin';

export class TokenVault {
  /** The token of this run, whichever way it is kept. */
  private token: string | null = null;
  private loaded = false;
  private warned = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly safeStorage: SafeStorage,
    private readonly options: TokenVaultOptions,
  ) {}

  /** The saved token, or null (never saved, cleared, unreadable). */
  load(): Promise<string | null> {
    return this.serially(async () => {
      if (!this.loaded) this.token = await this.readFile();
      this.loaded = true;
      return this.token;
    });
  }

  save(token: string): Promise<void> {
    return this.serially(async () => {
      this.token = token;
      this.loaded = true;
      // In memory only, an older session's file must not come back on the next start.
      if (await this.canEncrypt()) await this.writeFile(token);
      else await this.removeFile();
    });
  }

  clear(): Promise<void> {
    return this.serially(async () => {
      this.token = null;
      this.loaded = true;
      await this.removeFile();
    });
  }

  /** True when the token can be stored encrypted with a key only the OS key store holds. */
  private async canEncrypt(): Promise<boolean> {
    const available = await this.safeStorage.isAsyncEncryptionAvailable();
    const backend = this.options.platform === 'linux' ? this.safeStorage.getSelectedStorageBackend() : null;
    if (available && backend !== 'basic_text') return true;
    if (!this.warned) {
      this.warned = true;
      this.options.log(
        `the session is kept in memory only, so Parley asks to sign in after a restart: ${
          backend === 'basic_text'
            ? 'no OS keyring (safeStorage backend basic_text)'
            : 'safeStorage has no OS key store'
        }`,
      );
    }
    return false;
  }

  private async readFile(): Promise<string | null> {
    let encrypted: Buffer;
    try {
      encrypted = await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    if (!(await this.canEncrypt())) return null;
    try {
      const { result, shouldReEncrypt } = await this.safeStorage.decryptStringAsync(encrypted);
      if (shouldReEncrypt) await this.writeFile(result);
      return result;
    } catch (err) {
      this.options.log(`saved session not readable, signing in again: ${String(err)}`);
      return null;
    }
  }

  private async writeFile(token: string): Promise<void> {
    const encrypted = await this.safeStorage.encryptStringAsync(token);
    const temp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, encrypted, { mode: 0o600 });
    try {
      await rename(temp, this.file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  private async removeFile(): Promise<void> {
    await unlink(this.file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  private serially<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
