import type { Db } from '../db';

/** Instance settings the console changes at runtime (e.g. the Redis URL for scale-out). */
export function settings(db: Db): void {
  db.exec(`
    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
  `);
}
