import type { Db } from '../db';

/**
 * Display pages (kiosks): one row per display, its config as JSON. A display keeps its own read-only
 * API key (also a row of api_keys); `key` holds the secret so the console can show the display's URL
 * and QR code again (a viewer key for one collection, in the 0600 database like everything else).
 */
export function displays(db: Db): void {
  db.exec(`
    CREATE TABLE displays (
      id TEXT PRIMARY KEY,
      account TEXT NOT NULL,
      collection TEXT NOT NULL,
      name TEXT NOT NULL,
      config TEXT NOT NULL,
      key_id TEXT,
      key TEXT,
      version INTEGER NOT NULL DEFAULT 1,
      created_by TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX displays_account ON displays (account, created_at);
    CREATE INDEX displays_key ON displays (key_id);
  `);
}
