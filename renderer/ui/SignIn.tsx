/**
 * Sign in or create an account. The Server field starts at the remembered
 * server (the page origin the first time). A stored session being restored
 * shows a short "Connecting…" screen instead of the form.
 */
import { useId, useState, type FormEvent } from 'react';
import { DisplayName, Password, Username } from '../../signaling/protocol/index.js';
import { useApp } from '../app/context.js';
import { useSession } from '../state/session.js';

/** Catches the mistakes the server would only call "invalid", in words a person can act on. */
function checkRegistration(username: string, displayName: string, password: string): string | null {
  if (!Username.safeParse(username).success)
    return 'Usernames are 3 to 32 characters: a–z, 0–9, dot, dash or underscore.';
  if (!DisplayName.safeParse(displayName).success)
    return 'Please enter a display name: up to 64 characters, without invisible or text-direction characters.';
  if (!Password.safeParse(password).success) return 'Passwords need at least 8 characters.';
  return null;
}

export function SignIn() {
  const app = useApp();
  const phase = useSession((s) => s.phase);
  const serverUrl = useSession((s) => s.serverUrl);
  const serverError = useSession((s) => s.error);
  const [register, setRegister] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [localError, setLocalError] = useState<string | null>(null);
  // null until edited: follows the remembered server (or the page origin) until the person types.
  const [edited, setServer] = useState<string | null>(null);
  const server = edited ?? serverUrl;
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const id = useId();

  if (phase === 'signing-in' && !submitted) {
    return (
      <main className="signin">
        <div className="card signin-card">
          <h1 className="brand-title">Parley</h1>
          <p role="status">Connecting to {serverUrl}…</p>
          <button type="button" className="btn" onClick={() => void app.session.signOut()}>
            Use another account
          </button>
        </div>
      </main>
    );
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (register) {
      const name = username.trim().toLowerCase();
      const problem = checkRegistration(name, displayName.trim(), password);
      setLocalError(problem);
      if (!problem)
        void app.session.register(server, { username: name, displayName: displayName.trim(), password });
    } else {
      setLocalError(null);
      void app.session.signIn(server, username.trim().toLowerCase(), password);
    }
  };

  const switchMode = () => {
    setRegister(!register);
    setLocalError(null);
  };

  const error = localError ?? serverError;
  const busy = phase === 'signing-in';
  return (
    <main className="signin">
      <div className="card signin-card">
        <h1 className="brand-title">Parley</h1>
        <p className="muted">
          {register ? 'Create an account to start calling.' : 'Sign in to call your contacts.'}
        </p>
        <form onSubmit={submit} className="form" aria-busy={busy}>
          <label htmlFor={`${id}-server`}>Server</label>
          <input
            id={`${id}-server`}
            value={server}
            onChange={(e) => setServer(e.target.value)}
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            required
          />
          <label htmlFor={`${id}-user`}>Username</label>
          <input
            id={`${id}-user`}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            aria-describedby={register ? `${id}-user-hint` : undefined}
            required
          />
          {register && (
            <p id={`${id}-user-hint`} className="hint">
              3–32 characters: a–z, 0–9, dot, dash or underscore.
            </p>
          )}
          {register && (
            <>
              <label htmlFor={`${id}-name`}>Display name</label>
              <input
                id={`${id}-name`}
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
                autoComplete="name"
                required
              />
            </>
          )}
          <label htmlFor={`${id}-pass`}>Password</label>
          <input
            id={`${id}-pass`}
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete={register ? 'new-password' : 'current-password'}
            required
          />
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-block">
            {register ? 'Create account' : 'Sign in'}
          </button>
          {busy && <p className="muted center">{register ? 'Creating your account…' : 'Signing in…'}</p>}
        </form>
        <button type="button" className="btn btn-link" onClick={switchMode}>
          {register ? 'I have an account' : 'Create an account'}
        </button>
      </div>
    </main>
  );
}
