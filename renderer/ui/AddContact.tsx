/** Sends a contact request by username; the outcome is announced (status) or shown as an error (alert). */
import { useId, useState, type FormEvent } from 'react';
import { useApp } from '../app/context.js';

type Result = { ok: true; text: string } | { ok: false; text: string } | null;

export function AddContact() {
  const app = useApp();
  const [username, setUsername] = useState('');
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<Result>(null);
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const name = username.trim().toLowerCase();
    if (!name || sending) return;
    setSending(true);
    const error = await app.contacts.request(name);
    setSending(false);
    setResult(error ? { ok: false, text: error } : { ok: true, text: `Sent to ${name}.` });
    if (!error) setUsername('');
  };

  return (
    <form className="add-contact" onSubmit={(e) => void submit(e)}>
      <label htmlFor={`${id}-add`} className="small-label">
        Add contact by username
      </label>
      <div className="row">
        <input
          id={`${id}-add`}
          value={username}
          onChange={(e) => {
            setUsername(e.target.value);
            setResult(null);
          }}
          placeholder="username"
          autoCapitalize="none"
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" className="btn btn-primary" disabled={sending}>
          Send request
        </button>
      </div>
      {result?.ok === true && (
        <p role="status" className="ok small">
          {result.text}
        </p>
      )}
      {result?.ok === false && (
        <p role="alert" className="error small">
          {result.text}
        </p>
      )}
    </form>
  );
}
