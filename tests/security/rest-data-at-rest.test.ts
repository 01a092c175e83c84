import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, closeDb } from '../../src/main/store/db';
import { createCollection, createRecord } from '../api/support';
import { adminClient, startServer, tempDir } from '../helpers/server';

// Data at rest: the data dir holds password and key hashes, the signing key and every
// account's records. It is 0700 and its files 0600 whatever the umask the server starts with.

const mode = (p: string) => statSync(p).mode & 0o777;
const octal = (m: number) => m.toString(8);

const savedUmask = process.umask();
afterEach(() => {
  process.umask(savedUmask);
});

/** Starts a server on `dataDir`, writes a record (so the WAL is in use), and returns the modes while it runs. */
async function modesWhileRunning(dataDir: string) {
  const s = await startServer({ dataDir });
  try {
    const admin = await adminClient(s);
    const name = `c_${Math.random().toString(36).slice(2, 8)}`;
    await createCollection(admin, { name, fields: [{ name: 'title', type: 'text' }] });
    await createRecord(admin, name, { title: 'at rest' });
    const db = join(dataDir, 'switchboard.db');
    expect(existsSync(`${db}-wal`)).toBe(true);
    expect(existsSync(`${db}-shm`)).toBe(true);
    return {
      dir: octal(mode(dataDir)),
      db: octal(mode(db)),
      wal: octal(mode(`${db}-wal`)),
      shm: octal(mode(`${db}-shm`)),
      key: octal(mode(join(dataDir, 'jwt-ed25519.pem'))),
    };
  } finally {
    await s.stop();
  }
}

const PRIVATE = { dir: '700', db: '600', wal: '600', shm: '600', key: '600' };

describe.skipIf(process.platform === 'win32')('data at rest', () => {
  it.each([0o022, 0o002, 0o000])(
    'a new data dir is 0700 and its files 0600 under umask %s',
    async (umask) => {
      process.umask(umask);
      const parent = tempDir('sb-at-rest-');
      // A data dir that does not exist yet: the server creates it.
      expect(await modesWhileRunning(join(parent, 'data'))).toEqual(PRIVATE);
    },
  );

  it('an existing 0755 data dir with 0644 files (an older version, mkdir -p) is made private', async () => {
    process.umask(0o000);
    const dataDir = tempDir('sb-at-rest-');
    // First run with the old modes, then loosen everything as an older version left it.
    const first = await startServer({ dataDir });
    await first.stop({ keepData: true });
    chmodSync(dataDir, 0o755);
    for (const f of ['switchboard.db', 'jwt-ed25519.pem']) chmodSync(join(dataDir, f), 0o644);
    // A stale -wal/-shm left by a crash of an older version.
    writeFileSync(join(dataDir, 'switchboard.db-shm'), '');
    chmodSync(join(dataDir, 'switchboard.db-shm'), 0o666);
    expect(await modesWhileRunning(dataDir)).toEqual(PRIVATE);
  });

  it('SQLite gives the -wal and -shm it creates the database file mode, not the umask', () => {
    process.umask(0o000);
    const dir = tempDir('sb-at-rest-');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'x.db');
    const db = openDb(file);
    try {
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)].map(octal)).toEqual([
        '600',
        '600',
        '600',
      ]);
    } finally {
      closeDb(db);
    }
  });
});
