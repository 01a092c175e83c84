import type { Db } from './db';
import { newId, nowIso } from './ids';
import type { ApiKey, Role } from '../../shared/admin';
import type { Changes } from './changes';

// The wire type lives in src/shared/admin.ts (the console imports the same one).
export type { ApiKey } from '../../shared/admin';

type Row = Omit<ApiKey, 'collections'> & { collections: string | null; key_hash: string };

const rowToKey = (r: Row): ApiKey => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  role: r.role,
  account: r.account,
  collections: r.collections === null ? null : (JSON.parse(r.collections) as string[]),
  created_at: r.created_at,
  last_used_at: r.last_used_at,
});

/** Long-lived keys for kiosks and scripts, stored as hashes. */
export class ApiKeys {
  private readonly byHashStmt;
  private readonly touchStmt;

  constructor(
    private readonly db: Db,
    private readonly changes: Changes,
  ) {
    this.byHashStmt = db.prepare('SELECT * FROM api_keys WHERE key_hash = ?');
    this.touchStmt = db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
  }

  byHash(hash: string): ApiKey | undefined {
    const r = this.byHashStmt.get(hash) as Row | undefined;
    return r && rowToKey(r);
  }

  get(id: string): ApiKey | undefined {
    const r = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined;
    return r && rowToKey(r);
  }

  list(account: string | null): ApiKey[] {
    const rows = (
      account === null
        ? this.db.prepare('SELECT * FROM api_keys ORDER BY created_at').all()
        : this.db.prepare('SELECT * FROM api_keys WHERE account = ? ORDER BY created_at').all(account)
    ) as Row[];
    return rows.map(rowToKey);
  }

  create(k: {
    name: string;
    hash: string;
    prefix: string;
    role: Role;
    account: string;
    collections: string[] | null;
    createdBy?: string;
  }): ApiKey {
    const id = newId();
    this.db
      .prepare(
        `INSERT INTO api_keys (id, name, key_hash, prefix, role, account, collections, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        k.name,
        k.hash,
        k.prefix,
        k.role,
        k.account,
        k.collections === null ? null : JSON.stringify(k.collections),
        k.createdBy ?? null,
        nowIso(),
      );
    const created = this.get(id)!;
    this.changes.emit({ kind: 'key.saved', key: created, hash: k.hash });
    return created;
  }

  /** Records use, at most once a minute per key, so auth never writes on every request. */
  touch(k: ApiKey): void {
    if (k.last_used_at && Date.now() - Date.parse(k.last_used_at) < 60_000) return;
    this.touchStmt.run(nowIso(), k.id);
  }

  delete(id: string): boolean {
    const gone = this.db.prepare('DELETE FROM api_keys WHERE id = ?').run(id).changes === 1;
    if (gone) this.changes.emit({ kind: 'key.deleted', id });
    return gone;
  }

  /** Every key with its hash, for a cluster's edges. */
  allWithHashes(): { key: ApiKey; hash: string }[] {
    return (this.db.prepare('SELECT * FROM api_keys').all() as Row[]).map((r) => ({
      key: rowToKey(r),
      hash: r.key_hash,
    }));
  }
}
