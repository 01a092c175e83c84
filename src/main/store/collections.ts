import type { FieldInput } from '../../shared/collection-validation';
import { FilterError, parseFilter, type FieldTypes } from '../../shared/filter';
import { RULE_OPS, type Collection, type FieldDef, type FieldType, type Rules } from '../../shared/schema';
import { Conflict, Invalid, NotFound, UniqueViolation } from './errors';
import { recordTable, sqlId, type Db } from './db';
import { nowIso } from './ids';

const SQL_TYPE: Record<FieldType, string> = {
  text: 'TEXT',
  number: 'REAL',
  bool: 'INTEGER',
  date: 'TEXT',
  json: 'TEXT',
  select: 'TEXT',
  relation: 'TEXT',
};

/** Rules a collection gets for operations its body leaves out: only admins. */
export const DEFAULT_RULES: Rules = {
  list: 'admin',
  view: 'admin',
  create: 'admin',
  update: 'admin',
  delete: 'admin',
};

/** The field -> type map the filter language checks against, system fields included. */
export function fieldTypes(c: Pick<Collection, 'fields'>): FieldTypes {
  const types: FieldTypes = { id: 'text', created_at: 'date', updated_at: 'date' };
  for (const f of c.fields) types[f.name] = f.type;
  return types;
}

const uniqueIndex = (collection: string, field: string): string => sqlId(`u_${collection}_${field}`);

/** SQLite JSON for a JS value of a field, as the record tables hold it. */
export function toSqlValue(type: FieldType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'bool') return v ? 1 : 0;
  if (type === 'json') return JSON.stringify(v);
  return v;
}

/**
 * Collections and their tables: every schema change is DDL plus a row in schema_changes,
 * run by the caller inside one transaction so a failed change leaves nothing behind.
 */
export class Collections {
  private cache = new Map<string, Collection>();

  constructor(private readonly db: Db) {
    this.reload();
  }

  /** Re-reads the definitions; called after every schema transaction, committed or not. */
  reload(): void {
    this.cache.clear();
    for (const row of this.db.prepare('SELECT * FROM collections ORDER BY name').all() as Record<
      string,
      string
    >[]) {
      this.cache.set(row.name!, {
        name: row.name!,
        fields: JSON.parse(row.fields!) as FieldDef[],
        rules: JSON.parse(row.rules!) as Rules,
        created_at: row.created_at!,
        updated_at: row.updated_at!,
      });
    }
  }

  list(): Collection[] {
    return [...this.cache.values()];
  }

  get(name: string): Collection | undefined {
    return this.cache.get(name);
  }

  require(name: string): Collection {
    const c = this.cache.get(name);
    if (!c) throw new NotFound(`Collection '${name}'`);
    return c;
  }

  private checkRelations(fields: FieldDef[], self: string): void {
    const errors: Record<string, string> = {};
    fields.forEach((f, i) => {
      if (f.type === 'relation' && f.collection !== self && !this.cache.has(f.collection!)) {
        errors[`fields.${i}.collection`] = `collection '${f.collection}' does not exist`;
      }
    });
    if (Object.keys(errors).length) throw new Invalid(errors);
  }

  private checkRules(rules: Rules, fields: FieldDef[]): void {
    const errors: Record<string, string> = {};
    const types = fieldTypes({ fields });
    for (const op of RULE_OPS) {
      const r = rules[op];
      if (typeof r !== 'object') continue;
      try {
        parseFilter(r, types);
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        errors[`rules.${op}`] = e.message;
      }
    }
    if (Object.keys(errors).length) throw new Invalid(errors);
  }

  private write(c: Collection, change: unknown, actor: string | undefined): void {
    this.db
      .prepare(
        `INSERT INTO collections (name, fields, rules, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET fields = excluded.fields, rules = excluded.rules, updated_at = excluded.updated_at`,
      )
      .run(c.name, JSON.stringify(c.fields), JSON.stringify(c.rules), c.created_at, c.updated_at);
    this.db
      .prepare('INSERT INTO schema_changes (collection, change, actor, at) VALUES (?, ?, ?, ?)')
      .run(c.name, JSON.stringify(change), actor ?? null, c.updated_at);
    this.cache.set(c.name, c);
  }

