import type Database from 'better-sqlite3';
import { likeMatch } from '../../shared/filter';
import type { Collection, FieldDef, RecordData } from '../../shared/schema';
import { toSqlValue } from './collections';
import { recordTable, sqlId, type Db } from './db';
import { IdTaken, UniqueViolation } from './errors';
import { newId, nowIso } from './ids';

type Statement = Database.Statement<unknown[], unknown>;

/** A compiled WHERE fragment with its parameters. */
export interface Where {
  sql: string;
  params: unknown[];
}

/** What a list reads: a WHERE, an order, a page and a projection, all already checked. */
export interface ListQuery {
  where: Where;
  sort: { field: string; desc: boolean }[];
  limit: number;
  offset: number;
}

function fromSql(f: FieldDef, v: unknown): unknown {
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

function uniqueConflict(c: Collection, id: string, e: unknown): never {
  const cols = failedColumns((e as Error).message);
  const field = c.fields.find((f) => f.unique && cols.includes(f.name))?.name;
  if (field) {
    throw new UniqueViolation(field, `A record with this '${field}' already exists.`, 'must be unique');
  }
  // note: the key is (id, account), so this only ever reports an id taken in the caller's own account.
  if (cols.includes('id')) throw new IdTaken(id);
  throw e;
}

/** The next `updated_at` of a record: now, but always after the previous one, so it is a version. */
function nextUpdatedAt(previous: string | undefined): string {
  const now = Date.now();
  const prev = previous ? Date.parse(previous) : NaN;
  return new Date(Number.isNaN(prev) || now > prev ? now : prev + 1).toISOString();
}

/** One page of a keyset scan: the records and where the next page starts (undefined at the end). */
export interface ScanPage {
  items: RecordData[];
  next?: unknown[];
}

/** Record tables: the only SQL on records. Callers check rules and run writes in a transaction. */
export class Records {
  private statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {
    // `x LIKE y` calls like(y, x). SQLite's own backtracks (value × pattern); ours is linear and
    // is what filters evaluate in JS, so a list and a live subscription agree. ESCAPE keeps SQLite's.
    db.function('like', { deterministic: true }, (pattern: unknown, value: unknown) =>
      pattern === null || value === null ? null : likeMatch(String(value), String(pattern)) ? 1 : 0,
    );
  }

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      // note: list filters make many distinct statements; 500 keeps the hot ones without growing forever.
      if (this.statements.size >= 500) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Forgets prepared statements; called after every schema change. */
  clearCache(): void {
    this.statements.clear();
  }

  /** One page of records and the total count matching the WHERE. */
  list(c: Collection, q: ListQuery): { items: RecordData[]; total: number } {
    const t = recordTable(c.name);
    const order = q.sort.length
      ? q.sort.map((s) => `${sqlId(s.field)} ${s.desc ? 'DESC' : 'ASC'}`).join(', ') + ', rowid'
      : 'created_at, rowid';
    const rows = this.stmt(`SELECT * FROM ${t} WHERE ${q.where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`).all(
      ...q.where.params,
      q.limit,
      q.offset,
    ) as Record<string, unknown>[];
    const total = (
      this.stmt(`SELECT count(*) AS n FROM ${t} WHERE ${q.where.sql}`).get(...q.where.params) as { n: number }
    ).n;
    return { items: rows.map((r) => rowToRecord(c, r)), total };
  }

  /** Every record matching the WHERE, with its account (for bulk writes). */
  select(c: Collection, where: Where): { record: RecordData; account: string }[] {
    const rows = this.stmt(
      `SELECT * FROM ${recordTable(c.name)} WHERE ${where.sql} ORDER BY created_at, rowid`,
    ).all(...where.params) as Record<string, unknown>[];
    return rows.map((r) => ({ record: rowToRecord(c, r), account: r.account as string }));
  }

  /**
   * One record by id, with its account; undefined when absent. Ids are unique per account
   * (the key is (id, account)); without `account` the first account holding the id answers.
   */
  get(c: Collection, id: string, account?: string): { record: RecordData; account: string } | undefined {
    const t = recordTable(c.name);
    const row = (
      account === undefined
        ? this.stmt(`SELECT * FROM ${t} WHERE id = ? ORDER BY account LIMIT 1`).get(id)
        : this.stmt(`SELECT * FROM ${t} WHERE id = ? AND account = ?`).get(id, account)
    ) as Record<string, unknown> | undefined;
    return row ? { record: rowToRecord(c, row), account: row.account as string } : undefined;
  }

  /** Every record with this id, one per account that holds it (the superuser's lookup). */
  byId(c: Collection, id: string): { record: RecordData; account: string }[] {
    const rows = this.stmt(`SELECT * FROM ${recordTable(c.name)} WHERE id = ? ORDER BY account`).all(
      id,
    ) as Record<string, unknown>[];
    return rows.map((r) => ({ record: rowToRecord(c, r), account: r.account as string }));
  }

  /** How many records match the WHERE (an account scope makes it the caller's count). */
  count(c: Collection, where: Where = { sql: '1', params: [] }): number {
    return (
      this.stmt(`SELECT count(*) AS n FROM ${recordTable(c.name)} WHERE ${where.sql}`).get(
        ...where.params,
      ) as {
        n: number;
      }
    ).n;
  }

  /**
   * One page of a keyset scan in the list order (the sort, then rowid): pass `after` from the
   * previous page. Each page is its own query, so nothing stays open between pages.
   */
  scan(c: Collection, where: Where, sort: ListQuery['sort'], limit: number, after?: unknown[]): ScanPage {
    const keys = [
      ...sort.map((s) => ({ col: sqlId(s.field), desc: s.desc, name: s.field })),
      ...(sort.length ? [] : [{ col: 'created_at', desc: false, name: 'created_at' }]),
      { col: 'rowid', desc: false, name: 'rowid' },
    ];
    const order = keys.map((k) => `${k.col} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');
    const cond: string[] = [];
    const params: unknown[] = [...where.params];
    if (after) {
      const { sql, params: p } = keysetAfter(keys, after);
      cond.push(sql);
      params.push(...p);
    }
    const sql = `SELECT rowid AS "rowid", * FROM ${recordTable(c.name)} WHERE (${where.sql})${cond.length ? ` AND ${cond.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
    const rows = this.stmt(sql).all(...params, limit) as Record<string, unknown>[];
    const last = rows.at(-1);
    return {
      items: rows.map((r) => rowToRecord(c, r)),
      next: rows.length === limit && last ? keys.map((k) => last[k.name]) : undefined,
    };
  }

  /** True when a record with this id exists in this account (relation checks). */
  exists(collection: Collection, id: string, account: string): boolean {
    return !!this.stmt(`SELECT 1 FROM ${recordTable(collection.name)} WHERE id = ? AND account = ?`).get(
      id,
      account,
    );
  }

  /** Inserts a checked value; returns the stored record. */
  insert(c: Collection, value: Record<string, unknown>, account: string): RecordData {
    const now = nowIso();
    const id = typeof value.id === 'string' ? value.id : newId();
    const cols = ['id', 'account', 'created_at', 'updated_at'];
    const vals: unknown[] = [id, account, now, now];
    for (const f of c.fields) {
      if (!Object.hasOwn(value, f.name)) continue;
      cols.push(f.name);
      vals.push(toSqlValue(f.type, value[f.name]));
    }
    try {
      this.stmt(
        `INSERT INTO ${recordTable(c.name)} (${cols.map(sqlId).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      ).run(...vals);
    } catch (e) {
      uniqueConflict(c, id, e);
    }
    return this.get(c, id, account)!.record;
  }

  /**
   * Applies a checked patch to one record of an account; returns the record after the change.
   * `updated_at` strictly increases with every write, so it doubles as the record's version (ETag).
   */
  update(c: Collection, id: string, patch: Record<string, unknown>, account: string): RecordData {
    const t = recordTable(c.name);
    const previous = this.stmt(`SELECT updated_at FROM ${t} WHERE id = ? AND account = ?`)
      .pluck()
      .get(id, account) as string | undefined;
    const sets = ['updated_at = ?'];
    const vals: unknown[] = [nextUpdatedAt(previous)];
    for (const f of c.fields) {
      if (!Object.hasOwn(patch, f.name)) continue;
      sets.push(`${sqlId(f.name)} = ?`);
      vals.push(toSqlValue(f.type, patch[f.name]));
    }
    try {
      this.stmt(`UPDATE ${t} SET ${sets.join(', ')} WHERE id = ? AND account = ?`).run(...vals, id, account);
    } catch (e) {
      uniqueConflict(c, id, e);
    }
    return this.get(c, id, account)!.record;
  }

  /** Deletes one record of an account by id. */
  delete(c: Collection, id: string, account: string): void {
    this.stmt(`DELETE FROM ${recordTable(c.name)} WHERE id = ? AND account = ?`).run(id, account);
  }

  /** Whether any record of the collection belongs to an account other than `account`. */
  hasOtherAccounts(c: Collection, account: string): boolean {
    return !!this.stmt(`SELECT 1 FROM ${recordTable(c.name)} WHERE account != ? LIMIT 1`).get(account);
  }
}

/**
 * The WHERE that starts a keyset page after the row whose key values are `after`, in the order
 * of `keys`. SQLite sorts NULL first ascending and last descending; `IS` compares NULLs.
 */
function keysetAfter(keys: { col: string; desc: boolean }[], after: unknown[]): Where {
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
