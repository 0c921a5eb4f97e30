/**
 * The global shortcuts as they stand: registered from the settings file at start, changed one at a time
 * from Settings (`shortcuts.set`), and what Settings is shown of each (`shortcuts.load`). It owns what the
 * last registration said of each shortcut; the settings file owns the accelerators.
 *
 * Decisions:
 * - A change that cannot work changes nothing: keys another Parley shortcut has, keys the desktop refuses
 *   (another application holds them: `globalShortcut.register` returns false) or a settings file that
 *   cannot be written leave the old shortcut registered and the file as it was, and Settings is told why.
 *   Saving a shortcut that would not work only to find it dead at the next call is worse.
 * - A shortcut from the settings file that fails at start (another application took it since) stays in
 *   the file: Settings shows it as not working and why; setting it again tries again.
 * - Changes run one after another, so two quick ones never register or save over each other.
 */
import type { PlatformAction } from '../shared/app-shell.js';
import {
  DEFAULT_SHORTCUTS,
  SHORTCUT_NAMES,
  shortcutWithKeys,
  type ShortcutChange,
  type ShortcutName,
  type ShortcutSettings,
  type ShortcutView,
} from '../shared/shortcuts.js';
import type { SettingsStore } from './settings/store.js';
import {
  registerShortcuts,
  type ShortcutCallState,
  type ShortcutFailure,
  type ShortcutRegistry,
} from './shortcuts.js';

export interface ShortcutKeeperDeps {
  registry: ShortcutRegistry;
  settings: Pick<SettingsStore, 'current' | 'update'>;
  /** The call state when a shortcut is pressed. */
  callState: () => ShortcutCallState;
  dispatch: (action: PlatformAction) => void;
  log: (message: string) => void;
  /** process.platform: which keys CommandOrControl names. */
  platform: string;
}

type Refusal = Extract<ShortcutChange, { ok: false }>['code'];

export class ShortcutKeeper {
  private failures = new Map<ShortcutName, ShortcutFailure>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: ShortcutKeeperDeps) {}

  /** Registers the shortcuts in the settings file, logging each that does not work. */
  apply(): void {
    for (const f of this.register(this.d.settings.current().shortcuts))
      this.d.log(`shortcut ${f.name} (${f.accelerator}) not registered: ${f.message}`);
  }

  /** Each shortcut with its accelerator, its default, and whether it works. */
  view(): ShortcutView[] {
    const shortcuts = this.d.settings.current().shortcuts;
    return SHORTCUT_NAMES.map((name) => {
      const failure = this.failures.get(name);
      const base = { name, accelerator: shortcuts[name], default: DEFAULT_SHORTCUTS[name] };
      if (failure) return { ...base, status: failure.reason, problem: failure.message };
      return { ...base, status: shortcuts[name] === '' ? 'off' : 'on' };
    });
  }

  /** Sets one shortcut ('' turns it off), registered and saved, or nothing changes and the answer says why. */
  change(name: ShortcutName, accelerator: string): Promise<ShortcutChange> {
    const run = this.queue.then(() => this.changeNow(name, accelerator));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Unregisters every shortcut (quitting). */
  dispose(): void {
    this.d.registry.unregisterAll();
  }

  private async changeNow(name: ShortcutName, accelerator: string): Promise<ShortcutChange> {
    const before = this.d.settings.current().shortcuts;
    const refuse = (code: Refusal, message: string): ShortcutChange => {
      this.d.log(`shortcut ${name} not set to ${accelerator}: ${message}`);
      return { ok: false, code, message, shortcuts: this.view() };
    };
    const other = shortcutWithKeys(before, accelerator, name, this.d.platform);
    if (other) return refuse('E_SHORTCUT_DUPLICATE', `${accelerator} is already the ${other} shortcut`);

    const next: ShortcutSettings = { ...before, [name]: accelerator };
    const failure = this.register(next).find((f) => f.name === name);
    if (failure) {
      this.register(before);
      return refuse(failure.reason === 'taken' ? 'E_SHORTCUT_TAKEN' : 'E_SHORTCUT_REFUSED', failure.message);
    }
    try {
      await this.d.settings.update({ shortcuts: next });
    } catch (err) {
      this.register(before);
      return refuse('E_SETTINGS_NOT_SAVED', `the settings file was not saved (${String(err)})`);
    }
    this.d.log(`shortcut ${name} set to ${accelerator === '' ? 'off' : accelerator}`);
    return { ok: true, shortcuts: this.view() };
  }

  private register(shortcuts: ShortcutSettings): ShortcutFailure[] {
    const { registry, callState, dispatch, platform } = this.d;
    const failures = registerShortcuts(registry, shortcuts, callState, dispatch, platform);
    this.failures = new Map(failures.map((f) => [f.name, f]));
    return failures;
  }
}
