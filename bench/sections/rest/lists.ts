/**
 * The rest section's list phase: seeds the data set into a fresh data dir, starts the server
 * on it, and times each list query as the superuser and as an editor, checking every page.
 */
import { removeDir, tempDir } from '../../lib/cleanup';
import { HttpClient } from '../../lib/http';
import { measurePhase } from '../../lib/proc';
import { printTable, type BenchContext } from '../../lib/section';
import { startWithAdmin, type ChildServer } from '../../lib/server';
import { summarize } from '../../lib/stats';
import { fmt, int, type Cell } from '../../lib/table';
import { runBounded } from '../../lib/timing';
import { CALLERS, listCases, queryOf } from './cases';
import { dirMiB, seed } from './data';
import { COLLECTION, EDITOR, type Plan } from './plan';
import { LATENCY_HEADERS, latencyCells, ms2, rate, type CostRow } from './report';
import { sqlBreakdown } from './sql';

export async function lists(ctx: BenchContext, plan: Plan, costs: CostRow[]): Promise<void> {
  const dir = tempDir('sb-bench-list-');
  let server: ChildServer | undefined;
  const clients: HttpClient[] = [];
  try {
    const t0 = performance.now();
    const expected = seed(dir, plan.seed, plan.seedBatch);
    const seedS = (performance.now() - t0) / 1000;
    ctx.print('');
    ctx.print(
      `seeded ${int(plan.seed)} records (+ their ${int(plan.seed)} outbox events) through src/main/store in ` +
        `${fmt(seedS, 1)} s (${int(plan.seed / seedS)}/s, ${int(plan.seed / plan.seedBatch)} transactions); ` +
        `data dir ${fmt(dirMiB(dir), 0)} MiB`,
    );

    const started = await startWithAdmin(dir);
    server = started.server;
    const admin = started.admin;
    clients.push(admin);
    await admin.expect(201, 'POST', '/api/v1/users', { ...EDITOR, role: 'editor' });
    const editor = new HttpClient(server.url, 1);
    clients.push(editor);
    await editor.login(EDITOR.email, EDITOR.password);
    const clientOf = { superuser: admin, editor };

    const cases = listCases(plan.seed, expected);
    const rows: Cell[][] = [];
    const restP50 = new Map<string, number>();
    for (const kase of cases) {
      for (const who of CALLERS) {
        const path = `/api/v1/collections/${COLLECTION}/records?${queryOf(kase)}`;
        let bytes = 0;
        const problems = new Map<string, number>();
        const note = (p: string) => problems.set(p, (problems.get(p) ?? 0) + 1);
        await server.takeRequestTimes('');
        const { result, cost } = await measurePhase(server.pid, () =>
          runBounded(plan.list, 1, async () => {
            const r = await clientOf[who.as].expect(200, 'GET', path);
            bytes += r.bytes;
            const body = r.body as { items: Record<string, unknown>[]; total_items: number };
            if (body.total_items !== kase.expectTotal)
              note(`total_items ${body.total_items}, want ${kase.expectTotal}`);
            const bad = kase.check(body.items);
            if (bad) note(bad);
          }),
        );
        costs.push({ phase: `list: ${kase.name}, ${who.as}`, cost, ops: result.ok });
        const s = summarize(result.latencies);
        const sv = summarize(await server.takeRequestTimes(`GET /api/v1/collections/${COLLECTION}/records`));
        restP50.set(`${kase.name}|${who.as}`, sv.p50);
        const check = problems.size
          ? [...problems].map(([p, k]) => `${p} (x${k})`).join('; ')
          : result.failed
            ? `${result.failed} failed: ${result.failures[0]}`
            : `ok (${int(result.ok)}/${int(result.ok)})`;
        rows.push([
          kase.name,
          who.as,
          int(result.ok),
          ...latencyCells(s),
          ms2(sv.p50),
          ms2(sv.p99),
          int(rate(result)),
          result.ok ? int(bytes / result.ok) : '-',
          int(kase.expectTotal),
          check,
        ]);
      }
    }
    printTable(
      ctx,
      [
        'GET records, per_page 50 (1 client, sequential)',
        'as',
        'n',
        ...LATENCY_HEADERS,
        'server p50',
        'server p99',
        'req/s',
        'bytes',
        'total_items',
        'total_items + page check',
      ],
      rows,
    );
    ctx.print('');
    for (const c of CALLERS) ctx.print(`${c.as}: ${c.note}`);

    await server.stop();
    server = undefined;
    sqlBreakdown(ctx, dir, plan, cases, restP50);
  } finally {
    for (const c of clients) c.close();
    await server?.stop();
    removeDir(dir);
  }
}
