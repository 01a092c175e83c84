/** The two statements a list runs, timed in-process with their query plans (the rest section's last table). */
import { join } from 'node:path';
import { parseFilter } from '../../../src/shared/filter';
import { fieldTypes } from '../../../src/main/store/collections';
import { closeDb, openDb, recordTable } from '../../../src/main/store/db';
import { orderBy, orderKeys, whereOf } from '../../../src/main/store/record-sql';
import { printTable, type BenchContext } from '../../lib/section';
import { summarize } from '../../lib/stats';
import type { Cell } from '../../lib/table';
import { runBoundedSync } from '../../lib/timing';
import { CALLERS, type ListCase } from './cases';
import { BIG_CACHE_MIB, COLLECTION, FIELDS, PER_PAGE, type Plan } from './plan';
import { ms2 } from './report';

/**
 * The two statements a list runs (records.ts: page, then count), timed separately in this
 * process on the same file with the same pragmas. WHERE and ORDER BY come from the store's own builders.
 */
export function sqlBreakdown(
  ctx: BenchContext,
  dir: string,
  plan: Plan,
  cases: ListCase[],
  restP50: Map<string, number>,
): void {
  const db = openDb(join(dir, 'switchboard.db'));
  // What-if: the same statements with a page cache that holds the whole file (the default is 2 MiB).
  const big = openDb(join(dir, 'switchboard.db'));
  big.pragma(`cache_size = -${BIG_CACHE_MIB * 1024}`);
  try {
    const store = { fields: FIELDS.map(({ name, type }) => ({ name, type })) };
    const types = fieldTypes(store);
    const t = recordTable(COLLECTION);
    const rows: Cell[][] = [];
    for (const k of cases) {
      for (const who of CALLERS) {
        // The list's own WHERE and ORDER BY, from the store.
        const { sql: where, params } = whereOf({
          account: who.scoped ? 'default' : null,
          filters: [k.filter && parseFilter(k.filter, types)],
        });
        const desc = !!k.sort?.startsWith('-');
        const order = orderBy(orderKeys(k.sort ? [{ field: k.sort.replace(/^-/, ''), desc }] : []));
        const pageSql = `SELECT * FROM ${t} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`;
        const countSql = `SELECT count(*) AS n FROM ${t} WHERE ${where}`;
        const pageArgs = [...params, PER_PAGE, (k.page - 1) * PER_PAGE];
        const planOf = (sql: string, args: unknown[]) =>
          (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[])
            .map((r) =>
              r.detail
                .replace(`${t.replace(/"/g, '')} `, '')
                .replace('USE TEMP B-TREE FOR ORDER BY', 'TEMP B-TREE sort'),
            )
            .join('; ');
        const page = db.prepare(pageSql);
        const count = db.prepare(countSql);
        const p = summarize(runBoundedSync(plan.sql, () => void page.all(...pageArgs)).latencies);
        const c = summarize(runBoundedSync(plan.sql, () => void count.get(...params)).latencies);
        const bigPage = big.prepare(pageSql);
        const bigCount = big.prepare(countSql);
        // note: one untimed run each fills the big cache with what the statement reads.
        bigPage.all(...pageArgs);
        bigCount.get(...params);
        const bp = summarize(runBoundedSync(plan.sql, () => void bigPage.all(...pageArgs)).latencies);
        const bc = summarize(runBoundedSync(plan.sql, () => void bigCount.get(...params)).latencies);
        rows.push([
          k.name,
          who.as,
          ms2(p.p50),
          ms2(c.p50),
          ms2(bp.p50),
          ms2(bc.p50),
          ms2(restP50.get(`${k.name}|${who.as}`) ?? NaN),
          planOf(pageSql, pageArgs),
          planOf(countSql, params),
        ]);
      }
    }
    ctx.print('');
    ctx.print(
      `list SQL in-process on the same file with the server's pragmas (default cache_size, 2 MiB), and with a ${BIG_CACHE_MIB} MiB ` +
        `cache as a what-if; p50 of up to ${plan.sql.count} runs or ${plan.sql.ms / 1000} s each:`,
    );
    printTable(
      ctx,
      [
        'query',
        'as',
        'page ms',
        'count ms',
        `page ms, ${BIG_CACHE_MIB} MiB cache`,
        `count ms, ${BIG_CACHE_MIB} MiB cache`,
        'server p50 ms (REST)',
        'page plan',
        'count plan',
      ],
      rows,
    );
  } finally {
    big.close();
    closeDb(db);
  }
}
