/**
 * The rest section's write phases: the fsync floor, the store's own commits in-process
 * (one per transaction, FULL and NORMAL, and grouped), then REST POSTs from 1 and 16 clients
 * with a /health probe, and a check that every 201 is a stored record.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../../src/main/store';
import { removeDir, tempDir } from '../../lib/cleanup';
import { HttpClient } from '../../lib/http';
import { measurePhase } from '../../lib/proc';
import { printTable, type BenchContext } from '../../lib/section';
import { startWithAdmin, type ChildServer } from '../../lib/server';
import { summarize } from '../../lib/stats';
import { fmt, int, renderTable, type Cell } from '../../lib/table';
import { runBounded, runBoundedSync, type Bounds, type LoopResult } from '../../lib/timing';
import { rng } from '../../../tests/helpers/rng';
import { createCollection, insertWithEvent, recordValue } from './data';
import { COLLECTION, FIELDS, RULES, WARMUP_WRITES, type Plan } from './plan';
import { LATENCY_HEADERS, latencyCells, ms2, rate, type CostRow } from './report';

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
export async function groupedCommits(dir: string, bounds: Bounds): Promise<LoopResult> {
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

export async function writes(ctx: BenchContext, plan: Plan, costs: CostRow[]): Promise<void> {
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
    const started = await startWithAdmin(data);
    server = started.server;
    const admin = started.admin;
    clients.push(admin);
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
          ...LATENCY_HEADERS,
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
    printTable(
      ctx,
      ['GET /api/v1/health (1 more connection)', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      [
        ['idle server', int(h.n), ...latencyCells(h)],
        [`during the ${plan.writeClients}-client writes`, int(u.n), ...latencyCells(u)],
      ],
    );
  } finally {
    for (const c of clients) c.close();
    await server?.stop();
    removeDir(dir);
  }
}
