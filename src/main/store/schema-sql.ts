import type { FieldInput } from '../../shared/collection-validation';
import type { Collection, FieldDef, FieldType, Rules } from '../../shared/schema';
import { recordTable, sqlId, type Db } from './db';
import { Conflict, Invalid, UniqueViolation } from './errors';
import { toSqlValue } from './record-sql';

const SQL_TYPE: Record<FieldType, string> = {
  text: 'TEXT',
  number: 'REAL',
  bool: 'INTEGER',
  date: 'TEXT',
  json: 'TEXT',
  select: 'TEXT',
  relation: 'TEXT',
};

const uniqueIndex = (collection: string, field: string): string => sqlId(`u_${collection}_${field}`);

/** A row of `collections` as the API shape. */
export function rowToCollection(row: Record<string, string>): Collection {
  return {
    name: row.name!,
    fields: JSON.parse(row.fields!) as FieldDef[],
    rules: JSON.parse(row.rules!) as Rules,
    created_at: row.created_at!,
    updated_at: row.updated_at!,
  };
}

/** A field as stored: without the `previous_name` an update names it by. */
export function stripInput(f: FieldInput): FieldDef {
  const { previous_name: _p, ...rest } = f;
  return rest;
}

/** Saves a definition (insert or replace) and logs the change in schema_changes at its `updated_at`. */
export function saveCollection(db: Db, c: Collection, change: unknown, actor: string | undefined): void {
  db.prepare(
    `INSERT INTO collections (name, fields, rules, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET fields = excluded.fields, rules = excluded.rules, updated_at = excluded.updated_at`,
  ).run(c.name, JSON.stringify(c.fields), JSON.stringify(c.rules), c.created_at, c.updated_at);
  db.prepare('INSERT INTO schema_changes (collection, change, actor, at) VALUES (?, ?, ?, ?)').run(
    c.name,
    JSON.stringify(change),
    actor ?? null,
    c.updated_at,
  );
}

/** Drops a collection's table and definition, and logs the drop at `at`. */
export function dropCollection(db: Db, name: string, actor: string | undefined, at: string): void {
  db.exec(`DROP TABLE ${recordTable(name)}`);
  db.prepare('DELETE FROM collections WHERE name = ?').run(name);
  db.prepare('INSERT INTO schema_changes (collection, change, actor, at) VALUES (?, ?, ?, ?)').run(
    name,
    JSON.stringify({ op: 'drop' }),
    actor ?? null,
    at,
  );
}

/** Creates a collection's record table with its system, unique and plain indexes. */
export function createRecordTable(db: Db, name: string, fields: FieldDef[]): void {
  const cols = fields.map((f) => `, ${sqlId(f.name)} ${SQL_TYPE[f.type]}`).join('');
  db.exec(
    `CREATE TABLE ${recordTable(name)} (id TEXT NOT NULL, account TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL${cols}, PRIMARY KEY (id, account))`,
  );
  createSystemIndexes(db, name);
  for (const f of fields) if (f.unique) addUnique(db, name, f.name);
  ensurePlainIndexes(db, name, fields);
}

/** Renames a record table (plain indexes already dropped) and its system and unique indexes; drops the old definition. */
export function renameRecordTable(db: Db, from: string, to: string, fields: FieldDef[]): void {
  for (const f of fields) if (f.unique) db.exec(`DROP INDEX ${uniqueIndex(from, f.name)}`);
  db.exec(`ALTER TABLE ${recordTable(from)} RENAME TO ${recordTable(to)}`);
  db.exec(`DROP INDEX IF EXISTS ${sqlId(`i_${from}_account_created`)}`);
  db.exec(`DROP INDEX IF EXISTS ${sqlId(`i_${from}_created`)}`);
  createSystemIndexes(db, to);
  for (const f of fields) if (f.unique) addUnique(db, to, f.name);
  db.prepare('DELETE FROM collections WHERE name = ?').run(from);
}

/**
 * The indexes every record table has: (account, created_at) for an account's default list,
 * and created_at for the superuser's list across accounts.
 */
function createSystemIndexes(db: Db, collection: string): void {
  const t = recordTable(collection);
  db.exec(`CREATE INDEX ${sqlId(`i_${collection}_account_created`)} ON ${t} (account, created_at)`);
  db.exec(`CREATE INDEX ${sqlId(`i_${collection}_created`)} ON ${t} (created_at)`);
}

/**
 * Plain indexes, named `x_<collection>_<field>` on (account, field): for fields marked
 * `indexed` and for relations. Dropped before any schema change (SQLite will not drop an
 * indexed column) and recreated after it from the new fields.
 */
