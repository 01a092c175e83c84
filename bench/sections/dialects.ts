/**
 * The wire dialects against each other at 1,000 subscribers each, on one Switchboard server:
 * native WebSocket, native SSE, FastSchema, SnackBase WebSocket, SnackBase SSE and topics.
 *
 * Each dialect gets its own collection (`feed_<dialect>`) and 1,000 subscribers of its own,
 * all open at once (6,000 connections); a write goes to one dialect's collection, and the hub
 * indexes subscriptions by collection, so only that dialect's subscribers are visited. The
 * dialects take turns in short blocks (native WS, native SSE, …, then again), so a burst of
 * other work on the shared machine lands on all of them.
 *
 * Per dialect: write->receive p50/p95/p99 at a fixed rate the machine sustains (25 writes/s)
 * and at the max rate (8 writers, bounded), delivered/s, server CPU per delivered event, all
 * relative to native WS; a dialect more than 20% worse than native on any of them is flagged.
 *
 * Subscribers are bench/lib/dialect-clients.ts clients, each speaking its dialect's subscribe,
 * authenticated with viewer API keys (50 connections per key, the server's default limit).
 */
import { removeDir, tempDir } from '../lib/cleanup';
import { DIALECTS, type Dialect, type Subscriber } from '../lib/dialect-clients';
import { LatencyRecorder, spread, waitUntil, type Merged, type BlockPlan } from '../lib/fanout';
import { createFeed, createKeys, feedRecord, PER_KEY } from '../lib/feed';
import { HttpClient } from '../lib/http';
import { ensureNofile } from '../lib/limits';
import { planFor, printLoad, printTable, type BenchContext, type Section } from '../lib/section';
import { startWithAdmin } from '../lib/server';
import { fmt, int } from '../lib/table';
import { runBounded } from '../lib/timing';
import { takeTurns } from '../lib/turns';
import { openMany, type Tally } from '../lib/ws-clients';

const HANDSHAKE_MS = 15_000;
// note: 20% is the issue's threshold for "slower than native".
const SLOWER = 1.2;
// note: the open loop never has more than this many writes outstanding; beyond, a tick is skipped.
const MAX_IN_FLIGHT = 256;
const FIXED_WRITER_CONNS = 8;

interface Plan extends BlockPlan {
  subs: number;
  openConcurrency: number;
  openDeadlineMs: number;
}

const FULL: Plan = {
  subs: 1000,
  sampled: 20,
  rate: 25,
  fixedMs: 2500,
  maxCount: 80,
  maxMs: 4000,
  writers: 8,
  rounds: 3,
  warmup: 10,
  drainMs: 15_000,
  stallMs: 3000,
  openConcurrency: 200,
  openDeadlineMs: 90_000,
  settleMs: 200,
};

const QUICK: Plan = {
  subs: 50,
  sampled: 5,
  rate: 25,
  fixedMs: 600,
  maxCount: 30,
  maxMs: 1000,
  writers: 4,
  rounds: 2,
  warmup: 3,
  drainMs: 5000,
  stallMs: 2000,
  openConcurrency: 50,
  openDeadlineMs: 30_000,
  settleMs: 50,
};

interface Pool {
  d: Dialect;
  collection: string;
  tally: Tally;
  subs: Subscriber[];
  frameBytes: number;
  openS: number;
}

interface Row {
  pool: Pool;
  fixed: Merged;
  max: Merged;
}

const ms2 = (n: number) => fmt(n, 2);
const ratio = (a: number, b: number) => (b ? a / b : NaN);
const x = (r: number) => `${fmt(r, 2)}x`;

