/**
 * Settings' global shortcuts (desktop app only): each shortcut's keys and whether they work, a key
 * combination recorded to change them, off, back to the default, and try again when another application
 * held them. Main registers and saves (main/shortcut-keeper.ts) and answers with how every shortcut now
 * stands; this page only shows that answer, after checking recorded keys with the same grammar main uses.
 */
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { useApp } from '../app/context.js';
import {
  AcceleratorError,
  parseAccelerator,
  shortcutWithKeys,
  type ShortcutName,
  type ShortcutSettings,
  type ShortcutView,
} from '../../shared/shortcuts.js';
import {
  acceleratorLabel,
  recordKey,
  refusalWords,
  shortcutLabels,
  statusWords,
  type KeyPress,
} from './shortcut-keys.js';

const mac = typeof navigator !== 'undefined' && navigator.platform.startsWith('Mac');
const label = (accelerator: string) => acceleratorLabel(accelerator, mac);

interface RowProps {
  view: ShortcutView;
  all: ShortcutView[];
  /** Sets the shortcut; resolves to the words to announce. */
  change: (name: ShortcutName, accelerator: string) => Promise<string>;
}

function ShortcutRow({ view, all, change }: RowProps) {
  const id = useId();
  const [recording, setRecording] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const name = shortcutLabels[view.name];

  const set = (accelerator: string) => {
    setBusy(true);
    void change(view.name, accelerator).then((words) => {
      setMessage(words);
      setBusy(false);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (recording === null) return;
    const press: KeyPress = event;
    const recorded = recordKey(press, mac);
    if (recorded.kind === 'leave') return setRecording(null);
    event.preventDefault();
    if (recorded.kind === 'pending') return setRecording(recorded.modifiers.join('+'));
    setRecording(null);
    if (recorded.kind === 'cancel') return setMessage(`${name}: unchanged.`);
    if (recorded.kind === 'unknown-key') return setMessage('That key cannot be part of a shortcut.');
    const { accelerator } = recorded;
    try {
      parseAccelerator(accelerator);
    } catch (err) {
      const reason = err instanceof AcceleratorError ? err.reason : String(err);
      return setMessage(`${label(accelerator)} cannot be a shortcut: ${reason}.`);
    }
    const current = Object.fromEntries(all.map((v) => [v.name, v.accelerator])) as ShortcutSettings;
    const other = shortcutWithKeys(current, accelerator, view.name);
    if (other) {
      return setMessage(
        `${label(accelerator)} is already the “${shortcutLabels[other]}” shortcut. Choose other keys.`,
      );
    }
    set(accelerator);
  };

  const keys = view.accelerator === '' ? 'Off' : label(view.accelerator);
  return (
    <div className="shortcut" role="group" aria-labelledby={`${id}-name`} aria-describedby={`${id}-state`}>
      <div className="row">
        <span id={`${id}-name`} className="shortcut-name">
          {name}
        </span>
        <kbd className="shortcut-keys">{keys}</kbd>
      </div>
      <p
        id={`${id}-state`}
        className={view.status === 'on' || view.status === 'off' ? 'hint' : 'hint problem'}
      >
        {statusWords(view.status, keys)}
      </p>
      <div className="row">
        <button
          type="button"
          className="btn"
          disabled={busy}
          aria-pressed={recording !== null}
          onClick={() => {
            setMessage('');
            setRecording(recording === null ? '' : null);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setRecording(null)}
        >
          {recording === null
            ? 'Change'
            : `Press the new keys: ${recording ? `${recording}+…` : '…'} (Esc cancels)`}
        </button>
        {view.status === 'taken' && (
          <button type="button" className="btn" disabled={busy} onClick={() => set(view.accelerator)}>
            Try again
          </button>
        )}
        {view.accelerator !== '' && (
          <button type="button" className="btn" disabled={busy} onClick={() => set('')}>
            Turn off
          </button>
        )}
        {view.accelerator !== view.default && (
          <button type="button" className="btn" disabled={busy} onClick={() => set(view.default)}>
            Reset to {label(view.default)}
          </button>
        )}
      </div>
      <p role="status" className="small">
        {message}
      </p>
    </div>
  );
}

export function ShortcutSettings() {
  const app = useApp();
  const [views, setViews] = useState<ShortcutView[] | null>(null);
  const id = useId();
  useEffect(() => {
    let current = true;
    void app.platform.loadShortcuts().then((v) => current && setViews(v));
    return () => {
      current = false;
    };
  }, [app]);
  if (views === null) return null;

  const change = async (name: ShortcutName, accelerator: string): Promise<string> => {
    const before = views.find((v) => v.name === name)!;
    try {
      const result = await app.platform.setShortcut(name, accelerator);
      setViews(result.shortcuts);
      const keys = label(accelerator);
      if (!result.ok) {
        const current = Object.fromEntries(views.map((v) => [v.name, v.accelerator])) as ShortcutSettings;
        return refusalWords(result, keys, shortcutWithKeys(current, accelerator, name));
      }
      const now = result.shortcuts.find((v) => v.name === name)!;
      if (now.status !== 'on' && now.status !== 'off') return statusWords(now.status, keys);
      return accelerator === ''
        ? `${shortcutLabels[name]} is off.`
        : `${shortcutLabels[name]} is now ${keys}${accelerator === before.default ? ' (the default)' : ''}.`;
    } catch {
      return 'Parley could not reach its main process; the shortcut is unchanged.';
    }
  };

  return (
    <section aria-labelledby={`${id}-shortcuts`} className="group">
      <h2 id={`${id}-shortcuts`}>Shortcuts</h2>
      <p className="hint">
        These keys work in any application while Parley runs. To change one, press Change, then the new keys.
      </p>
      {views.map((view) => (
        <ShortcutRow key={view.name} view={view} all={views} change={change} />
      ))}
    </section>
  );
}
