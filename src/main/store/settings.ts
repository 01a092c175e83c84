import type { Db } from './db';

/** The settings the console can change; each is a string, absent when unset. */
export type SettingKey = 'redis_url' | 'retain_events' | 'retain_ms' | 'lan_sharing';

/** Instance settings, kept in the database so they survive a restart with the data. */
export class Settings {
  private readonly getStmt;
  private readonly setStmt;
  private readonly delStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
    this.setStmt = db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.delStmt = db.prepare('DELETE FROM settings WHERE key = ?');
  }

  get(key: SettingKey): string | null {
    return (this.getStmt.get(key) as string | undefined) ?? null;
  }

  /** Sets a value, or clears it with null. */
  set(key: SettingKey, value: string | null): void {
    if (value === null) this.delStmt.run(key);
    else this.setStmt.run(key, value, new Date().toISOString());
  }
}
