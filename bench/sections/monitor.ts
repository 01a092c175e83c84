/**
 * What the admin monitor feed (`/api/v1/monitor`, src/main/realtime/monitor.ts) costs the
 * server: 100 native WebSocket subscribers, writes at a fixed rate (100/s, open loop) and at
 * the max rate (closed loop, bounded count and time), in three variants on one server:
 *
 * - `none`: no monitor watcher connected (the feed's fan-out listener is not registered);
 * - `watcher`: one admin watcher connected and reading; its frames are counted by type, the
 *   event summaries in its `events` batches (one per event, every 100 ms) and the `tick` sums
 *   are set against the writes;
 * - `paused`: one admin watcher whose socket is paused (it reads nothing until the block is
 *   over), the "slow admin console" case: once far enough behind it is skipped, and told on
 *   resuming how many events it missed (`missed`).
 *
 * The variants take turns in short blocks (rotating which goes first each round), so a burst
 * of other work on the shared machine lands on all of them. A watcher is connected (and its
 * snapshot received, so it is registered) before its block and closed after it, outside the
 * measured window. Per variant: write->receive p50/p99 (a sample of subscribers parse frames),
 * delivered/s, server CPU per write and per delivered event (/proc), and the with/without ratios.
 *
 * Writes are REST `POST /api/v1/collections/feed/records` with an editor API key; subscribers
 * use viewer API keys (50 connections per key); the watcher uses the admin's access token.
 */
import { loadavg } from 'node:os';
import { WebSocket, type RawData } from 'ws';
import { removeDir, tempDir } from '../lib/cleanup';
import {
  LatencyRecorder,
  mergeBlocks,
  runBlock,
  spread,
  waitUntil,
  type BlockResult,
  type Merged,
  type BlockPlan,
} from '../lib/fanout';
import { createFeed, createKeys, feedRecord, PER_KEY } from '../lib/feed';
import { HttpClient } from '../lib/http';
import { ensureNofile } from '../lib/limits';
import type { BenchContext, Section } from '../lib/section';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer } from '../lib/server';
import { fmt, int, renderTable } from '../lib/table';
import { runBounded, sleep, withTimeout } from '../lib/timing';
import { openMany, Tally, WsClient } from '../lib/ws-clients';

const COLLECTION = 'feed';
const HANDSHAKE_MS = 15_000;
// note: the open loop never has more than this many writes outstanding; beyond, a tick is skipped.
const MAX_IN_FLIGHT = 256;
const FIXED_WRITER_CONNS = 8;
// note: the monitor's tick is once a second; waiting this long after a block catches the one that sums its tail.
const TICK_WAIT_MS = 1500;
const CLOSE_MS = 5000;

interface Plan extends BlockPlan {
  subs: number;
}

const FULL: Plan = {
  subs: 100,
  sampled: 20,
  rate: 100,
  fixedMs: 3000,
  maxCount: 3000,
  maxMs: 3000,
  writers: 8,
  rounds: 4,
  warmup: 400,
  drainMs: 15_000,
  stallMs: 3000,
  settleMs: 300,
};

const QUICK: Plan = {
  subs: 20,
  sampled: 5,
  rate: 50,
  fixedMs: 800,
  maxCount: 200,
  maxMs: 800,
  writers: 4,
  rounds: 2,
  warmup: 20,
  drainMs: 5000,
  stallMs: 2000,
  settleMs: 100,
};

type Variant = 'none' | 'watcher' | 'paused';
const VARIANTS: Variant[] = ['none', 'watcher', 'paused'];
const LABEL: Record<Variant, string> = {
  none: 'no watcher',
  watcher: '1 watcher',
  paused: '1 paused watcher',
};

/** What a watcher saw over its block (and the tick after it). */
interface WatcherCount {
  frames: Map<string, number>;
  /** Sum of `tick.data.fanout.events`: every event the feed saw, per-event frame or not. */
  tickEvents: number;
  ticks: number;
  /** `events` batches, the event summaries in them, and events a `missed` notice owned up to. */
  batches: number;
  summaries: number;
  missed: number;
  /** The largest `event_loop_lag_p99_ms` any tick reported (the server's own loop delay). */
  lagP99Ms: number;
  /** Frames that arrived after a paused watcher was resumed. */
  afterResume: number;
}

const emptyCount = (): WatcherCount => ({
  frames: new Map(),
  tickEvents: 0,
  ticks: 0,
  batches: 0,
  summaries: 0,
  missed: 0,
  lagP99Ms: 0,
  afterResume: 0,
});

