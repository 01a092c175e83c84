import type Database from 'better-sqlite3';
import type { Collection, FieldDef, RecordData } from '../../shared/schema';
import { AppError } from '../errors';
import { toSqlValue } from './collections';
import { recordTable, sqlId, type Db } from './db';
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

function uniqueConflict(c: Collection, e: unknown): never {
  const msg = (e as Error).message;
  // note: SQLite reports "UNIQUE constraint failed: r_posts.account, r_posts.slug".
  const field = c.fields.find((f) => f.unique && msg.includes(`.${f.name}`))?.name;
  if (field) {
    throw new AppError(409, 'unique_violation', `A record with this '${field}' already exists.`, {
      [field]: 'must be unique',
    });
  }
  if (msg.includes('.id'))
    throw new AppError(409, 'conflict', 'A record with this id already exists.', { id: 'taken' });
  throw e;
}

/** Record tables: the only SQL on records. Callers check rules and run writes in a transaction. */
export class Records {
  private statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

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

  /** One record by id, with its account; undefined when absent. */
  get(c: Collection, id: string): { record: RecordData; account: string } | undefined {
    const row = this.stmt(`SELECT * FROM ${recordTable(c.name)} WHERE id = ?`).get(id) as
      Record<string, unknown> | undefined;
    return row ? { record: rowToRecord(c, row), account: row.account as string } : undefined;
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
      uniqueConflict(c, e);
    }
    return this.get(c, id)!.record;
  }

  /** Applies a checked patch to one record; returns the record after the change. */
  update(c: Collection, id: string, patch: Record<string, unknown>): RecordData {
    const sets = ['updated_at = ?'];
    const vals: unknown[] = [nowIso()];
    for (const f of c.fields) {
      if (!Object.hasOwn(patch, f.name)) continue;
      sets.push(`${sqlId(f.name)} = ?`);
      vals.push(toSqlValue(f.type, patch[f.name]));
    }
    try {
      this.stmt(`UPDATE ${recordTable(c.name)} SET ${sets.join(', ')} WHERE id = ?`).run(...vals, id);
    } catch (e) {
      uniqueConflict(c, e);
    }
    return this.get(c, id)!.record;
  }

  /** Deletes one record by id. */
  delete(c: Collection, id: string): void {
    this.stmt(`DELETE FROM ${recordTable(c.name)} WHERE id = ?`).run(id);
  }

  /** Whether any record of the collection belongs to an account other than `account`. */
  hasOtherAccounts(c: Collection, account: string): boolean {
    return !!this.stmt(`SELECT 1 FROM ${recordTable(c.name)} WHERE account != ? LIMIT 1`).get(account);
  }
}
