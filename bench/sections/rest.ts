/**
 * The REST foundation: durable write throughput and latency (1 and 16 clients), list latency
 * over 100,000 records, and what each phase cost the server process.
 *
 * The server runs as a child process (the built out/main/headless.js), so its CPU and RSS are read
 * from /proc/PID and are not mixed with the client's. The 100k records are seeded straight
 * into the data dir through the store module (src/main/store) before the server starts, one
 * transaction per 10,000 records, each record with its outbox event as the API would write it.
 *
 * Two in-process reference figures help read the REST ones: the store's own commit rate
 * (record + event in one transaction, synchronous=FULL and NORMAL) under the REST writes, and
 * the list SQL timed statement by statement (page vs count) with its query plan.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FieldInput } from '../../src/shared/collection-validation';
import type { Collection } from '../../src/shared/schema';
import { parseFilter } from '../../src/shared/filter';
import { Store, type Emit } from '../../src/main/store';
import { fieldTypes } from '../../src/main/store/collections';
import { closeDb, openDb, recordTable } from '../../src/main/store/db';
import { orderBy, orderKeys, whereOf } from '../../src/main/store/record-sql';
import { removeDir, tempDir } from '../lib/cleanup';
import { HttpClient } from '../lib/http';
import { measurePhase, type PhaseCost } from '../lib/proc';
import type { BenchContext, Section } from '../lib/section';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type ChildServer } from '../lib/server';
import { summarize, type Summary } from '../lib/stats';
import { fmt, int, renderTable, type Cell } from '../lib/table';
import { runBounded, runBoundedSync, type Bounds, type LoopResult } from '../lib/timing';

const COLLECTION = 'items';
const FIELDS: FieldInput[] = [
  { name: 'title', type: 'text', required: true },
  { name: 'category', type: 'text' },
  { name: 'price', type: 'number' },
  { name: 'published', type: 'bool' },
  { name: 'body', type: 'text' },
];
const RULES = { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' } as const;
const CATEGORIES = 20;
const PER_PAGE = 50;
const DEEP_PAGE = 1000;
const CATEGORY = 'cat-07';
const PRICE_RANGE = { $gte: 250, $lt: 300 };
const EDITOR = { email: 'bench-editor@bench.local', password: 'bench-editor-password-1' };
const WARMUP_WRITES = 50;
const BIG_CACHE_MIB = 256;

interface Plan {
  fsync: Bounds;
  commits: Bounds;
  writes: Bounds;
  writeClients: number;
  seed: number;
  seedBatch: number;
  list: Bounds;
  sql: Bounds;
}

const FULL: Plan = {
  fsync: { count: 2000, ms: 3000 },
  commits: { count: 5000, ms: 4000 },
  writes: { count: 5000, ms: 15_000 },
  writeClients: 16,
  seed: 100_000,
  seedBatch: 10_000,
  list: { count: 200, ms: 8000 },
  sql: { count: 20, ms: 1000 },
};

const QUICK: Plan = {
  fsync: { count: 200, ms: 500 },
  commits: { count: 300, ms: 500 },
  writes: { count: 300, ms: 2000 },
  writeClients: 16,
  seed: 60_000,
  seedBatch: 10_000,
  list: { count: 20, ms: 1500 },
  sql: { count: 5, ms: 300 },
};

/** A deterministic pseudo-random sequence (mulberry32), so every run seeds the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOREM =
  'Doors open at seven; the late show starts at ten. Please keep the aisles clear and phones on silent. ' +
  'Merchandise is at the back of the hall, cash and card.';

/** Record `i` of the data set: ~330 bytes of JSON. */
function recordValue(i: number, rand: () => number, prefix = 'item') {
  return {
    title: `${prefix}-${String(i).padStart(6, '0')}`,
    category: `cat-${String(i % CATEGORIES).padStart(2, '0')}`,
    price: Math.round(rand() * 100_000) / 100,
    published: i % 3 === 0,
    body: `${LOREM} #${i}`,
  };
}

const rate = (r: LoopResult): number => (r.ok / r.elapsedMs) * 1000;
const ms2 = (n: number) => fmt(n, 2);

function latencyCells(s: Summary): Cell[] {
  return [ms2(s.p50), ms2(s.p95), ms2(s.p99), ms2(s.max)];
}

/** The bench collection, with its event, as the POST route creates it (without HTTP). */
function createCollection(store: Store): Collection {
  return store.collections.create(
    { name: COLLECTION, fields: FIELDS, rules: { ...RULES } },
    { account: 'default' },
  );
}

/** A record and its event, as the POST route writes them (the store's own insert, without HTTP). */
function insertWithEvent(store: Store, emit: Emit, c: Collection, value: Record<string, unknown>): void {
  store.records.insertIn(emit, c, value, { account: 'default' });
}