/** One admin watcher on the monitor feed (the `ws` client: it is one socket, and it parses every frame). */
class Watcher {
  readonly count = emptyCount();
  private resumed = false;
  /** Date.now() of the last tick's own timestamp. */
  private lastTickAt = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d: RawData) => this.onFrame(d));
  }

  /** Connects and resolves once the snapshot arrived (the server has registered it by then). */
  static async open(url: string, paused: boolean): Promise<Watcher> {
    const ws = new WebSocket(url);
    const snapshot = new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
      ws.once('close', (code, reason) => reject(new Error(`monitor closed: ${code} ${reason.toString()}`)));
    });
    try {
      await withTimeout(snapshot, HANDSHAKE_MS, 'monitor snapshot');
    } catch (e) {
      ws.terminate();
      throw e;
    }
    ws.removeAllListeners('error');
    ws.removeAllListeners('close');
    ws.on('error', () => ws.terminate());
    const w = new Watcher(ws);
    if (paused) ws.pause();
    return w;
  }

  private onFrame(d: RawData): void {
    if (this.resumed) this.count.afterResume++;
    let m: {
      type?: string;
      timestamp?: string;
      data?: {
        fanout?: { events?: number };
        event_loop_lag_p99_ms?: number;
        events?: unknown[];
        count?: number;
      };
    };
    try {
      m = JSON.parse(d.toString()) as typeof m;
    } catch {
      m = { type: 'unparseable' };
    }
    const type = m.type ?? 'untyped';
    this.count.frames.set(type, (this.count.frames.get(type) ?? 0) + 1);
    if (type === 'events') {
      this.count.batches++;
      this.count.summaries += m.data?.events?.length ?? 0;
    }
    if (type === 'missed') this.count.missed += m.data?.count ?? 0;
    if (type === 'tick') {
      this.lastTickAt = Date.parse(m.timestamp ?? '') || 0;
      this.count.ticks++;
      this.count.tickEvents += m.data?.fanout?.events ?? 0;
      this.count.lagP99Ms = Math.max(this.count.lagP99Ms, m.data?.event_loop_lag_p99_ms ?? 0);
    }
  }

  /**
   * Resumes reading (if paused), waits for a tick stamped after now (the one that sums the
   * block's tail; a paused watcher's buffered ticks are older), then closes.
   */
  async finish(): Promise<void> {
    const since = Date.now();
    if (this.ws.isPaused) {
      this.resumed = true;
      this.ws.resume();
    }
    await waitUntil(() => this.lastTickAt >= since, TICK_WAIT_MS, 20);
    const closed = new Promise<void>((r) => this.ws.once('close', () => r()));
    this.ws.close(1000, 'bench block over');
    try {
      await withTimeout(closed, CLOSE_MS, 'monitor close');
    } catch {
      this.ws.terminate();
    }
  }
}

interface Row {
  variant: Variant;
  mode: number | 'max';
  m: Merged;
  blocks: BlockResult[];
  watch: WatcherCount;
}

const ms2 = (n: number) => fmt(n, 2);
const ratio = (a: number, b: number) => (b ? a / b : NaN);
const x = (r: number) => `${fmt(r, 2)}x`;
const cpuPerWrite = (m: { cpuMs: Record<string, number>; writesOk: number }) =>
  m.writesOk ? (m.cpuMs.server ?? 0) / m.writesOk : NaN;
const cpuPerDelivered = (m: Merged) => (m.delivered ? ((m.cpuMs.server ?? 0) * 1000) / m.delivered : NaN);
const modeLabel = (mode: number | 'max', plan: Plan) =>
  mode === 'max' ? `max, ${plan.writers} writers` : `fixed ${mode}/s`;

