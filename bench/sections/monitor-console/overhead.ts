/**
 * "Watching costs the server almost nothing": native WebSocket subscribers, writes at a fixed
 * rate and at the max rate, in blocks that alternate between no monitor page and the monitor
 * open in Chromium (one tab on the Events tab, one on the Charts tab: two feed connections, a
 * stricter case than one page). Per variant: write->receive p50/p99, delivered/s, server CPU
 * per write (/proc), the browser's CPU, and the with/without ratios.
 */
import { NATIVE_WS } from '../../lib/dialect-clients';
import { LatencyRecorder, spread, waitUntil } from '../../lib/fanout';
import { feedRecord } from '../../lib/feed';
import { MERGED_HEADERS, mergedCells, modeLabel, printMerged, times, versusBase } from '../../lib/figures';
import { HttpClient } from '../../lib/http';
import type { TreeCpu } from '../../lib/process-tree';
import { printTable, type BenchContext } from '../../lib/section';
import { fmt, int } from '../../lib/table';
import { runBounded, sleep } from '../../lib/timing';
import { takeTurns, type Turns } from '../../lib/turns';
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
  m: Turns;
  browserMs: number;
}

/** One figure of the recorded comparison, for the report's summary. */
export interface OverheadVerdict {
  mode: string;
  p99Ratio: number;
  deliveredRatio: number;
  cpuRatio: number;
}

const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);

/** Runs the alternating blocks and prints their tables; returns the ratios per mode. */
export async function runOverhead(
  ctx: BenchContext,
  plan: OverheadPlan,
  s: OverheadSetup,
): Promise<OverheadVerdict[]> {
  const mode = (m: number | 'max') => modeLabel(m, plan.writers);
  const rec = new LatencyRecorder();
  const picked = spread(s.pool.length, plan.sampled);
  const sampler = rec.sampler(NATIVE_WS.seqOf);
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
  for (const md of [plan.rate, 'max'] as const) {
    const pc: PageCount = {
      blocks: 0,
      eventsLongFrames: 0,
      chartsLongFrames: 0,
      longest: 0,
      over100: 0,
      caughtUp: 0,
      chartsDrawnMin: Infinity,
    };
    pageCounts.set(md, pc);
    const targets = VARIANTS.map((variant) => {
      const target = {
        variant,
        browserMs: 0,
        writeUrl: s.url,
        editorKey: s.editorKey,
        perWrite: s.pool.length,
        counter: s.tally,
        pids: { server: s.serverPid },
        write: writeOp,
        before: async () => {
          if (variant === 'with') await show();
        },
        // The pages' probes start afresh, and the browser's CPU is read, over the block alone.
        start: async () => {
          if (variant === 'with') await Promise.all([s.events.take(), s.charts.take()]);
          const browser = s.browserCpu.start();
          return () => void (target.browserMs += browser());
        },
        after: async () => {
          if (variant === 'with') {
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
        },
      };
      return target;
    });
    const merged = await takeTurns(plan, md, targets, rec, {
      maxCount: plan.maxCount,
      fixedConns: FIXED_WRITER_CONNS,
      maxInFlight: MAX_IN_FLIGHT,
      rotate: true,
    });
    for (const [{ variant, browserMs }, m] of merged) {
      rows.push({ variant, mode: md, m, browserMs });
      printMerged(ctx, `${LABEL[variant]}, ${mode(md)}`, m);
    }
  }
  return printTables(ctx, rows, pageCounts, mode);
}

function printTables(
  ctx: BenchContext,
  rows: Row[],
  pages: Map<number | 'max', PageCount>,
  mode: (mode: number | 'max') => string,
): OverheadVerdict[] {
  printTable(
    ctx,
    ['variant', 'writes', ...MERGED_HEADERS, 'browser CPU %', 'others CPU %'],
    rows.map(({ variant, mode: md, m, browserMs }) => [
      LABEL[variant],
      mode(md),
      ...mergedCells(m),
      fmt((browserMs / m.wallMs) * 100, 0),
      // note: "others" includes the browser: it is not the server's or the bench's own process.
      fmt(m.otherCpuPct, 0),
    ]),
  );
  ctx.print('(others CPU % includes the browser; browser CPU % is Chromium alone, all its processes)');

  printTable(
    ctx,
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
    [...pages].map(([md, p]) => [
      mode(md),
      int(p.blocks),
      int(p.eventsLongFrames),
      int(p.chartsLongFrames),
      int(p.chartsDrawnMin),
      `${p.caughtUp}/${p.blocks}`,
      fmt(p.longest, 0),
      int(p.over100),
    ]),
  );

  // With / without, and the spread of that ratio over the rounds (pairs of blocks in the same round).
  const out: string[][] = [];
  const verdicts: OverheadVerdict[] = [];
  for (const md of [...pages.keys()]) {
    const base = rows.find((r) => r.variant === 'without' && r.mode === md)!.m;
    const r = versusBase(rows.find((q) => q.variant === 'with' && q.mode === md)!.m, base);
    verdicts.push({
      mode: mode(md),
      p99Ratio: r.p99,
      deliveredRatio: r.deliveredPerS,
      cpuRatio: r.cpuPerWrite,
    });
    out.push([
      mode(md),
      times(r.p50),
      `${times(r.p99)} ${r.p99 <= P99_TARGET ? 'met' : 'MISSED'}`,
      `${times(r.deliveredPerS)} ${r.deliveredPerS >= DELIVERED_TARGET ? 'met' : 'MISSED'}`,
      times(r.cpuPerWrite),
      r.deliveredRounds,
      r.cpuRounds,
    ]);
  }
  printTable(
    ctx,
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
  );
  return verdicts;
}