/** The floor under every durable commit: a 4 KiB append + fsync (SQLite calls fsync at each WAL commit). */
function fsyncFloor(dir: string, bounds: Bounds): LoopResult {
  const fd = openSync(join(dir, 'fsync-probe'), 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    return runBoundedSync(bounds, () => {
      writeSync(fd, block);
      fsyncSync(fd);
    });
  } finally {
    closeSync(fd);
  }
}

// note: as many as the REST phase's concurrent clients.
const GROUP_WRITERS = 16;

/** One record + its event per transaction through the store, in this process, no HTTP. */
function storeCommits(dir: string, synchronous: 'FULL' | 'NORMAL', bounds: Bounds): LoopResult {
  mkdirSync(dir);
  const store = new Store(dir, { synchronous });
  try {
    const c = createCollection(store);
    const rand = rng(3);
    return runBoundedSync(bounds, (i) =>
      store.mutateNow((emit) => insertWithEvent(store, emit, c, recordValue(i, rand, 's'))),
    );
  } finally {
    store.close();
  }
}

/** The same, from 16 concurrent writers: the writes of one turn share a commit (group commit). */
async function groupedCommits(dir: string, bounds: Bounds): Promise<LoopResult> {
  mkdirSync(dir);
  const store = new Store(dir);
  try {
    const c = createCollection(store);
    const rand = rng(5);
    return await runBounded(bounds, GROUP_WRITERS, async (i) => {
      await store.mutate((emit) => insertWithEvent(store, emit, c, recordValue(i, rand, 's')));
    });
  } finally {
    store.close();
  }
}

function dirMiB(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 2 ** 20;
}

/** Writes `n` records with their events straight into a fresh data dir, as the API would. */
function seed(dir: string, n: number, batch: number) {
  const store = new Store(dir);
  const rand = rng(42);
  let category = 0;
  let inRange = 0;
  let maxPrice = -Infinity;
  try {
    const c = createCollection(store);
    for (let start = 0; start < n; start += batch) {
      store.mutateNow((emit) => {
        for (let i = start; i < Math.min(n, start + batch); i++) {
          const v = recordValue(i, rand);
          if (v.category === CATEGORY) category++;
          if (v.price >= PRICE_RANGE.$gte && v.price < PRICE_RANGE.$lt) inRange++;
          maxPrice = Math.max(maxPrice, v.price);
          insertWithEvent(store, emit, c, v);
        }
      });
    }
  } finally {
    store.close();
  }
  return { category, inRange, maxPrice };
}

interface ListCase {
  name: string;
  filter?: Record<string, unknown>;
  sort?: string;
  page: number;
  expectTotal: number;
  /** Why a 200 response is still wrong, or undefined when it is right. */
  check(items: Record<string, unknown>[]): string | undefined;
}

const queryOf = (k: ListCase): string =>
  [
    k.filter ? `filter=${encodeURIComponent(JSON.stringify(k.filter))}` : '',
    k.sort ? `sort=${k.sort}` : '',
    k.page > 1 ? `page=${k.page}` : '',
    `per_page=${PER_PAGE}`,
  ]
    .filter(Boolean)
    .join('&');

function listCases(n: number, expected: ReturnType<typeof seed>): ListCase[] {
  const title = (i: number) => `item-${String(i).padStart(6, '0')}`;
  const deepOffset = (DEEP_PAGE - 1) * PER_PAGE;
  const pageLen = (total: number, offset: number) => Math.max(0, Math.min(PER_PAGE, total - offset));
  const lenIs = (items: unknown[], want: number) =>
    items.length === want ? undefined : `${items.length} items, want ${want}`;
  const inRange = (p: unknown) => (p as number) >= PRICE_RANGE.$gte && (p as number) < PRICE_RANGE.$lt;
  return [
    {
      name: 'first page, default sort',
      page: 1,
      expectTotal: n,
      check: (items) =>
        lenIs(items, pageLen(n, 0)) ??
        (items[0]?.title === title(0) ? undefined : `first is ${items[0]?.title}`),
    },
    {
      name: `page ${DEEP_PAGE} (offset ${int(deepOffset)})`,
      page: DEEP_PAGE,
      expectTotal: n,
      check: (items) =>
        lenIs(items, pageLen(n, deepOffset)) ??
        (items.length === 0 || items[0]?.title === title(deepOffset)
          ? undefined
          : `first is ${items[0]?.title}`),
    },
    {
      name: `text equality (category, no index)`,
      filter: { category: CATEGORY },
      page: 1,
      expectTotal: expected.category,
      check: (items) =>
        lenIs(items, pageLen(expected.category, 0)) ??
        (items.every((r) => r.category === CATEGORY) ? undefined : 'an item outside the filter'),
    },
    {
      name: `number range (price 250-300)`,
      filter: { price: PRICE_RANGE },
      page: 1,
      expectTotal: expected.inRange,
      check: (items) =>
        lenIs(items, pageLen(expected.inRange, 0)) ??
        (items.every((r) => inRange(r.price)) ? undefined : 'an item outside the range'),
    },
    {
      name: 'sort=-price',
      sort: '-price',
      page: 1,
      expectTotal: n,
      check: (items) => {
        const p = items.map((r) => r.price as number);
        if (p[0] !== expected.maxPrice) return `first price ${p[0]}, want ${expected.maxPrice}`;
        return p.every((x, i) => i === 0 || p[i - 1]! >= x) ? lenIs(items, pageLen(n, 0)) : 'not descending';
      },
    },
  ];
}