async function run(ctx: BenchContext): Promise<void> {
  const plan = ctx.quick ? QUICK : FULL;
  ctx.print(
    `load average at section start: ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}; ${ensureNofile(plan.subs + 1000)}`,
  );
  const dir = tempDir('sb-bench-monitor-');
  const clients: HttpClient[] = [];
  const pool: WsClient[] = [];
  let stop: (() => Promise<void>) | undefined;
  try {
    const sb = await startServer(dir);
    stop = () => sb.stop();
    const admin = new HttpClient(sb.url, 1);
    clients.push(admin);
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    await createFeed(admin, COLLECTION);
    const keys = await createKeys(admin, Math.ceil(plan.subs / PER_KEY), 'viewer', 'bench-viewer');
    const [editorKey] = await createKeys(admin, 1, 'editor', 'bench-writer');
    const wsBase = sb.url.replace(/^http/, 'ws');
    const monitorUrl = `${wsBase}/api/v1/monitor?token=${encodeURIComponent(admin.token!)}`;
    ctx.print(
      `Switchboard pid ${sb.pid}; ${keys.length} viewer API keys (${PER_KEY} connections each), 1 editor key, ` +
        `the watcher on the admin's access token`,
    );

    // --- subscribers (native WebSocket), a sample of which parse each event for latency.
    const tally = new Tally();
    const rec = new LatencyRecorder();
    const t0 = performance.now();
    await openMany(
      plan.subs,
      50,
      60_000,
      async (i) => {
        const c = await WsClient.open(
          `${wsBase}/api/v1/ws/realtime?token=${keys[Math.floor(i / PER_KEY)]}`,
          tally,
          HANDSHAKE_MS,
        );
        try {
          c.send(JSON.stringify({ action: 'subscribe', collection: COLLECTION }));
          await c.waitFor('authenticated', HANDSHAKE_MS);
          await c.waitFor('subscribed', HANDSHAKE_MS);
        } catch (e) {
          c.terminate();
          throw e;
        }
        return c;
      },
      pool,
    );
    const picked = spread(plan.subs, plan.sampled);
    const sampler = rec.sampler((m) => {
      const f = m as { type?: string; data?: { type?: string; data?: { n?: unknown } } };
      return f.type === 'event' && f.data?.type === 'record.created' ? f.data.data?.n : undefined;
    });
    pool.forEach((c, i) => (c.sample = picked.has(i) ? sampler : undefined));
    ctx.print(`${int(pool.length)} subscribers open in ${fmt((performance.now() - t0) / 1000, 1)} s`);

    const writeOp = (w: HttpClient) => async () => {
      await w.expect(201, 'POST', `/api/v1/collections/${COLLECTION}/records`, feedRecord(rec.next()));
    };

    // --- warm-up (JIT, statement cache, WAL growth; the monitor's paths too): not in the figures.
    {
      const w = new HttpClient(sb.url, 4, editorKey);
      clients.push(w);
      const before = tally.events;
      let ok = 0;
      for (const watched of [true, false]) {
        const watcher = watched ? await Watcher.open(monitorUrl, false) : undefined;
        const r = await runBounded({ count: plan.warmup / 2, ms: 10_000 }, 4, writeOp(w));
        ok += r.ok;
        if (r.failed) throw new Error(`warm-up: ${r.failed} writes failed: ${r.failures.join(' | ')}`);
        await watcher?.finish();
      }
      w.close();
      const all = await waitUntil(() => tally.events - before >= ok * plan.subs, 15_000, 20);
      if (!all) throw new Error(`warm-up delivered ${tally.events - before} of ${ok * plan.subs}`);
    }

    // --- the phases: each mode in rounds, the variants taking turns (rotated) within a round.
    const rows: Row[] = [];
    for (const mode of [plan.rate, 'max'] as const) {
      const blocks = new Map<Variant, BlockResult[]>(VARIANTS.map((v) => [v, []]));
      const samples = new Map<Variant, { lat: number[]; bad: number }[]>(VARIANTS.map((v) => [v, []]));
      const watch = new Map<Variant, WatcherCount>(VARIANTS.map((v) => [v, emptyCount()]));
      for (let round = 0; round < plan.rounds; round++) {
        for (let k = 0; k < VARIANTS.length; k++) {
          const v = VARIANTS[(k + round) % VARIANTS.length]!;
          const watcher = v === 'none' ? undefined : await Watcher.open(monitorUrl, v === 'paused');
          await sleep(plan.settleMs);
          const w = new HttpClient(sb.url, mode === 'max' ? plan.writers : FIXED_WRITER_CONNS, editorKey);
          clients.push(w);
          const s = rec.begin();
          try {
            blocks.get(v)!.push(
              await runBlock({
                mode,
                ms: mode === 'max' ? plan.maxMs : plan.fixedMs,
                count: mode === 'max' ? plan.maxCount : Number.MAX_SAFE_INTEGER,
                writers: plan.writers,
                maxInFlight: MAX_IN_FLIGHT,
                write: writeOp(w),
                perWrite: plan.subs,
                counter: tally,
                pids: { server: sb.pid },
                drainMs: plan.drainMs,
                stallMs: plan.stallMs,
              }),
            );
          } finally {
            rec.end();
            w.close();
            await watcher?.finish();
          }
          samples.get(v)!.push(s);
          if (watcher) {
            const a = watch.get(v)!;
            const b = watcher.count;
            for (const [t, n] of b.frames) a.frames.set(t, (a.frames.get(t) ?? 0) + n);
            a.tickEvents += b.tickEvents;
            a.ticks += b.ticks;
            a.batches += b.batches;
            a.summaries += b.summaries;
            a.missed += b.missed;
            a.lagP99Ms = Math.max(a.lagP99Ms, b.lagP99Ms);
            a.afterResume += b.afterResume;
          }
          // note: the server drops a closed watcher on its socket's close; give it a moment before a `none` block.
          await sleep(plan.settleMs);
        }
      }
      for (const v of VARIANTS) {
        const m = mergeBlocks(mode, plan.subs, blocks.get(v)!, samples.get(v)!);
        rows.push({ variant: v, mode, m, blocks: blocks.get(v)!, watch: watch.get(v)! });
        ctx.print(
          `  ${LABEL[v]}, ${modeLabel(mode, plan)}: ${int(m.writesOk)} writes (${int(m.writesPerS)}/s), ` +
            `${int(m.delivered)}/${int(m.expected)} delivered, p50 ${ms2(m.latency.p50)} p99 ${ms2(m.latency.p99)} ms, ` +
            `server CPU ${fmt(((m.cpuMs.server ?? 0) / m.wallMs) * 100, 0)}%, others ${fmt(m.otherCpuPct, 0)}%`,
        );
        if (m.failed) ctx.print(`    failures: ${m.failures.join(' | ')}`);
      }
    }
    printTables(ctx, plan, rows);
    ctx.print('');
    ctx.print(`subscriber connections closed by the server during the phases: ${tally.closeCount()}`);
    ctx.print(
      `load average at section end: ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
    );
  } finally {
    for (const c of pool.splice(0)) c.terminate();
    for (const c of clients) c.close();
    await stop?.();
    removeDir(dir);
  }
}

function printTables(ctx: BenchContext, plan: Plan, rows: Row[]): void {
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
        'others CPU %',
      ],
      rows.map(({ variant, mode, m }) => [
        LABEL[variant],
        modeLabel(mode, plan),
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
        fmt(cpuPerDelivered(m), 2),
        fmt(m.otherCpuPct, 0),
      ]),
    ),
  );

  // What the watchers received.
  ctx.print('');
  ctx.print(
    renderTable(
      [
        'watcher',
        'writes',
        'writes in blocks',
        'events batches',
        'event summaries',
        'missed (notices)',
        'tick frames',
        'events summed in ticks',
        'other frames',
        'frames after resume',
        'server loop lag p99 ms (max tick)',
      ],
      rows
        .filter((r) => r.variant !== 'none')
        .map(({ variant, mode, m, watch: w }) => {
          const other = [...w.frames].filter(([t]) => t !== 'events' && t !== 'tick');
          return [
            LABEL[variant],
            modeLabel(mode, plan),
            int(m.writesOk),
            int(w.batches),
            int(w.summaries),
            int(w.missed),
            int(w.ticks),
            int(w.tickEvents),
            other.map(([t, n]) => `${t} ${n}`).join(', ') || '-',
            variant === 'paused' ? int(w.afterResume) : '-',
            ms2(w.lagP99Ms),
          ];
        }),
    ),
  );

  // With / without, and the spread of that ratio over the rounds (pairs of blocks in the same round).
  const find = (v: Variant, mode: number | 'max') => rows.find((r) => r.variant === v && r.mode === mode)!;
  const range = (rs: number[]) => `${fmt(Math.min(...rs), 2)}-${fmt(Math.max(...rs), 2)}`;
  const cpuRatios = (a: BlockResult[], b: BlockResult[]) =>
    range(
      a.map((blk, i) =>
        ratio(
          cpuPerWrite({ cpuMs: blk.cpuMs, writesOk: blk.writes.ok }),
          cpuPerWrite({ cpuMs: b[i]!.cpuMs, writesOk: b[i]!.writes.ok }),
        ),
      ),
    );
  const deliveredRatios = (a: BlockResult[], b: BlockResult[]) =>
    range(a.map((blk, i) => ratio(blk.delivered / blk.spanMs, b[i]!.delivered / b[i]!.spanMs)));
  const out: string[][] = [];
  for (const mode of [plan.rate, 'max'] as const) {
    const base = find('none', mode);
    for (const v of ['watcher', 'paused'] as const) {
      const r = find(v, mode);
      out.push([
        `${LABEL[v]} / none`,
        modeLabel(mode, plan),
        x(ratio(r.m.latency.p50, base.m.latency.p50)),
        x(ratio(r.m.latency.p99, base.m.latency.p99)),
        x(ratio(r.m.deliveredPerS, base.m.deliveredPerS)),
        x(ratio(cpuPerWrite(r.m), cpuPerWrite(base.m))),
        deliveredRatios(r.blocks, base.blocks),
        cpuRatios(r.blocks, base.blocks),
      ]);
    }
  }
  ctx.print('');
  ctx.print(
    renderTable(
      [
        'ratio',
        'writes',
        'p50',
        'p99',
        'delivered/s',
        'server CPU/write',
        'delivered/s ratio per round (min-max)',
        'CPU/write ratio per round (min-max)',
      ],
      out,
    ),
  );
  ctx.print('(above 1 = higher with the watcher; delivered/s above 1 = more throughput with it)');
}

const section: Section = {
  name: 'monitor',
  summary:
    'admin monitor feed overhead: 100 subscribers at 100/s and max rate, without and with a (paused) watcher',
  run,
};
export default section;
