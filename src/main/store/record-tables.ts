import type Database from 'better-sqlite3';
import { likeMatch } from '../../shared/filter';
import type { Collection, RecordData } from '../../shared/schema';
import { recordTable, sqlId, type Db } from './db';
import { AmbiguousId, Invalid, NotFound } from './errors';
import { newId } from './ids';
import {
  keysetAfter,
  orderBy,
  orderKeys,
  rowToRecord,
  toSqlValue,
  uniqueConflict,
  whereOf,
  type ListQuery,
  type RecordQuery,
  type Sort,
} from './record-sql';

type Statement = Database.Statement<unknown[], unknown>;

/** A record with the account that holds it. */
export interface Held {
  record: RecordData;
  account: string;
}

/** One page of a keyset scan: the records and where the next page starts (undefined at the end). */
export interface ScanPage {
  items: RecordData[];
  next?: unknown[];
}

/**
 * The SQL of the record tables: reads, and the row writes `Records` wraps with their events
 * (so no one else writes a row without its event).
 */
export class RecordTables {
  private statements = new Map<string, Statement>();

  constructor(
    protected readonly db: Db,
    /** The collection a relation field points at, by name. */
    private readonly collection: (name: string) => Collection | undefined,
  ) {
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

  /** One page of records and the total count matching the query. */
  list(c: Collection, q: ListQuery): { items: RecordData[]; total: number } {
    const t = recordTable(c.name);
    const where = whereOf(q);
    const rows = this.stmt(
      `SELECT * FROM ${t} WHERE ${where.sql} ORDER BY ${orderBy(orderKeys(q.sort))} LIMIT ? OFFSET ?`,
    ).all(...where.params, q.limit, q.offset) as Record<string, unknown>[];
    const total = (
      this.stmt(`SELECT count(*) AS n FROM ${t} WHERE ${where.sql}`).get(...where.params) as { n: number }
    ).n;
    return { items: rows.map((r) => rowToRecord(c, r)), total };
  }

  /** Every record matching the query, with its account, oldest first (what a bulk write takes). */
  protected select(c: Collection, q: RecordQuery): Held[] {
    const where = whereOf(q);
    const rows = this.stmt(
      `SELECT * FROM ${recordTable(c.name)} WHERE ${where.sql} ORDER BY created_at, rowid`,
    ).all(...where.params) as Record<string, unknown>[];
    return rows.map((r) => ({ record: rowToRecord(c, r), account: r.account as string }));
  }

  /** One record of an account by id; undefined when absent. */
  get(c: Collection, id: string, account: string): Held | undefined {
    const row = this.stmt(`SELECT * FROM ${recordTable(c.name)} WHERE id = ? AND account = ?`).get(
      id,
      account,
    ) as Record<string, unknown> | undefined;
    return row ? { record: rowToRecord(c, row), account: row.account as string } : undefined;
  }

  /**
   * One record by id: in `account`, or (null) in whichever account holds it, the superuser's
   * view. Ids are unique per account, so without an account several may: AmbiguousId.
   */
  find(c: Collection, id: string, account: string | null): Held {
    if (account !== null) {
      const found = this.get(c, id, account);
      if (!found) throw new NotFound(`Record '${id}'`);
      return found;
    }
    const rows = this.stmt(`SELECT * FROM ${recordTable(c.name)} WHERE id = ? ORDER BY account`).all(
      id,
    ) as Record<string, unknown>[];
    if (rows.length === 0) throw new NotFound(`Record '${id}'`);
    if (rows.length > 1)
      throw new AmbiguousId(
        id,
        rows.map((r) => r.account as string),
      );
    return { record: rowToRecord(c, rows[0]!), account: rows[0]!.account as string };
  }

  /** How many records match the query (an account makes it that account's count). */
  count(c: Collection, q: RecordQuery = { account: null }): number {
    const where = whereOf(q);
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
  scan(c: Collection, q: RecordQuery, sort: Sort, limit: number, after?: unknown[]): ScanPage {
    const keys = orderKeys(sort);
    const where = whereOf(q);
    const params: unknown[] = [...where.params];
    let cond = '';
    if (after) {
      const next = keysetAfter(keys, after);
      cond = ` AND ${next.sql}`;
      params.push(...next.params);
    }
    const sql = `SELECT rowid AS "rowid", * FROM ${recordTable(c.name)} WHERE (${where.sql})${cond} ORDER BY ${orderBy(keys)} LIMIT ?`;
    const rows = this.stmt(sql).all(...params, limit) as Record<string, unknown>[];
    const last = rows.at(-1);
    return {
      items: rows.map((r) => rowToRecord(c, r)),
      next: rows.length === limit && last ? keys.map((k) => last[k.name]) : undefined,
    };
  }

  /** Whether any record of the collection belongs to an account other than `account`. */
  hasOtherAccounts(c: Collection, account: string): boolean {
    return !!this.stmt(`SELECT 1 FROM ${recordTable(c.name)} WHERE account != ? LIMIT 1`).get(account);
  }

  /** Refuses relation values that name no record of the same account (Invalid: field -> message). */
  protected checkRelations(c: Collection, value: Record<string, unknown>, account: string): void {
    const errors: Record<string, string> = {};
    for (const f of c.fields) {
      const v = value[f.name];
      if (f.type !== 'relation' || typeof v !== 'string') continue;
      const target = this.collection(f.collection!);
      if (
        !target ||
        !this.stmt(`SELECT 1 FROM ${recordTable(target.name)} WHERE id = ? AND account = ?`).get(v, account)
      )
        errors[f.name] = `no record '${v}' in '${f.collection}'`;
    }
    if (Object.keys(errors).length) throw new Invalid(errors);
  }

  /** Inserts a checked value with `created_at = updated_at = at`; returns the stored record. */
  protected insertRow(
    c: Collection,
    value: Record<string, unknown>,
    account: string,
    at: string,
  ): RecordData {
    const id = typeof value.id === 'string' ? value.id : newId();
    const cols = ['id', 'account', 'created_at', 'updated_at'];
    const vals: unknown[] = [id, account, at, at];
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

  /** Applies a checked patch to one record of an account, setting `updated_at = at`; returns the record after. */
  protected updateRow(
    c: Collection,
    id: string,
    patch: Record<string, unknown>,
    account: string,
    at: string,
  ): RecordData {
    const sets = ['updated_at = ?'];
    const vals: unknown[] = [at];
    for (const f of c.fields) {
      if (!Object.hasOwn(patch, f.name)) continue;
      sets.push(`${sqlId(f.name)} = ?`);
      vals.push(toSqlValue(f.type, patch[f.name]));
    }
    try {
      this.stmt(`UPDATE ${recordTable(c.name)} SET ${sets.join(', ')} WHERE id = ? AND account = ?`).run(
        ...vals,
        id,
        account,
      );
    } catch (e) {
      uniqueConflict(c, id, e);
    }
    return this.get(c, id, account)!.record;
  }

  /** Deletes one record of an account by id. */
  protected deleteRow(c: Collection, id: string, account: string): void {
    this.stmt(`DELETE FROM ${recordTable(c.name)} WHERE id = ? AND account = ?`).run(id, account);
  }
}
