import { compileFilter, type FilterContext, type FilterNode } from '../../shared/filter';
import type { Collection, FieldDef, FieldType, RecordData } from '../../shared/schema';
import { sqlId } from './db';
import { IdTaken, UniqueViolation } from './errors';

/** A compiled WHERE fragment with its parameters. */
export interface Where {
  sql: string;
  params: unknown[];
}

/**
 * Which records a read or a bulk write takes: those of one account (null: of every account,
 * the superuser's view) that match every filter. Filters arrive parsed; the store compiles them.
 */
export interface RecordQuery {
  account: string | null;
  filters?: (FilterNode | undefined)[];
  /** Who `@user.*` in the filters is. */
  caller?: FilterContext;
}

/** A list order: fields, each ascending or descending. */
export type Sort = { field: string; desc: boolean }[];

/** A page of a list: a query, its order and which rows. */
export interface ListQuery extends RecordQuery {
  sort: Sort;
  limit: number;
  offset: number;
}

/** ANDs the account scope and the filters into one WHERE. */
export function whereOf(q: RecordQuery): Where {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (q.account !== null) {
    parts.push('account = ?');
    params.push(q.account);
  }
  for (const f of q.filters ?? []) {
    if (!f) continue;
    const c = compileFilter(f, sqlId, q.caller);
    parts.push(`(${c.sql})`);
    params.push(...c.params);
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

/** One key of a list order: the SQL column, its direction and the name a row answers it under. */
export interface OrderKey {
  col: string;
  desc: boolean;
  name: string;
}

/**
 * The keys a list is ordered by: the sort (by creation when there is none), then rowid, so
 * rows that tie on every sort key still have one order, in the direction of the last key.
 */
export function orderKeys(sort: Sort): OrderKey[] {
  const keys = sort.length
    ? sort.map((s) => ({ col: sqlId(s.field), desc: s.desc, name: s.field }))
    : [{ col: 'created_at', desc: false, name: 'created_at' }];
  return [...keys, { col: 'rowid', desc: keys.at(-1)!.desc, name: 'rowid' }];
}

/** `ORDER BY` text for the keys. */
export const orderBy = (keys: OrderKey[]): string =>
  keys.map((k) => `${k.col} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');

/**
 * The WHERE that starts a keyset page after the row whose key values are `after`, in the order
 * of `keys`. SQLite sorts NULL first ascending and last descending; `IS` compares NULLs.
 */
export function keysetAfter(keys: OrderKey[], after: unknown[]): Where {
  const ors: string[] = [];
  const params: unknown[] = [];
  keys.forEach((k, i) => {
    const parts: string[] = [];
    const ps: unknown[] = [];
    for (let j = 0; j < i; j++) {
      parts.push(`${keys[j]!.col} IS ?`);
      ps.push(after[j]);
    }
    const v = after[i];
    if (v === null || v === undefined) {
      if (k.desc) return; // nothing sorts after NULL descending but more NULLs, which the next key orders
      parts.push(`${k.col} IS NOT NULL`);
    } else if (k.desc) {
      parts.push(`(${k.col} < ? OR ${k.col} IS NULL)`);
      ps.push(v);
    } else {
      parts.push(`${k.col} > ?`);
      ps.push(v);
    }
    ors.push(`(${parts.join(' AND ')})`);
    params.push(...ps);
  });
  return { sql: ors.length ? `(${ors.join(' OR ')})` : '0', params };
}

/** A field's JS value as the record tables hold it: bools as 0/1, json as text. */
export function toSqlValue(type: FieldType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'bool') return v ? 1 : 0;
  if (type === 'json') return JSON.stringify(v);
  return v;
}

/** A field's value from a record table back to JS. */
export function fromSql(f: FieldDef, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (f.type === 'bool') return v === 1;
  if (f.type === 'json') return JSON.parse(v as string);
  return v;
}

/** Turns a row of a record table into the API shape (no `account`: it is the event's). */
export function rowToRecord(c: Collection, row: Record<string, unknown>): RecordData {
  const r: RecordData = {
    id: row.id as string,
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
  };
  for (const f of c.fields) r[f.name] = fromSql(f, row[f.name]);
  return r;
}

/** The columns SQLite names in a UNIQUE failure: "UNIQUE constraint failed: r_posts.account, r_posts.slug". */
function failedColumns(msg: string): string[] {
  const m = /UNIQUE constraint failed: (.*)$/.exec(msg);
  return m ? m[1]!.split(',').map((part) => part.trim().split('.').pop()!) : [];
}

/** Rethrows SQLite's UNIQUE failure on a write to record `id` as the store's own error; anything else as it is. */
export function uniqueConflict(c: Collection, id: string, e: unknown): never {
  const cols = failedColumns((e as Error).message);
  const field = c.fields.find((f) => f.unique && cols.includes(f.name))?.name;
  if (field)
    throw new UniqueViolation(field, `A record with this '${field}' already exists.`, 'must be unique');
  // note: the key is (id, account), so this only ever reports an id taken in the caller's own account.
  if (cols.includes('id')) throw new IdTaken(id);
  throw e;
}
