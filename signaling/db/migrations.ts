/**
 * Schema migrations, applied in order at start. `PRAGMA user_version` holds
 * how many have run. Never edit a shipped migration: append a new one.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    dnd           INTEGER NOT NULL DEFAULT 0,
    disabled_at   INTEGER,
    created_at    INTEGER NOT NULL
  );

  CREATE TABLE sessions (
    token_hash   BLOB PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_by_user ON sessions(user_id);

  -- Two rows per pair, one from each side, so "my contacts" is one lookup.
  CREATE TABLE contacts (
    owner_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    peer_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    state      TEXT NOT NULL CHECK (state IN ('accepted', 'incoming', 'outgoing')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, peer_id)
  );

  -- One row per call attempt, written when it starts and completed when it ends.
  CREATE TABLE calls (
    id              TEXT PRIMARY KEY,
    caller_id       INTEGER NOT NULL REFERENCES users(id),
    callee_id       INTEGER NOT NULL REFERENCES users(id),
    media           TEXT NOT NULL CHECK (media IN ('audio', 'video')),
    caller_device   TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    answered_at     INTEGER,
    answered_device TEXT,
    ended_at        INTEGER,
    end_reason      TEXT,
    missed          INTEGER NOT NULL DEFAULT 0,
    seen            INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX calls_by_caller ON calls(caller_id, created_at DESC, id DESC);
  CREATE INDEX calls_by_callee ON calls(callee_id, created_at DESC, id DESC);
  CREATE INDEX calls_unseen_missed ON calls(callee_id) WHERE missed = 1 AND seen = 0;
  `,
  `
  -- Ended sessions, appended by whoever ends them (logout, the admin command in its own process, the
  -- expiry sweep) and read by every server by id, so that each closes its own open connections.
  -- AUTOINCREMENT: ids never go back, even after pruning, so "id > last seen" misses nothing.
  CREATE TABLE revocations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL,
    token_hash BLOB, -- the session; NULL: every session of the user (account disabled)
    reason     TEXT NOT NULL CHECK (reason IN ('signed-out', 'disabled', 'expired')),
    created_at INTEGER NOT NULL
  );
  `,
  `
  -- The session that first used each device id of a user: no other session may connect with it.
  -- Every way a session ends (sign-out, disable, expiry) deletes it, and so frees its device ids.
  CREATE TABLE device_bindings (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device_id    TEXT NOT NULL,
    token_hash   BLOB NOT NULL REFERENCES sessions(token_hash) ON DELETE CASCADE,
    last_used_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_id)
  );
  CREATE INDEX device_bindings_by_session ON device_bindings(token_hash, last_used_at);
  `,
  `
  -- Calls in progress (ringing or answered): the call registry. Answered ones outlive a server restart,
  -- so a deploy does not end them; a row goes when its call ends (its history row in calls is the record).
  CREATE TABLE live_calls (
    id            TEXT PRIMARY KEY,
    media         TEXT NOT NULL CHECK (media IN ('audio', 'video')),
    caller_id     INTEGER NOT NULL REFERENCES users(id),
    caller_device TEXT NOT NULL,
    callee_id     INTEGER NOT NULL REFERENCES users(id),
    callee_device TEXT, -- the answering device; NULL while it rings
    state         TEXT NOT NULL CHECK (state IN ('ringing', 'active')),
    created_at    INTEGER NOT NULL,
    answered_at   INTEGER
  );
  CREATE INDEX live_calls_by_caller ON live_calls(caller_id);
  CREATE INDEX live_calls_by_callee ON live_calls(callee_id);
  `,
];
