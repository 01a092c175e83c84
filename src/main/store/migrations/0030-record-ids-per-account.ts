import { recordTable, sqlId, type Db } from '../db';

/**
 * Record ids become unique per account: every record table's key changes from `id` to
 * `(id, account)`. With a table-wide key, a custom id taken in another account answered 409
 * and told the caller it existed there. The key leads with `id`, so the superuser's lookup
 * by id alone still uses it. SQLite cannot change a key in place: each table is rebuilt
 * (rows keep their rowid, so list order is unchanged) and its indexes re-created.
 */
export function recordIdsPerAccount(db: Db): void {
  const names = db.prepare('SELECT name FROM collections ORDER BY name').pluck().all() as string[];
  for (const name of names) {
    const table = recordTable(name);
    const tableName = `r_${name}`;
    const indexes = db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
      .pluck()
      .all(tableName) as string[];
    const cols = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string }[];
    const defs = cols.map((c) => {
      const base = `${sqlId(c.name)} ${c.type}`;
      return ['id', 'account', 'created_at', 'updated_at'].includes(c.name) ? `${base} NOT NULL` : base;
    });
    // note: a temporary name outside the r_ namespace, so it never clashes with a collection's table.
    const tmp = sqlId(`m0030_${name}`);
    db.exec(`CREATE TABLE ${tmp} (${defs.join(', ')}, PRIMARY KEY (id, account))`);
    const list = cols.map((c) => sqlId(c.name)).join(', ');
    db.exec(`INSERT INTO ${tmp} (rowid, ${list}) SELECT rowid, ${list} FROM ${table}`);
    db.exec(`DROP TABLE ${table}`);
    db.exec(`ALTER TABLE ${tmp} RENAME TO ${table}`);
    for (const sql of indexes) db.exec(sql);
  }
}
