/**
 * The live monitor in a real browser (issue 14, "Numbers"), against the built server:
 *
 * 1. Watching costs the server almost nothing: 1,000 native WebSocket subscribers, writes at a
 *    fixed rate and at the max rate, blocks alternating between no monitor page and the monitor
 *    open in Chromium (Events tab live in one tab, Charts in another) — overhead.ts.
 * 2. Explain for one event across those 1,000 connections answers within 200 ms — explain.ts.
 * 3. The monitor page stays responsive: 10,000 open connections, 2,000 events/s for 30 s, the
 *    Events tab open: no long task over 100 ms, the newest event on screen within 1 s, and every
 *    event of the run in the stream afterwards — responsive.ts, stream-check.ts. Then the same
 *    load with the page on the Flow tab (frames, long tasks, the server's CPU per event with the
 *    per-connection outcomes on) — flow.ts.
 *
 * Subscribers use viewer API keys (50 connections per key, the server's per-user cap; API keys
 * are not anonymous, so the per-address anonymous cap does not apply); writes use an editor key;
 * the pages sign in as the admin. One server: part 1's subscribers are closed before part 3's open.
 */
import { removeDir, tempDir } from '../lib/cleanup';
import { createFeed, createKeys, PER_KEY } from '../lib/feed';
import { HttpClient } from '../lib/http';
import { ensureNofile } from '../lib/limits';
import { TreeCpu } from '../lib/process-tree';
import { loadNow, planFor, printLoad, type BenchContext, type Section } from '../lib/section';
import { startWithAdmin, type ChildServer } from '../lib/server';
import { openSubscribers } from '../lib/subscribers';
import { fmt, int, renderTable } from '../lib/table';
import { Tally, type WsClient } from '../lib/ws-clients';
import { lastSeq } from './monitor-console/admin';
import { runExplain, type ExplainResult } from './monitor-console/explain';
import { runOverhead, type OverheadVerdict } from './monitor-console/overhead';
import { MonitorBrowser } from './monitor-console/page';
import { FULL, QUICK, type Plan } from './monitor-console/plan';
import { runFlow } from './monitor-console/flow';
import { runResponsive, type ResponsiveResult } from './monitor-console/responsive';

const FEED = 'feed';
// note: the many connections of part 3 subscribe here; nothing writes to it.
const QUIET = 'quiet';
const OPEN_MS = 180_000;
// note: the target for explain.
const EXPLAIN_TARGET_MS = 200;

/** The server with an admin client, the collections and keys for `conns` connections. */
async function setUp(
  dir: string,
  conns: number,
  pids: number[],
): Promise<{ sb: ChildServer; admin: HttpClient; keys: string[]; editorKey: string }> {
  // note: two keep-alive connections, as the section has had since it was written (88b90ff).
  const { server: sb, admin } = await startWithAdmin(dir, [], 2);
  pids.push(sb.pid);
  try {
    await createFeed(admin, FEED);
    await createFeed(admin, QUIET);
    const keys = await createKeys(admin, Math.ceil(conns / PER_KEY), 'viewer', 'bench-viewer');
    const [editorKey] = await createKeys(admin, 1, 'editor', 'bench-writer');
    return { sb, admin, keys, editorKey: editorKey! };
  } catch (e) {
    admin.close();
    throw e;
  }
}

function printExplain(ctx: BenchContext, label: string, r: ExplainResult): void {
  ctx.print(
    renderTable(
      [
        'explain',
        'calls',
        'connections in the answer',
        'got the event',
        'answer',
        'round trip p50 / max',
        'server p50 / max',
      ],
      [
        [
          `seq ${r.seq}, ${label}`,
          int(r.roundTrip.n) + (r.failed ? ` (${r.failed} failed)` : ''),
          int(r.connections),
          int(r.delivered),
          `${fmt(r.bytes / 1024, 0)} KiB`,
          `${fmt(r.roundTrip.p50, 1)} / ${fmt(r.roundTrip.max, 1)} ms`,
          `${fmt(r.server.p50, 1)} / ${fmt(r.server.max, 1)} ms`,
        ],
      ],
    ),
  );
}