const CALLERS = [
  {
    as: 'superuser',
    scoped: false,
    note: 'the first-run superuser (also what the desktop console uses): sees every account, so no account predicate',
  },
  {
    as: 'editor',
    scoped: true,
    note: "an editor of account 'default': WHERE account = ? (all 100k records are in 'default')",
  },
] as const;

interface CostRow {
  phase: string;
  cost: PhaseCost;
  ops: number;
}

function costTable(rows: CostRow[]): string {
  return renderTable(
    [
      'phase',
      'wall s',
      'requests',
      'server CPU s (usr+sys)',
      'server CPU %',
      'CPU ms/req',
      'RSS end MiB',
      'RSS peak MiB',
      'client CPU s',
      'others CPU %',
    ],
    rows.map(({ phase, cost, ops }) => [
      phase,
      fmt(cost.wallMs / 1000, 1),
      int(ops),
      `${ms2((cost.serverUserMs + cost.serverSysMs) / 1000)} (${ms2(cost.serverUserMs / 1000)}+${ms2(cost.serverSysMs / 1000)})`,
      fmt(cost.serverCpuPct, 0),
      ops ? ms2((cost.serverUserMs + cost.serverSysMs) / ops) : '-',
      fmt(cost.serverRssEndMiB, 0),
      fmt(cost.serverRssPeakMiB, 0),
      ms2(cost.clientCpuMs / 1000),
      fmt(cost.otherCpuPct, 0),
    ]),
  );
}

