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
import { removeDir, tempDir } from '../lib/cleanup';
import { NATIVE_WS } from '../lib/dialect-clients';
import { LatencyRecorder, spread, waitUntil } from '../lib/fanout';
import { createFeed, createKeys, feedRecord, PER_KEY } from '../lib/feed';
import { modeLabel, printMerged } from '../lib/figures';
import { HttpClient } from '../lib/http';
import { ensureNofile } from '../lib/limits';
import { planFor, printLoad, type BenchContext, type Section } from '../lib/section';
import { startWithAdmin } from '../lib/server';
import { openSubscribers } from '../lib/subscribers';
import { fmt, int } from '../lib/table';
import { runBounded, sleep } from '../lib/timing';
import { takeTurns } from '../lib/turns';
import { Tally, type WsClient } from '../lib/ws-clients';
import { FULL, LABEL, QUICK, VARIANTS } from './monitor/plan';
import { printTables, type Row } from './monitor/report';
import { addCount, emptyCount, Watcher } from './monitor/watcher';

const COLLECTION = 'feed';
// note: the open loop never has more than this many writes outstanding; beyond, a tick is skipped.
const MAX_IN_FLIGHT = 256;
const FIXED_WRITER_CONNS = 8;

async function run(ctx: BenchContext): Promise<void> {
  const plan = planFor(ctx, FULL, QUICK);
  printLoad(ctx, 'start', ensureNofile(plan.subs + 1000));
  const dir = tempDir('sb-bench-monitor-');
  const clients: HttpClient[] = [];
  const pool: WsClient[] = [];
  const watchers = new Set<Watcher>();
  let stop: (() => Promise<void>) | undefined;
  try {
    const { server: sb, admin } = await startWithAdmin(dir);
    stop = () => sb.stop();
    clients.push(admin);
    await createFeed(admin, COLLECTION);
    const keys = await createKeys(admin, Math.ceil(plan.subs / PER_KEY), 'viewer', 'bench-viewer');
    const [editorKey] = await createKeys(admin, 1, 'editor', 'bench-writer');
    const wsBase = sb.url.replace(/^http/, 'ws');
    const monitorUrl = `${wsBase}/api/v1/monitor?token=${encodeURIComponent(admin.token!)}`;
    ctx.print(
      `Switchboard pid ${sb.pid}; ${keys.length} viewer API keys (${PER_KEY} connections each), 1 editor key, ` +
        `the watcher on the admin's access token`,
    );
    const openWatcher = async (paused: boolean) => {
      const w = await Watcher.open(monitorUrl, paused);
      watchers.add(w);
      return w;
    };
    const finishWatcher = async (w: Watcher | undefined) => {
      if (!w) return;
      await w.finish();
      watchers.delete(w);
    };

    // --- subscribers (native WebSocket), a sample of which parse each event for latency.
    const tally = new Tally();
    const rec = new LatencyRecorder();
    const t0 = performance.now();
    await openSubscribers(wsBase, keys, plan.subs, () => COLLECTION, tally, pool, 60_000);
    const picked = spread(plan.subs, plan.sampled);
    const sampler = rec.sampler(NATIVE_WS.seqOf);
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
        const watcher = watched ? await openWatcher(false) : undefined;
        const r = await runBounded({ count: plan.warmup / 2, ms: 10_000 }, 4, writeOp(w));
        ok += r.ok;
        if (r.failed) throw new Error(`warm-up: ${r.failed} writes failed: ${r.failures.join(' | ')}`);
        await finishWatcher(watcher);
      }
      w.close();
      const all = await waitUntil(() => tally.events - before >= ok * plan.subs, 15_000, 20);
      if (!all) throw new Error(`warm-up delivered ${tally.events - before} of ${ok * plan.subs}`);
    }

    // --- the phases: each mode in rounds, the variants taking turns (rotated) within a round.
    const rows: Row[] = [];
    for (const mode of [plan.rate, 'max'] as const) {
      const targets = VARIANTS.map((variant) => {
        const watch = emptyCount();
        let watcher: Watcher | undefined;
        return {
          variant,
          watch,
          writeUrl: sb.url,
          editorKey,
          perWrite: plan.subs,
          counter: tally,
          pids: { server: sb.pid },
          write: writeOp,
          // A watcher is connected (its snapshot received) before its block and closed after it.
          before: async () => {
            if (variant !== 'none') watcher = await openWatcher(variant === 'paused');
          },
          after: async () => {
            await finishWatcher(watcher);
            if (watcher) addCount(watch, watcher.count);
            watcher = undefined;
            // note: the server drops a closed watcher on its socket's close; give it a moment before a `none` block.
            await sleep(plan.settleMs);
          },
        };
      });
      const merged = await takeTurns(plan, mode, targets, rec, {
        maxCount: plan.maxCount,
        fixedConns: FIXED_WRITER_CONNS,
        maxInFlight: MAX_IN_FLIGHT,
        rotate: true,
      });
      for (const [{ variant, watch }, m] of merged) {
        rows.push({ variant, mode, m, watch });
        printMerged(ctx, `${LABEL[variant]}, ${modeLabel(mode, plan.writers)}`, m);
      }
    }
    printTables(ctx, plan, rows);
    ctx.print('');
    ctx.print(`subscriber connections closed by the server during the phases: ${tally.closeCount()}`);
    printLoad(ctx, 'end');
  } finally {
    for (const w of watchers) w.terminate();
    for (const c of pool.splice(0)) c.terminate();
    for (const c of clients) c.close();
    await stop?.();
    removeDir(dir);
  }
}

const section: Section = {
  name: 'monitor',
  summary:
    'admin monitor feed overhead: 100 subscribers at 100/s and max rate, without and with a (paused) watcher',
  run,
};
export default section;
