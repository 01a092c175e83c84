import Database from 'better-sqlite3';

/** The handle every store module works with. */
export type Db = Database.Database;

/** How the database file is opened. */
export interface OpenOptions {
  /** A better_sqlite3.node built for the running runtime (Electron ships its own ABI). */
  nativeBinding?: string;
  /** note: FULL makes every acknowledged commit survive power loss, not only a crash. */
  synchronous?: 'FULL' | 'NORMAL';
}

/** Opens (or creates) the SQLite file with WAL, foreign keys and a busy timeout. */
export function openDb(file: string, opts: OpenOptions = {}): Db {
  const db = new Database(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  // note: 5 s lets a second process (a backup, the CLI) finish its write before ours gives up.
  db.pragma('busy_timeout = 5000');
  // note: 64 MiB of page cache (SQLite's default is 2 MiB): lists over 100k records stay in memory.
  db.pragma('cache_size = -65536');
  return db;
}

/** Closes the database after updating planner statistics and folding the WAL back into the main file. */
export function closeDb(db: Db): void {
  if (!db.open) return;
  db.pragma('optimize');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Quotes an identifier after checking it is one of ours; the only way a name reaches SQL. */
export function sqlId(name: string): string {
  if (!/^[a-z][a-z0-9_]{0,250}$/.test(name)) {
    throw new Error(`not an identifier: ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

/** The table that holds a collection's records. */
export function recordTable(collection: string): string {
  return sqlId(`r_${collection}`);
}
