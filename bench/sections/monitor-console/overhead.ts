/**
 * "Watching costs the server almost nothing": native WebSocket subscribers, writes at a fixed
 * rate and at the max rate, in blocks that alternate between no monitor page and the monitor
 * open in Chromium (one tab on the Events tab, one on the Charts tab: two feed connections, a
 * stricter case than one page). Per variant: write->receive p50/p99, delivered/s, server CPU
 * per write (/proc), the browser's CPU, and the with/without ratios.
 */
import {
  LatencyRecorder,
  mergeBlocks,
  runBlock,
  spread,
  waitUntil,
  type BlockResult,
  type Merged,
} from '../../lib/fanout';
import { feedRecord } from '../../lib/feed';
import { HttpClient } from '../../lib/http';
import type { TreeCpu } from '../../lib/process-tree';
import type { BenchContext } from '../../lib/section';
import { fmt, int, renderTable } from '../../lib/table';
import { runBounded, sleep } from '../../lib/timing';
import type { Tally, WsClient } from '../../lib/ws-clients';
import { lastSeq } from './admin';
import type { MonitorPage } from './page';
import type { OverheadPlan } from './plan';

// note: the open loop never has more than this many writes outstanding; beyond, a tick is skipped.
const MAX_IN_FLIGHT = 256;
const FIXED_WRITER_CONNS = 8;
// note: how long a page may take to show the block's last event once every subscriber has it.
const PAGE_CATCH_UP_MS = 5000;
// note: the targets of issue 14 (Numbers).
const P99_TARGET = 1.1;
const DELIVERED_TARGET = 0.95;

type Variant = 'without' | 'with';
const VARIANTS: Variant[] = ['without', 'with'];
const LABEL: Record<Variant, string> = { without: 'no monitor page', with: 'monitor open (2 tabs)' };

export interface OverheadSetup {
  url: string;
  serverPid: number;
  collection: string;
  editorKey: string;
  /** The admin's client (reads the event log's last seq). */
  admin: HttpClient;
  /** Subscribers already open and subscribed to `collection`. */
  pool: WsClient[];
  tally: Tally;
  events: MonitorPage;
  charts: MonitorPage;
  browserCpu: TreeCpu;
}

/** What the pages did over one mode's `with` blocks. */
interface PageCount {
  blocks: number;
  /** Long animation frames (50 ms or more) over the blocks, per tab. */
  eventsLongFrames: number;
  chartsLongFrames: number;
  longest: number;
  over100: number;
  /** Blocks after which the Events tab showed the block's last event within PAGE_CATCH_UP_MS. */
  caughtUp: number;
  chartsDrawnMin: number;
}

interface Row {
  variant: Variant;
  mode: number | 'max';
  m: Merged;
  blocks: BlockResult[];
  browserMs: number;
}

/** One figure of the recorded comparison, for the report's summary. */
export interface OverheadVerdict {
  mode: string;
  p99Ratio: number;
  deliveredRatio: number;
  cpuRatio: number;
}

const ms2 = (n: number) => fmt(n, 2);
const ratio = (a: number, b: number) => (b ? a / b : NaN);
const x = (r: number) => `${fmt(r, 2)}x`;
const cpuPerWrite = (m: { cpuMs: Record<string, number>; writesOk: number }) =>
  m.writesOk ? (m.cpuMs.server ?? 0) / m.writesOk : NaN;
const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);