  /** Creates the definition and its table. Call inside a transaction. */
  create(input: { name: string; fields: FieldInput[]; rules?: Partial<Rules> }, actor?: string): Collection {
    if (this.cache.has(input.name)) throw new Conflict(`Collection '${input.name}' already exists.`);
    if (input.fields.some((f) => f.previous_name))
      throw new Invalid({ fields: 'previous_name only applies to an update' });
    const fields = input.fields.map(stripInput);
    const rules = { ...DEFAULT_RULES, ...input.rules };
    this.checkRelations(fields, input.name);
    this.checkRules(rules, fields);
    const cols = fields.map((f) => `, ${sqlId(f.name)} ${SQL_TYPE[f.type]}`).join('');
    const table = recordTable(input.name);
    this.db.exec(
      `CREATE TABLE ${table} (id TEXT NOT NULL, account TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL${cols}, PRIMARY KEY (id, account))`,
    );
    this.createSystemIndexes(input.name);
    for (const f of fields) if (f.unique) this.addUnique(input.name, f.name);
    this.ensurePlainIndexes(input.name, fields);
    const now = nowIso();
    const c: Collection = { name: input.name, fields, rules, created_at: now, updated_at: now };
    this.write(c, { op: 'create', fields, rules }, actor);
    return c;
  }

  /**
   * The indexes every record table has: (account, created_at) for an account's default list,
   * and created_at for the superuser's list across accounts.
   */
  private createSystemIndexes(collection: string): void {
    const t = recordTable(collection);
    this.db.exec(`CREATE INDEX ${sqlId(`i_${collection}_account_created`)} ON ${t} (account, created_at)`);
    this.db.exec(`CREATE INDEX ${sqlId(`i_${collection}_created`)} ON ${t} (created_at)`);
  }

  private dropSystemIndexes(collection: string): void {
    this.db.exec(`DROP INDEX IF EXISTS ${sqlId(`i_${collection}_account_created`)}`);
    this.db.exec(`DROP INDEX IF EXISTS ${sqlId(`i_${collection}_created`)}`);
  }

