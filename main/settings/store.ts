/**
 * The settings file in the user data folder (device preferences, start at login, shortcuts, one-time
 * hints): a zod schema with defaults, and a store that loads it without ever crashing the app and writes
 * it atomically (temp file, fsync, rename), one update at a time.
 *
 * Decisions:
 * - Unreadable JSON: defaults. Schema failure: each top-level section that fails gets its defaults, the
 *   valid ones are kept (a bad shortcut must not cost the person their devices). Either way the original
 *   file is kept aside as `<file>.corrupt-<timestamp>` and a warning is logged.
 * - Unknown keys are dropped (an older or newer version's leftovers), not an error.
 * - `update(patch)` deep-merges; a key present with the value `undefined` removes it (e.g. "use the system
 *   microphone"). `update(fn)` replaces: `fn(current)` returns the whole new settings (then validated).
 */
import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { DevicePreferences } from '../../shared/app-shell.js';
import { Shortcuts } from '../../shared/shortcuts.js';

export const Settings = z.object({
  devices: DevicePreferences.prefault({}),
  startAtLogin: z.boolean().default(false),
  /** Register Parley as the handler of tel: links. */
  telLinks: z.boolean().default(false),
  /** The "Parley keeps running in the tray" hint was shown once. */
  closeToTrayHintShown: z.boolean().default(false),
  /** The "no tray here, so closing minimises" hint (Linux without a tray host) was shown once. */
  noTrayHintShown: z.boolean().default(false),
  shortcuts: Shortcuts.prefault({}),
  /** Ring quietly while the desktop is in do-not-disturb (linux/desktop-dnd.ts; ringing/policy.ts). */
  followDesktopDnd: z.boolean().default(false),
});
export type Settings = z.infer<typeof Settings>;

export const defaultSettings = (): Settings => Settings.parse({});

export type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type SettingsPatch = DeepPartial<Settings>;
/** The whole settings as written by hand or by an updater function; defaults fill what is missing. */
export type SettingsInput = z.input<typeof Settings>;

/** The file operations the store needs; node:fs/promises by default, a fake in tests. */
export interface SettingsFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  open(
    path: string,
    flags: 'w',
  ): Promise<{ writeFile(data: string): Promise<void>; sync(): Promise<void>; close(): Promise<void> }>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  readdir(path: string): Promise<string[]>;
}

export interface SettingsLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface SettingsStoreOptions {
  fs?: SettingsFs;
  logger?: SettingsLogger;
  now?: () => Date;
}

export class SettingsError extends Error {
  readonly code = 'E_SETTINGS_INVALID';
  constructor(readonly issues: z.core.$ZodIssue[]) {
    super(
      `Invalid settings: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
    this.name = 'SettingsError';
  }
}

const RENAME_RETRIES = 3;
/** Windows refuses a rename while another process (antivirus, indexer) has the target open; retry briefly. */
const TRANSIENT_RENAME = new Set(['EPERM', 'EACCES', 'EBUSY']);

export class SettingsStore {
  private readonly fs: SettingsFs;
  private readonly logger: SettingsLogger;
  private readonly now: () => Date;
  private settings: Settings = defaultSettings();
  private loaded = false;
  /** Every load and update runs after the previous one, so no update overwrites another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    options: SettingsStoreOptions = {},
  ) {
    this.fs = options.fs ?? nodeFs;
    this.logger = options.logger ?? { warn: (message, details) => console.warn(message, details ?? '') };
    this.now = options.now ?? (() => new Date());
  }

  /** The settings as last loaded or written (defaults before load). */
  current(): Settings {
    return structuredClone(this.settings);
  }

  /** Reads the file; never rejects for a missing, unreadable or invalid file (defaults and a warning). */
  load(): Promise<Settings> {
    return this.enqueue(() => this.read());
  }

  /**
   * Deep-merges `patch` into the settings, or replaces them with `updater(current)`; validates the result
   * and writes it (no write when nothing changed). Rejects with SettingsError (file and current() unchanged) when the result is invalid, or with the fs
   * error when the write fails (the old file stays intact).
   */
  update(change: SettingsPatch | ((current: Settings) => SettingsInput)): Promise<Settings> {
    return this.enqueue(async () => {
      if (!this.loaded) await this.read();
      const next = typeof change === 'function' ? change(this.current()) : deepMerge(this.settings, change);
      const parsed = Settings.safeParse(next);
      if (!parsed.success) throw new SettingsError(parsed.error.issues);
      if (JSON.stringify(parsed.data) !== JSON.stringify(this.settings)) await this.write(parsed.data);
      this.settings = parsed.data;
      return this.current();
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(): Promise<Settings> {
    await this.removeStaleTempFiles();
    let text: string;
    try {
      text = await this.fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn('settings: cannot read the settings file; using defaults', { error: String(err) });
      }
      return this.settle(defaultSettings());
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      await this.keepAside(`not JSON (${(err as Error).message})`);
      return this.settle(defaultSettings());
    }
    const parsed = Settings.safeParse(raw);
    if (parsed.success) return this.settle(parsed.data);
    await this.keepAside(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return this.settle(salvage(raw));
  }

  private settle(settings: Settings): Settings {
    this.settings = settings;
    this.loaded = true;
    return this.current();
  }

  private async keepAside(reason: string): Promise<void> {
    const aside = `${this.file}.corrupt-${this.now().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await this.fs.rename(this.file, aside);
      this.logger.warn(
        'settings: the settings file was invalid; kept it aside, using defaults where invalid',
        {
          reason,
          keptAs: aside,
        },
      );
    } catch (err) {
      this.logger.warn('settings: the settings file was invalid and could not be moved aside', {
        reason,
        error: String(err),
      });
    }
  }

  private async write(settings: Settings): Promise<void> {
    await this.fs.mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      const handle = await this.fs.open(temp, 'w');
      try {
        await handle.writeFile(`${JSON.stringify(settings, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.renameWithRetry(temp, this.file);
    } catch (err) {
      await this.fs.unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  private async renameWithRetry(from: string, to: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.fs.rename(from, to);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (attempt >= RENAME_RETRIES || !TRANSIENT_RENAME.has(code)) throw err;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  }

  /** Temp files left by a crash between open and rename. */
  private async removeStaleTempFiles(): Promise<void> {
    const prefix = `${basename(this.file)}.tmp-`;
    const names = await this.fs.readdir(dirname(this.file)).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.startsWith(prefix))) {
      await this.fs.unlink(join(dirname(this.file), name)).catch(() => undefined);
    }
  }
}

/** Valid top-level sections of an invalid file, defaults for the rest. */
function salvage(raw: unknown): Settings {
  const source = isPlainObject(raw) ? raw : {};
  const kept: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(Settings.shape)) {
    const section = schema.safeParse(source[key]);
    if (section.success) kept[key] = section.data;
  }
  return Settings.parse(kept);
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Plain objects merge key by key; anything else replaces; an explicit `undefined` removes the key. */
function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (UNSAFE_KEYS.has(key)) continue;
    if (value === undefined) delete out[key];
    else out[key] = deepMerge(base[key], value);
  }
  return out;
}