/** Runs the alternating blocks and prints their tables; returns the ratios per mode. */
export async function runOverhead(
  ctx: BenchContext,
  plan: OverheadPlan,
  s: OverheadSetup,
): Promise<OverheadVerdict[]> {
  const modeLabel = (mode: number | 'max') =>
    mode === 'max' ? `max, ${plan.writers} writers` : `fixed ${mode}/s`;
  const rec = new LatencyRecorder();
  const picked = spread(s.pool.length, plan.sampled);
  const sampler = rec.sampler((m) => {
    const f = m as { type?: string; data?: { type?: string; data?: { n?: unknown } } };
    return f.type === 'event' && f.data?.type === 'record.created' ? f.data.data?.n : undefined;
  });
  s.pool.forEach((c, i) => (c.sample = picked.has(i) ? sampler : undefined));
  const writeOp = (w: HttpClient) => async () => {
    await w.expect(201, 'POST', `/api/v1/collections/${s.collection}/records`, feedRecord(rec.next()));
  };
  const show = () =>
    Promise.all([
      s.events.show('events', plan.pageReadyMs, 'light'),
      s.charts.show('charts', plan.pageReadyMs, 'light'),
    ]);
  const hide = () => Promise.all([s.events.hide(), s.charts.hide()]);

  // Warm-up (JIT, statement cache, the feed's paths, the pages' first loads): not in the figures.
  {
    const w = new HttpClient(s.url, 4, s.editorKey);
    const before = s.tally.events;
    let ok = 0;
    try {
      for (const withPages of [true, false]) {
        if (withPages) await show();
        const r = await runBounded({ count: plan.warmup / 2, ms: 20_000 }, 4, writeOp(w));
        ok += r.ok;
        if (r.failed) throw new Error(`warm-up: ${r.failed} writes failed: ${r.failures.join(' | ')}`);
        if (withPages) await hide();
      }
    } finally {
      w.close();
    }
    const expected = ok * s.pool.length;
    if (!(await waitUntil(() => s.tally.events - before >= expected, 20_000, 20)))
      throw new Error(`warm-up delivered ${s.tally.events - before} of ${expected}`);
  }

  const rows: Row[] = [];
  const pageCounts = new Map<number | 'max', PageCount>();
  for (const mode of [plan.rate, 'max'] as const) {
    const blocks = new Map<Variant, BlockResult[]>(VARIANTS.map((v) => [v, []]));
    const samples = new Map<Variant, { lat: number[]; bad: number }[]>(VARIANTS.map((v) => [v, []]));
    const browserMs = new Map<Variant, number>(VARIANTS.map((v) => [v, 0]));
    const pc: PageCount = {
      blocks: 0,
      eventsLongFrames: 0,
      chartsLongFrames: 0,
      longest: 0,
      over100: 0,
      caughtUp: 0,
      chartsDrawnMin: Infinity,
    };
    pageCounts.set(mode, pc);
    for (let round = 0; round < plan.rounds; round++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(k + round) % VARIANTS.length]!;
        if (v === 'with') await show();
        await sleep(plan.settleMs);
        if (v === 'with') await Promise.all([s.events.take(), s.charts.take()]);
        const w = new HttpClient(s.url, mode === 'max' ? plan.writers : FIXED_WRITER_CONNS, s.editorKey);
        const sample = rec.begin();
        const browser = s.browserCpu.start();
        try {
          blocks.get(v)!.push(
            await runBlock({
              mode,
              ms: mode === 'max' ? plan.maxMs : plan.fixedMs,
              count: mode === 'max' ? plan.maxCount : Number.MAX_SAFE_INTEGER,
              writers: plan.writers,
              maxInFlight: MAX_IN_FLIGHT,
              write: writeOp(w),
              perWrite: s.pool.length,
              counter: s.tally,
              pids: { server: s.serverPid },
              drainMs: plan.drainMs,
              stallMs: plan.stallMs,
            }),
          );
        } finally {
          browserMs.set(v, browserMs.get(v)! + browser());
          rec.end();
          w.close();
        }
        samples.get(v)!.push(sample);
        if (v === 'with') {
          const caught = await s.events.waitForTop(await lastSeq(s.admin), PAGE_CATCH_UP_MS);
          const [te, tc, drawn] = await Promise.all([s.events.take(), s.charts.take(), s.charts.charts()]);
          pc.blocks++;
          pc.eventsLongFrames += te.longFrames;
          pc.chartsLongFrames += tc.longFrames;
          const long = [...te.long, ...tc.long];
          pc.longest = Math.max(pc.longest, max(long));
          pc.over100 += long.filter((d) => d > 100).length;
          if (caught) pc.caughtUp++;
          pc.chartsDrawnMin = Math.min(pc.chartsDrawnMin, drawn);
          await hide();
        }
        // note: the server drops a watcher on its socket's close; give it a moment before a `without` block.
        await sleep(plan.settleMs);
      }
    }
    for (const v of VARIANTS) {
      const m = mergeBlocks(mode, s.pool.length, blocks.get(v)!, samples.get(v)!);
      rows.push({ variant: v, mode, m, blocks: blocks.get(v)!, browserMs: browserMs.get(v)! });
      ctx.print(
        `  ${LABEL[v]}, ${modeLabel(mode)}: ${int(m.writesOk)} writes (${int(m.writesPerS)}/s), ` +
          `${int(m.delivered)}/${int(m.expected)} delivered, p50 ${ms2(m.latency.p50)} p99 ${ms2(m.latency.p99)} ms, ` +
          `server CPU ${fmt(((m.cpuMs.server ?? 0) / m.wallMs) * 100, 0)}%, others ${fmt(m.otherCpuPct, 0)}%`,
      );
      if (m.failed) ctx.print(`    failures: ${m.failures.join(' | ')}`);
    }
  }
  return printTables(ctx, rows, pageCounts, modeLabel);
}