  /**
   * Plain indexes, named `x_<collection>_<field>` on (account, field): for fields marked
   * `indexed` and for relations. Dropped before any schema change (SQLite will not drop an
   * indexed column) and recreated after it from the new fields.
   */
  private dropPlainIndexes(collection: string): void {
    const names = this.db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE 'x\\_%' ESCAPE '\\'",
      )
      .pluck()
      .all(`r_${collection}`) as string[];
    for (const n of names) this.db.exec(`DROP INDEX ${sqlId(n)}`);
  }

  private ensurePlainIndexes(collection: string, fields: FieldDef[]): void {
    for (const f of fields) {
      if (f.unique || !(f.indexed || f.type === 'relation')) continue;
      this.db.exec(
        `CREATE INDEX IF NOT EXISTS ${sqlId(`x_${collection}_${f.name}`)} ON ${recordTable(collection)} (account, ${sqlId(f.name)})`,
      );
    }
  }

  private addUnique(collection: string, field: string): void {
    try {
      this.db.exec(
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
   * Applies a schema change: rename the collection, add, rename (via `previous_name`) and
   * drop fields, change constraints and rules. Untouched fields keep their data; a field's
   * type cannot change in place. Call inside a transaction.
   */
  update(
    name: string,
    patch: { name?: string; fields?: FieldInput[]; rules?: Partial<Rules> },
    actor?: string,
  ): { before: Collection; after: Collection } {
    const before = this.require(name);
    this.dropPlainIndexes(name);
    let current = name;
    if (patch.name && patch.name !== name) {
      if (this.cache.has(patch.name)) throw new Conflict(`Collection '${patch.name}' already exists.`);
      for (const f of before.fields) if (f.unique) this.db.exec(`DROP INDEX ${uniqueIndex(name, f.name)}`);
      this.db.exec(`ALTER TABLE ${recordTable(name)} RENAME TO ${recordTable(patch.name)}`);
      this.dropSystemIndexes(name);
      this.createSystemIndexes(patch.name);
      for (const f of before.fields) if (f.unique) this.addUnique(patch.name, f.name);
      this.db.prepare('DELETE FROM collections WHERE name = ?').run(name);
      this.cache.delete(name);
      this.retargetRelations(name, patch.name, actor);
      current = patch.name;
    }
    const fields = patch.fields ? this.applyFields(current, before.fields, patch.fields) : before.fields;
    this.ensurePlainIndexes(current, fields);
    const rules = { ...before.rules, ...patch.rules };
    this.checkRelations(fields, current);
    this.checkRules(rules, fields);
    const after: Collection = { ...before, name: current, fields, rules, updated_at: nowIso() };
    this.write(after, { op: 'update', from: name, ...patch }, actor);
    return { before, after };
  }

  private retargetRelations(from: string, to: string, actor?: string): void {
    for (const c of this.cache.values()) {
      if (!c.fields.some((f) => f.type === 'relation' && f.collection === from)) continue;
      const fields = c.fields.map((f) =>
        f.type === 'relation' && f.collection === from ? { ...f, collection: to } : f,
      );
      this.write({ ...c, fields, updated_at: nowIso() }, { op: 'retarget', from, to }, actor);
    }
  }

  private applyFields(collection: string, old: FieldDef[], next: FieldInput[]): FieldDef[] {
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
      if (o.unique) this.db.exec(`DROP INDEX ${uniqueIndex(collection, o.name)}`);
      this.db.exec(`ALTER TABLE ${table} DROP COLUMN ${sqlId(o.name)}`);
    }
    const rows = (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    // Renames go through a temporary column first, so fields may swap or chain names (a->b, b->a).
    // note: the temporary name is longer than any field name may be, so it never clashes with one.
    const tmpName = (i: number): string => `rename_${i}_${'x'.repeat(64)}`;
    next.forEach((f, i) => {
      const o = f.previous_name !== undefined ? oldByName.get(f.previous_name) : undefined;
      if (!o || o.name === f.name) return;
      if (o.unique) this.db.exec(`DROP INDEX ${uniqueIndex(collection, o.name)}`);
      this.db.exec(`ALTER TABLE ${table} RENAME COLUMN ${sqlId(o.name)} TO ${sqlId(tmpName(i))}`);
    });
    next.forEach((f, i) => {
      const from = f.previous_name ?? (oldByName.has(f.name) ? f.name : undefined);
      const o = from ? oldByName.get(from) : undefined;
      if (!o) {
        this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${sqlId(f.name)} ${SQL_TYPE[f.type]}`);
        if (f.default !== undefined && rows > 0) {
          this.db.prepare(`UPDATE ${table} SET ${sqlId(f.name)} = ?`).run(toSqlValue(f.type, f.default));
        }
      } else if (o.name !== f.name) {
        this.db.exec(`ALTER TABLE ${table} RENAME COLUMN ${sqlId(tmpName(i))} TO ${sqlId(f.name)}`);
      }
      const hasIndex = !!o?.unique && o.name === f.name;
      if (f.unique && !hasIndex) this.addUnique(collection, f.name);
      if (!f.unique && hasIndex) this.db.exec(`DROP INDEX ${uniqueIndex(collection, f.name)}`);
      if (f.required && !(o?.required && o.name === f.name)) {
        const missing = this.db
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

  /** Drops the collection and its records. Refused while another collection relates to it. */
  drop(name: string, actor?: string): Collection {
    const c = this.require(name);
    for (const other of this.cache.values()) {
      const f = other.fields.find((x) => x.type === 'relation' && x.collection === name);
      if (f && other.name !== name) {
        throw new Conflict(`Collection '${other.name}' relates to '${name}' through '${f.name}'.`);
      }
    }
    this.db.exec(`DROP TABLE ${recordTable(name)}`);
    this.db.prepare('DELETE FROM collections WHERE name = ?').run(name);
    this.db
      .prepare('INSERT INTO schema_changes (collection, change, actor, at) VALUES (?, ?, ?, ?)')
      .run(name, JSON.stringify({ op: 'drop' }), actor ?? null, nowIso());
    this.cache.delete(name);
    return c;
  }
}

function stripInput(f: FieldInput): FieldDef {
  const { previous_name: _p, ...rest } = f;
  return rest;
}