async function run(ctx: BenchContext): Promise<void> {
  const plan: Plan = planFor(ctx, FULL, QUICK);
  const { subs } = plan.overhead;
  const { conns, witnesses } = plan.responsive;
  printLoad(ctx, 'start', ensureNofile(conns + 2000));
  const started = performance.now();
  const at = () => `${fmt((performance.now() - started) / 1000, 0)} s in`;
  const dir = tempDir('sb-bench-monconsole-');
  const serverPids: number[] = [];
  const browserCpu = new TreeCpu(process.pid, () => serverPids);
  const pool: WsClient[] = [];
  let sb: ChildServer | undefined;
  let admin: HttpClient | undefined;
  let browser: MonitorBrowser | undefined;
  let verdicts: OverheadVerdict[] = [];
  let explain1: ExplainResult | undefined;
  let responsive: ResponsiveResult | undefined;
  // The browser starts while the server does (closed in the finally whatever happens).
  const launching = MonitorBrowser.launch();
  // note: handled here so a failed launch during the server's start is not an unhandled rejection; awaited below.
  launching.catch(() => undefined);
  try {
    // note: part 3's connections use keys after part 1's, so none waits for the server to see a close.
    const s = await setUp(dir, subs + conns, serverPids);
    ({ sb, admin } = s);
    const wsBase = sb.url.replace(/^http/, 'ws');
    browser = await launching;
    const [events, charts] = await Promise.all([browser.page(sb.url), browser.page(sb.url)]);

    // --- 1 and 2: overhead at `subs` subscribers, then explain across them.
    const tally = new Tally();
    let t0 = performance.now();
    await openSubscribers(wsBase, s.keys, subs, () => FEED, tally, pool, OPEN_MS);
    ctx.print(
      `\n### Watching: ${int(pool.length)} subscribers (${Math.ceil(subs / PER_KEY)} viewer keys), open in ` +
        `${fmt((performance.now() - t0) / 1000, 1)} s; server pid ${sb.pid}; ${at()}`,
    );
    verdicts = await runOverhead(ctx, plan.overhead, {
      url: sb.url,
      serverPid: sb.pid,
      collection: FEED,
      editorKey: s.editorKey,
      admin,
      pool,
      tally,
      events,
      charts,
      browserCpu,
    });
    await charts.close();
    ctx.print(`\n### Explain across ${int(pool.length)} connections (the monitor pages away); ${at()}\n`);
    explain1 = await runExplain(sb, admin, await lastSeq(admin), plan.explain);
    printExplain(ctx, `${int(pool.length)} subscribers`, explain1);
    ctx.print(
      `\nsubscriber connections closed by the server: ${tally.closeCount()}; load average: ${loadNow()}`,
    );
    for (const c of pool.splice(0)) c.terminate();

    // --- 3: the page under load with many connections open.
    const many = new Tally();
    const keys = s.keys.slice(Math.ceil(subs / PER_KEY));
    t0 = performance.now();
    await openSubscribers(wsBase, keys, conns, (i) => (i < witnesses ? FEED : QUIET), many, pool, OPEN_MS);
    ctx.print(
      `\n### Responsive: ${int(pool.length)} connections (${Math.ceil(conns / PER_KEY)} viewer keys; ${witnesses} ` +
        `subscribed to '${FEED}', the rest to '${QUIET}', which nobody writes), open in ` +
        `${fmt((performance.now() - t0) / 1000, 1)} s; load average ${loadNow()}; ${at()}`,
    );
    const setup = {
      server: sb,
      collection: FEED,
      editorKey: s.editorKey,
      admin,
      conns: pool.length,
      witnesses,
      tally: many,
      page: events,
      browserCpu,
    };
    responsive = await runResponsive(ctx, plan.responsive, setup);
    ctx.print(
      `\n### The Flow tab: the same connections, ${int(plan.flow.rate)} events/s for ${fmt(plan.flow.ms / 1000, 0)} s; ${at()}`,
    );
    await runFlow(ctx, plan.flow, setup);
    await events.hide();
    ctx.print('');
    printExplain(
      ctx,
      `${int(pool.length)} connections`,
      await runExplain(sb, admin, responsive.lastSeq, plan.explain),
    );
    ctx.print(`\nconnections closed by the server: ${many.closeCount()}; load average: ${loadNow()}`);
  } finally {
    for (const c of pool.splice(0)) c.terminate();
    await (browser ?? (await launching.catch(() => undefined)))?.close();
    admin?.close();
    await sb?.stop();
    removeDir(dir);
  }
  printSummary(ctx, verdicts, explain1, responsive);
}

function printSummary(
  ctx: BenchContext,
  verdicts: OverheadVerdict[],
  explain: ExplainResult | undefined,
  r: ResponsiveResult | undefined,
): void {
  const x = (n: number) => `${fmt(n, 2)}x`;
  const rows: string[][] = [];
  for (const v of verdicts) {
    rows.push([
      `p99 with / without the monitor, ${v.mode}`,
      x(v.p99Ratio),
      '≤ 1.10x',
      v.p99Ratio <= 1.1 ? 'met' : 'missed',
    ]);
    rows.push([
      `delivered/s with / without, ${v.mode}`,
      x(v.deliveredRatio),
      '≥ 0.95x',
      v.deliveredRatio >= 0.95 ? 'met' : 'missed',
    ]);
  }
  if (explain)
    rows.push([
      `explain across ${int(explain.connections)} connections, median / max`,
      `${fmt(explain.roundTrip.p50, 0)} / ${fmt(explain.roundTrip.max, 0)} ms`,
      `< ${EXPLAIN_TARGET_MS} ms`,
      explain.roundTrip.max < EXPLAIN_TARGET_MS
        ? 'met'
        : explain.roundTrip.p50 < EXPLAIN_TARGET_MS
          ? 'median met'
          : 'missed',
    ]);
  if (r) {
    rows.push(['events/s reached (asked 2,000 in a full run)', int(r.eventsPerS), '2,000', '-']);
    rows.push([
      'longest task on the monitor page',
      `${fmt(r.longest, 0)} ms`,
      '≤ 100 ms',
      r.over100 ? 'missed' : 'met',
    ]);
    rows.push([
      'newest event on screen (from when it was written), p99 / max',
      `${fmt(r.onScreen.p99, 0)} / ${fmt(r.onScreen.max, 0)} ms (from the write sent: ${fmt(r.onScreenFromSend.max, 0)} ms max)`,
      '< 1 s',
      r.overTarget || r.neverShown ? 'missed' : 'met',
    ]);
    rows.push([
      'run events in the stream afterwards',
      `${int(r.events - r.stream.missing)} of ${int(r.events)} (${int(r.stream.inRing)} in the ring, ${int(r.stream.viaGap)} from the gap row, ${int(r.stream.viaOlder)} via Older)`,
      'all',
      r.stream.missing ? 'missed' : 'met',
    ]);
  }
  ctx.print('');
  ctx.print(renderTable(['summary', 'measured', 'target', ''], rows));
}

const section: Section = {
  name: 'monitor-console',
  summary:
    'the live monitor in Chromium: server cost of watching, page responsiveness at 10,000 connections, explain',
  run,
};
export default section;
