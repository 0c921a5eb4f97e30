/**
 * Sends a contact request by username; a refusal is shown as an error (alert), a request sent is announced
 * (status) until it is answered.
 */
import { useId, useState, type FormEvent } from 'react';
import { useApp } from '../app/context.js';
import { useContacts } from '../state/contacts.js';

export function AddContact() {
  const app = useApp();
  const [username, setUsername] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const sentTo = useContacts((s) => s.sentTo);
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const name = username.trim().toLowerCase();
    if (!name || sending) return;
    setSending(true);
    const refused = await app.contacts.request(name);
    setSending(false);
    setError(refused);
    if (!refused) setUsername('');
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
            setError(null);
            if (sentTo) app.contacts.dismissSent();
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
      {sentTo && !error && (
        <p role="status" className="ok small">
          Sent to {sentTo}.
        </p>
      )}
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
    </form>
  );
}