async function writes(ctx: BenchContext, plan: Plan, costs: CostRow[]): Promise<void> {
  const dir = tempDir('sb-bench-writes-');
  const rows: Cell[][] = [];
  const row = (label: string, clients: number, conns: string, r: LoopResult, serverMs?: number[]) => {
    const sv = serverMs ? summarize(serverMs) : undefined;
    rows.push([
      label,
      int(clients),
      conns,
      int(r.ok),
      int(r.failed),
      r.stoppedBy,
      fmt(r.elapsedMs / 1000, 1),
      int(rate(r)),
      ...latencyCells(summarize(r.latencies)),
      sv ? ms2(sv.p50) : '-',
      sv ? ms2(sv.p99) : '-',
    ]);
    if (r.failed) ctx.print(`  failures (${label}): ${r.failures.join(' | ')}`);
  };
  row('disk: 4 KiB append + fsync, no SQLite', 1, '-', fsyncFloor(dir, plan.fsync));
  row(
    'store.mutateNow in-process, synchronous=FULL',
    1,
    '-',
    storeCommits(join(dir, 'full'), 'FULL', plan.commits),
  );
  row(
    `store.mutate in-process, ${GROUP_WRITERS} concurrent (group commit), synchronous=FULL`,
    GROUP_WRITERS,
    '-',
    await groupedCommits(join(dir, 'grouped'), plan.commits),
  );
  row(
    'store.mutateNow in-process, synchronous=NORMAL',
    1,
    '-',
    storeCommits(join(dir, 'normal'), 'NORMAL', plan.commits),
  );

  let server: ChildServer | undefined;
  const clients: HttpClient[] = [];
  try {
    const data = join(dir, 'server');
    server = await startServer(data);
    const admin = new HttpClient(server.url, 1);
    clients.push(admin);
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    await admin.expect(201, 'POST', '/api/v1/collections', {
      name: COLLECTION,
      fields: FIELDS,
      rules: RULES,
    });
    const path = `/api/v1/collections/${COLLECTION}/records`;
    const rand = rng(7);
    let acknowledged = 0;
    const write = (c: HttpClient) => async (i: number) => {
      await c.expect(201, 'POST', path, recordValue(i, rand, 'w'));
      acknowledged++;
    };
    // Warm-up: JIT, statement cache, first WAL growth. Not in the figures.
    await runBounded({ count: WARMUP_WRITES, ms: 5000 }, 1, write(admin));

    const health = new HttpClient(server.url, 1);
    clients.push(health);
    const idle = await runBounded({ count: 200, ms: 3000 }, 1, async () => {
      await health.expect(200, 'GET', '/api/v1/health');
    });

    let underLoad: LoopResult | undefined;
    for (const n of [1, plan.writeClients]) {
      const label = n === 1 ? 'REST POST, 1 client, sequential' : `REST POST, ${n} clients, concurrent`;
      const c = new HttpClient(server.url, n, admin.token);
      clients.push(c);
      let done = false;
      await server.takeRequestTimes('');
      const { result, cost } = await measurePhase(server.pid, async () => {
        // With concurrent writers, one more connection probes GET /health: how long a read waits.
        const probe =
          n > 1
            ? runBounded({ count: 100_000, ms: plan.writes.ms + 5000, until: () => done }, 1, async () => {
                await health.expect(200, 'GET', '/api/v1/health');
              })
            : undefined;
        const r = await runBounded(plan.writes, n, write(c));
        done = true;
        if (probe) underLoad = await probe;
        return r;
      });
      costs.push({
        phase: `writes: ${n} client${n > 1 ? 's (+ /health probe)' : ''}`,
        cost,
        ops: result.ok + (n > 1 ? (underLoad?.ok ?? 0) : 0),
      });
      row(label, n, int(c.connectionsOpened), result, await server.takeRequestTimes(`POST ${path}`));
    }

    // Every 201 must be a record the server kept.
    const total = (await admin.expect(200, 'GET', `${path}?per_page=1`)).body.total_items as number;
    ctx.print(
      renderTable(
        [
          'write path (record + its event: a transaction each, or shared by a group commit)',
          'clients',
          'conns',
          'ok',
          'failed',
          'stopped by',
          'elapsed s',
          'per s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'server p50',
          'server p99',
        ],
        rows,
      ),
    );
    ctx.print('');
    ctx.print(
      `REST writes acknowledged (incl. ${WARMUP_WRITES} warm-up): ${int(acknowledged)}; total_items afterwards: ${int(total)} ` +
        `(${total === acknowledged ? 'match' : 'MISMATCH'})`,
    );
    const h = summarize(idle.latencies);
    const u = summarize(underLoad?.latencies ?? []);
    ctx.print('');
    ctx.print(
      renderTable(
        ['GET /api/v1/health (1 more connection)', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        [
          ['idle server', int(h.n), ...latencyCells(h)],
          [`during the ${plan.writeClients}-client writes`, int(u.n), ...latencyCells(u)],
        ],
      ),
    );
  } finally {
    for (const c of clients) c.close();
    await server?.stop();
    removeDir(dir);
  }
}

/**
 * The two statements a list runs (records.ts: page, then count), timed separately in this
 * process on the same file with the same pragmas. WHERE comes from the shared filter compiler.
 */
function sqlBreakdown(
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
    ctx.print('');
    ctx.print(
      renderTable(
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
      ),
    );
  } finally {
    big.close();
    closeDb(db);
  }
}

async function lists(ctx: BenchContext, plan: Plan, costs: CostRow[]): Promise<void> {
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

    server = await startServer(dir);
    const admin = new HttpClient(server.url, 1);
    clients.push(admin);
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
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
    ctx.print('');
    ctx.print(
      renderTable(
        [
          'GET records, per_page 50 (1 client, sequential)',
          'as',
          'n',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'server p50',
          'server p99',
          'req/s',
          'bytes',
          'total_items',
          'total_items + page check',
        ],
        rows,
      ),
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

const rest: Section = {
  name: 'rest',
  summary: 'durable write throughput (1 and 16 clients), list latency at 100k records, server CPU and RSS',
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const costs: CostRow[] = [];
    ctx.print(
      `bounds: writes ${int(plan.writes.count)} or ${plan.writes.ms / 1000} s per phase (after ${WARMUP_WRITES} warm-up); ` +
        `lists ${int(plan.list.count)} requests or ${plan.list.ms / 1000} s per query; server: child process, data on the disk below`,
    );
    ctx.print('');
    await writes(ctx, plan, costs);
    await lists(ctx, plan, costs);
    ctx.print('');
    ctx.print(
      'server process cost per phase (child process: /proc/PID/stat and /proc/PID/status; RSS peak sampled every 100 ms;',
    );
    ctx.print(
      'client = this bench process; others = the rest of the machine, from /proc/stat, as % of one core):',
    );
    ctx.print('');
    ctx.print(costTable(costs));
  },
};

export default rest;
