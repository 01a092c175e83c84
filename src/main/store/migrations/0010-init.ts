import type { Db } from '../db';

/** The first schema: users, sessions, API keys, collections, the event outbox and schema history. */
export function init(db: Db): void {
  db.exec(`
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      email TEXT NOT NULL UNIQUE COLLATE NOCASE,
      password_hash TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('admin','editor','viewer')),
      account TEXT NOT NULL,
      superuser INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX users_account ON users(account);

    CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      current_jti TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      revoked_at TEXT
    );
    CREATE INDEX sessions_user ON sessions(user_id);

    CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      key_hash TEXT NOT NULL UNIQUE,
      prefix TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('admin','editor','viewer')),
      account TEXT NOT NULL,
      collections TEXT,
      created_by TEXT,
      created_at TEXT NOT NULL,
      last_used_at TEXT
    );
    CREATE INDEX api_keys_account ON api_keys(account);

    CREATE TABLE collections (
      name TEXT PRIMARY KEY,
      fields TEXT NOT NULL,
      rules TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    CREATE TABLE schema_changes (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      collection TEXT NOT NULL,
      change TEXT NOT NULL,
      actor TEXT,
      at TEXT NOT NULL
    );

    CREATE TABLE events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      type TEXT NOT NULL,
      collection TEXT,
      record_id TEXT,
      account TEXT NOT NULL,
      actor TEXT,
      data TEXT,
      previous TEXT,
      timestamp TEXT NOT NULL,
      trace_id TEXT
    );
    CREATE INDEX events_timestamp ON events(timestamp);
  `);
}