function printTables(
  ctx: BenchContext,
  rows: Row[],
  pages: Map<number | 'max', PageCount>,
  modeLabel: (mode: number | 'max') => string,
): OverheadVerdict[] {
  ctx.print('');
  ctx.print(
    renderTable(
      [
        'variant',
        'writes',
        'ok',
        'writes/s',
        'kept up',
        'delivered',
        'delivered/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'samples',
        'server CPU %',
        'server CPU ms/write',
        'server µs/delivered',
        'browser CPU %',
        'others CPU %',
      ],
      rows.map(({ variant, mode, m, browserMs }) => [
        LABEL[variant],
        modeLabel(mode),
        int(m.writesOk),
        int(m.writesPerS),
        m.keptUp === undefined ? '-' : m.keptUp ? 'yes' : 'NO',
        `${int(m.delivered)}/${int(m.expected)}`,
        int(m.deliveredPerS),
        ms2(m.latency.p50),
        ms2(m.latency.p95),
        ms2(m.latency.p99),
        int(m.latency.n) + (m.bad ? ` (${m.bad} bad)` : ''),
        fmt(((m.cpuMs.server ?? 0) / m.wallMs) * 100, 0),
        fmt(cpuPerWrite(m), 3),
        fmt(m.delivered ? ((m.cpuMs.server ?? 0) * 1000) / m.delivered : NaN, 2),
        fmt((browserMs / m.wallMs) * 100, 0),
        // note: "others" includes the browser: it is not the server's or the bench's own process.
        fmt(m.otherCpuPct, 0),
      ]),
    ),
  );
  ctx.print('(others CPU % includes the browser; browser CPU % is Chromium alone, all its processes)');

  ctx.print('');
  ctx.print(
    renderTable(
      [
        'monitor pages',
        'blocks',
        'Events tab long frames',
        'Charts tab long frames',
        'charts drawn (min)',
        'Events tab showed the last event',
        'longest task ms',
        'tasks > 100 ms',
      ],
      [...pages].map(([mode, p]) => [
        modeLabel(mode),
        int(p.blocks),
        int(p.eventsLongFrames),
        int(p.chartsLongFrames),
        int(p.chartsDrawnMin),
        `${p.caughtUp}/${p.blocks}`,
        fmt(p.longest, 0),
        int(p.over100),
      ]),
    ),
  );

  // With / without, and the spread of that ratio over the rounds (pairs of blocks in the same round).
  const range = (rs: number[]) => `${fmt(Math.min(...rs), 2)}-${fmt(Math.max(...rs), 2)}`;
  const out: string[][] = [];
  const verdicts: OverheadVerdict[] = [];
  for (const mode of [...pages.keys()]) {
    const base = rows.find((r) => r.variant === 'without' && r.mode === mode)!;
    const r = rows.find((q) => q.variant === 'with' && q.mode === mode)!;
    const p99 = ratio(r.m.latency.p99, base.m.latency.p99);
    const delivered = ratio(r.m.deliveredPerS, base.m.deliveredPerS);
    const cpu = ratio(cpuPerWrite(r.m), cpuPerWrite(base.m));
    verdicts.push({ mode: modeLabel(mode), p99Ratio: p99, deliveredRatio: delivered, cpuRatio: cpu });
    out.push([
      modeLabel(mode),
      x(ratio(r.m.latency.p50, base.m.latency.p50)),
      `${x(p99)} ${p99 <= P99_TARGET ? 'met' : 'MISSED'}`,
      `${x(delivered)} ${delivered >= DELIVERED_TARGET ? 'met' : 'MISSED'}`,
      x(cpu),
      range(
        r.blocks.map((b, i) =>
          ratio(b.delivered / b.spanMs, base.blocks[i]!.delivered / base.blocks[i]!.spanMs),
        ),
      ),
      range(
        r.blocks.map((b, i) =>
          ratio(
            cpuPerWrite({ cpuMs: b.cpuMs, writesOk: b.writes.ok }),
            cpuPerWrite({ cpuMs: base.blocks[i]!.cpuMs, writesOk: base.blocks[i]!.writes.ok }),
          ),
        ),
      ),
    ]);
  }
  ctx.print('');
  ctx.print(
    renderTable(
      [
        'with / without',
        'p50',
        `p99 (target ≤ ${P99_TARGET}x)`,
        `delivered/s (target ≥ ${DELIVERED_TARGET}x)`,
        'server CPU/write',
        'delivered/s per round (min-max)',
        'CPU/write per round (min-max)',
      ],
      out,
    ),
  );
  return verdicts;
}