async function run(ctx: BenchContext): Promise<void> {
  const plan = planFor(ctx, FULL, QUICK);
  const total = plan.subs * DIALECTS.length;
  printLoad(ctx, 'start', ensureNofile(total + 1000));
  const dir = tempDir('sb-bench-dialects-');
  const clients: HttpClient[] = [];
  const pools: Pool[] = [];
  let stop: (() => Promise<void>) | undefined;
  try {
    const { server: sb, admin } = await startWithAdmin(dir);
    stop = () => sb.stop();
    clients.push(admin);
    for (const d of DIALECTS) {
      const collection = `feed_${d.stat.replace(/-/g, '_')}`;
      await createFeed(admin, collection);
      pools.push({ d, collection, tally: d.tally(collection), subs: [], frameBytes: 0, openS: 0 });
    }
    const keys = await createKeys(admin, Math.ceil(total / PER_KEY), 'viewer', 'bench-viewer');
    const [editorKey] = await createKeys(admin, 1, 'editor', 'bench-writer');
    ctx.print(
      `Switchboard pid ${sb.pid}; ${keys.length} viewer API keys (${PER_KEY} connections each), 1 editor key`,
    );

    const rec = new LatencyRecorder();
    const writeTo = (w: HttpClient, p: Pool) => async () => {
      await w.expect(201, 'POST', `/api/v1/collections/${p.collection}/records`, feedRecord(rec.next()));
    };

    // --- subscribers: every dialect's 1,000, all open at once, each on its own collection.
    let opened = 0;
    for (const p of pools) {
      const t0 = performance.now();
      const base = opened;
      await openMany(
        plan.subs,
        plan.openConcurrency,
        plan.openDeadlineMs,
        (i) => p.d.open(sb.url, p.collection, keys[Math.floor((base + i) / PER_KEY)]!, p.tally, HANDSHAKE_MS),
        p.subs,
      );
      opened += plan.subs;
      p.openS = (performance.now() - t0) / 1000;
      const picked = spread(plan.subs, plan.sampled);
      const sampler = rec.sampler(p.d.seqOf);
      p.subs.forEach((c, i) => (c.sample = picked.has(i) ? sampler : undefined));
    }

    // --- warm-up (JIT, statement cache) and a check that every subscriber receives: not in the figures.
    for (const p of pools) {
      const first = p.subs[0]!;
      const keep = first.sample;
      first.sample = (payload) => (p.frameBytes = payload.length);
      const w = new HttpClient(sb.url, 2, editorKey);
      clients.push(w);
      const before = p.tally.events;
      const r = await runBounded({ count: plan.warmup, ms: 10_000 }, 2, writeTo(w, p));
      w.close();
      const all = await waitUntil(() => p.tally.events - before >= r.ok * plan.subs, 15_000, 20);
      first.sample = keep;
      if (!all || r.failed)
        throw new Error(
          `${p.d.label}: warm-up delivered ${p.tally.events - before} of ${r.ok * plan.subs} (${r.failed} writes failed: ${r.failures.join(' | ')})`,
        );
    }
    const stats = (await admin.expect(200, 'GET', '/api/v1/stats')).body as {
      connections_by_dialect?: Record<string, number>;
    };
    ctx.print(
      `open: ${pools.map((p) => `${p.d.label} ${int(p.subs.length)} in ${fmt(p.openS, 1)} s`).join(', ')}`,
    );
    ctx.print(`server /stats connections_by_dialect: ${JSON.stringify(stats.connections_by_dialect ?? {})}`);
    ctx.print(
      `event frame (SSE: the data line) bytes: ${pools.map((p) => `${p.d.label} ${p.frameBytes}`).join(', ')}`,
    );

    // --- the phases: each mode in rounds, the dialects taking turns within a round.
    const results = new Map<Pool, { fixed?: Merged; max?: Merged }>(pools.map((p) => [p, {}]));
    const targets = pools.map((p) => ({
      pool: p,
      writeUrl: sb.url,
      editorKey,
      perWrite: plan.subs,
      counter: p.tally,
      pids: { server: sb.pid },
      write: (w: HttpClient) => writeTo(w, p),
    }));
    for (const mode of [plan.rate, 'max'] as const) {
      const merged = await takeTurns(plan, mode, targets, rec, {
        maxCount: plan.maxCount,
        fixedConns: FIXED_WRITER_CONNS,
        maxInFlight: MAX_IN_FLIGHT,
      });
      for (const [{ pool: p }, m] of merged) {
        results.get(p)![mode === 'max' ? 'max' : 'fixed'] = m;
        ctx.print(
          `  ${p.d.label}, ${mode === 'max' ? `max (${plan.writers} writers)` : `fixed ${mode}/s`}: ` +
            `${int(m.writesOk)} writes (${int(m.writesPerS)}/s), ${int(m.delivered)}/${int(m.expected)} delivered, ` +
            `p50 ${ms2(m.latency.p50)} p99 ${ms2(m.latency.p99)} ms, server CPU ${fmt(((m.cpuMs.server ?? 0) / m.wallMs) * 100, 0)}%, ` +
            `others ${fmt(m.otherCpuPct, 0)}%`,
        );
        if (m.failed) ctx.print(`    failures: ${m.failures.join(' | ')}`);
      }
    }
    const closes = pools.map((p) => `${p.d.label} ${p.tally.closeCount()}`).join(', ');
    const rows: Row[] = pools.map((p) => ({
      pool: p,
      fixed: results.get(p)!.fixed!,
      max: results.get(p)!.max!,
    }));
    printTables(ctx, plan, rows);
    ctx.print('');
    ctx.print(`connections closed by the server during the phases: ${closes}`);
    printLoad(ctx, 'end');
  } finally {
    for (const p of pools) for (const c of p.subs.splice(0)) c.terminate();
    for (const c of clients) c.close();
    await stop?.();
    removeDir(dir);
  }
}

