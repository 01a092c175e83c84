import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
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

/** note: owner only: the data dir holds password and key hashes, the signing key and every account's records. */
export const DATA_DIR_MODE = 0o700;
/** note: owner read/write only, for the database and its -wal/-shm (README: "mode 0600"). */
export const DATA_FILE_MODE = 0o600;

// note: Windows has no owner/group/other bits (chmod only toggles read-only); there we leave modes alone.
const POSIX = process.platform !== 'win32';

/** Sets `mode` on `path` and checks it took; a filesystem that ignores chmod fails the start with one line. */
function restrict(path: string, mode: number, what: string): void {
  if (!POSIX) return;
  try {
    chmodSync(path, mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(
      `cannot make the ${what} ${path} private (mode ${mode.toString(8)}): ${(e as Error).message}`,
    );
  }
  const actual = statSync(path).mode & 0o777;
  if (actual & 0o077)
    throw new Error(
      `the ${what} ${path} stays readable by others (mode ${actual.toString(8)}); put the data dir on a filesystem with Unix permissions`,
    );
}

/**
 * Creates the data dir if needed and makes it private (0700), whatever the umask: it may
 * have been made by `mkdir -p` or an older version with 0755.
 */
export function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  restrict(dir, DATA_DIR_MODE, 'data directory');
}

/**
 * Creates the database file with mode 0600 before SQLite opens it (SQLite would create it
 * 0644 minus the umask) and brings existing -wal/-shm files to 0600. SQLite creates a new
 * -wal or -shm with the database file's own mode (unix VFS, findCreateFileMode + fchmod),
 * so the ones it makes later are 0600 too, whatever the umask.
 */
function secureDbFiles(file: string): void {
  closeSync(openSync(file, 'a', DATA_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`])
    restrict(f, DATA_FILE_MODE, 'database file');
}

/** Opens (or creates) the SQLite file with WAL, foreign keys and a busy timeout; the file and its -wal/-shm are 0600. */
export function openDb(file: string, opts: OpenOptions = {}): Db {
  if (file && file !== ':memory:' && !file.startsWith('file:')) secureDbFiles(file);
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