export function dropPlainIndexes(db: Db, collection: string): void {
  const names = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE 'x\\_%' ESCAPE '\\'",
    )
    .pluck()
    .all(`r_${collection}`) as string[];
  for (const n of names) db.exec(`DROP INDEX ${sqlId(n)}`);
}

export function ensurePlainIndexes(db: Db, collection: string, fields: FieldDef[]): void {
  for (const f of fields) {
    if (f.unique || !(f.indexed || f.type === 'relation')) continue;
    db.exec(
      `CREATE INDEX IF NOT EXISTS ${sqlId(`x_${collection}_${f.name}`)} ON ${recordTable(collection)} (account, ${sqlId(f.name)})`,
    );
  }
}

function addUnique(db: Db, collection: string, field: string): void {
  try {
    db.exec(
      `CREATE UNIQUE INDEX ${uniqueIndex(collection, field)} ON ${recordTable(collection)} (account, ${sqlId(field)})`,
    );
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
      throw new UniqueViolation(
        field,
        `Field '${field}' has duplicate values; it cannot be made unique.`,
        'has duplicate values',
      );
    }
    throw e;
  }
}

/**
 * Changes a record table's columns from `old` to `next`: add, rename (via `previous_name`)
 * and drop fields, change constraints. Untouched fields keep their data; a field's type
 * cannot change in place. Returns the fields as stored.
 */
export function applyFields(db: Db, collection: string, old: FieldDef[], next: FieldInput[]): FieldDef[] {
  const table = recordTable(collection);
  const oldByName = new Map(old.map((f) => [f.name, f]));
  const kept = new Set<string>();
  const errors: Record<string, string> = {};
  next.forEach((f, i) => {
    const from = f.previous_name ?? (oldByName.has(f.name) ? f.name : undefined);
    if (from === undefined) return;
    const o = oldByName.get(from);
    if (!o) errors[`fields.${i}.previous_name`] = `there is no field '${from}'`;
    else if (kept.has(from)) errors[`fields.${i}`] = `field '${from}' is used twice`;
    else if (o.type !== f.type) {
      errors[`fields.${i}.type`] =
        `cannot change '${from}' from ${o.type} to ${f.type}; add a new field instead`;
    }
    kept.add(from);
  });
  if (Object.keys(errors).length) throw new Invalid(errors);
  // Drop first, so a new field may reuse a dropped field's name.
  for (const o of old) {
    if (kept.has(o.name)) continue;
    if (o.unique) db.exec(`DROP INDEX ${uniqueIndex(collection, o.name)}`);
    db.exec(`ALTER TABLE ${table} DROP COLUMN ${sqlId(o.name)}`);
  }
  const rows = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  // Renames go through a temporary column first, so fields may swap or chain names (a->b, b->a).
  // note: the temporary name is longer than any field name may be, so it never clashes with one.
  const tmpName = (i: number): string => `rename_${i}_${'x'.repeat(64)}`;
  next.forEach((f, i) => {
    const o = f.previous_name !== undefined ? oldByName.get(f.previous_name) : undefined;
    if (!o || o.name === f.name) return;
    if (o.unique) db.exec(`DROP INDEX ${uniqueIndex(collection, o.name)}`);
    db.exec(`ALTER TABLE ${table} RENAME COLUMN ${sqlId(o.name)} TO ${sqlId(tmpName(i))}`);
  });
  next.forEach((f, i) => {
    const from = f.previous_name ?? (oldByName.has(f.name) ? f.name : undefined);
    const o = from ? oldByName.get(from) : undefined;
    if (!o) {
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${sqlId(f.name)} ${SQL_TYPE[f.type]}`);
      if (f.default !== undefined && rows > 0) {
        db.prepare(`UPDATE ${table} SET ${sqlId(f.name)} = ?`).run(toSqlValue(f.type, f.default));
      }
    } else if (o.name !== f.name) {
      db.exec(`ALTER TABLE ${table} RENAME COLUMN ${sqlId(tmpName(i))} TO ${sqlId(f.name)}`);
    }
    const hasIndex = !!o?.unique && o.name === f.name;
    if (f.unique && !hasIndex) addUnique(db, collection, f.name);
    if (!f.unique && hasIndex) db.exec(`DROP INDEX ${uniqueIndex(collection, f.name)}`);
    if (f.required && !(o?.required && o.name === f.name)) {
      const missing = db
        .prepare(`SELECT count(*) AS n FROM ${table} WHERE ${sqlId(f.name)} IS NULL`)
        .get() as {
        n: number;
      };
      if (missing.n > 0) {
        throw new Conflict(`${missing.n} records have no value for '${f.name}'; give it a default.`, {
          [f.name]: 'records without a value',
        });
      }
    }
  });
  return next.map(stripInput);
}