const cpuPerEvent = (m: Merged) => (m.delivered ? ((m.cpuMs.server ?? 0) * 1000) / m.delivered : NaN);

function printTables(ctx: BenchContext, plan: Plan, rows: Row[]): void {
  printTable(
    ctx,
    [
      'dialect',
      'subs',
      'frame B',
      `fixed ${plan.rate}/s: writes`,
      'kept up',
      'delivered/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'server µs/delivered',
      `max: writes/s`,
      'delivered/s',
      'p50 ms',
      'p99 ms',
      'server µs/delivered',
      'others CPU %',
    ],
    rows.map(({ pool: p, fixed: f, max: m }) => [
      p.d.label,
      int(p.subs.length),
      int(p.frameBytes),
      `${int(f.writesOk)} (${int(f.delivered)}/${int(f.expected)})`,
      f.keptUp ? 'yes' : 'NO',
      int(f.deliveredPerS),
      ms2(f.latency.p50),
      ms2(f.latency.p95),
      ms2(f.latency.p99),
      fmt(cpuPerEvent(f), 2),
      int(m.writesPerS),
      int(m.deliveredPerS),
      ms2(m.latency.p50),
      ms2(m.latency.p99),
      fmt(cpuPerEvent(m), 2),
      `${fmt(f.otherCpuPct, 0)} / ${fmt(m.otherCpuPct, 0)}`,
    ]),
  );

  // Relative to native WS: latency and CPU as a ratio (above 1 = worse), throughput as native / it.
  const base = rows[0]!;
  const rel = rows.map((r) => {
    const checks: [string, number][] = [
      ['p50', ratio(r.fixed.latency.p50, base.fixed.latency.p50)],
      ['p95', ratio(r.fixed.latency.p95, base.fixed.latency.p95)],
      ['p99', ratio(r.fixed.latency.p99, base.fixed.latency.p99)],
      ['max delivered/s', ratio(base.max.deliveredPerS, r.max.deliveredPerS)],
      ['CPU/event', ratio(cpuPerEvent(r.fixed), cpuPerEvent(base.fixed))],
      ['CPU/event at max', ratio(cpuPerEvent(r.max), cpuPerEvent(base.max))],
    ];
    return { r, checks, worse: checks.filter(([, v]) => v > SLOWER).map(([k]) => k) };
  });
  printTable(
    ctx,
    [
      'dialect vs native WS',
      `p50 (${plan.rate}/s)`,
      'p95',
      'p99',
      'max delivered/s',
      `server µs/delivered (${plan.rate}/s)`,
      'at max',
      'more than 20% slower than native?',
    ],
    rel.map(({ r, checks, worse }) => [
      r.pool.d.label,
      x(checks[0]![1]),
      x(checks[1]![1]),
      x(checks[2]![1]),
      `${int(r.max.deliveredPerS)} (${x(ratio(r.max.deliveredPerS, base.max.deliveredPerS))})`,
      x(checks[4]![1]),
      x(checks[5]![1]),
      r === base ? '-' : ctx.quick ? 'n/a (--quick)' : worse.length ? `SLOWER: ${worse.join(', ')}` : 'no',
    ]),
  );
  ctx.print('(ratios: latency and CPU are dialect / native, throughput is dialect / native; above 1.20 on');
  ctx.print(' latency or CPU, or below 0.83 on throughput, is more than 20% slower)');
}

const section: Section = {
  name: 'dialects',
  summary:
    'every wire dialect at 1,000 subscribers on one server: latency, delivered/s, CPU per event, relative to native WS',
  run,
};
export default section;
