/**
 * Scale-out (`npm run bench -- --cluster`): one process against a primary with two edges and a
 * real redis-server, in one run on this machine, at 100 and 1,000 subscribers.
 *
 * - **single**: the headless server without Redis (`pubsub_backend: "memory"`); its
 *   subscribers connect to it.
 * - **cluster**: a primary (`--redis URL`, its own data dir) relays every committed event to
 *   the Redis Stream; two edges (`--edge --redis URL --primary URL`) read it and fan out.
 *   Subscribers are spread over the edges (even to one, odd to the other); writes go to the
 *   primary.
 *
 * Both systems run at once, each with its subscribers open, and take turns in short blocks
 * (single, cluster, single, …), so other work on the shared machine lands on both. Per block:
 * write->receive latency at sampled subscribers, delivered/s, and the CPU (from /proc) of every
 * process: the single server; the primary, each edge and redis-server. From those: the latency
 * the Redis hop adds (cluster - single at the same rate), the primary's and Redis's CPU per
 * write at 100 and at 1,000 subscribers (neither should grow with subscribers: they are on the
 * edges), and edge CPU per delivered event against the single process's.
 *
 * Subscribers are native-dialect bench/lib/dialect-clients.ts clients with viewer API keys (50
 * connections per key); each system has its own keys (the cluster's made on the primary).
 */
import { removeDir, tempDir } from '../lib/cleanup';
import { NATIVE_WS, type Subscriber } from '../lib/dialect-clients';
import { LatencyRecorder, spread, waitUntil, type BlockPlan } from '../lib/fanout';
import { createFeed, createKeys, feedRecord, PER_KEY } from '../lib/feed';
import { ms2 } from '../lib/figures';
import { HttpClient } from '../lib/http';
import { ensureNofile } from '../lib/limits';
import { readProc } from '../lib/proc';
import { redisInfo, startRedis } from '../lib/redis';
import { planFor, printLoad, type BenchContext, type Section } from '../lib/section';
import { startServer, startWithAdmin } from '../lib/server';
import { fmt, int } from '../lib/table';
import { runBounded, sleep } from '../lib/timing';
import { takeTurns } from '../lib/turns';
import { openMany, type Tally } from '../lib/ws-clients';
import { modeLabel, printTables, type Row } from './cluster/report';

const COLLECTION = 'feed';
const HANDSHAKE_MS = 15_000;
// note: the open loop never has more than this many writes outstanding; beyond, a tick is skipped.
const MAX_IN_FLIGHT = 256;
const FIXED_WRITER_CONNS = 8;

interface Plan extends BlockPlan {
  subscribers: number[];
  openConcurrency: number;
  openDeadlineMs: number;
  /** How long the no-write CPU baseline is measured. */
  idleMs: number;
}

const FULL: Plan = {
  subscribers: [100, 1000],
  sampled: 20,
  rate: 25,
  fixedMs: 3000,
  maxCount: 600,
  maxMs: 3000,
  writers: 8,
  rounds: 3,
  warmup: 50,
  drainMs: 15_000,
  stallMs: 3000,
  openConcurrency: 200,
  openDeadlineMs: 60_000,
  settleMs: 200,
  idleMs: 3000,
};

const QUICK: Plan = {
  subscribers: [10, 50],
  sampled: 5,
  rate: 25,
  fixedMs: 600,
  maxCount: 40,
  maxMs: 1000,
  writers: 4,
  rounds: 2,
  warmup: 5,
  drainMs: 5000,
  stallMs: 2000,
  openConcurrency: 50,
  openDeadlineMs: 30_000,
  settleMs: 50,
  idleMs: 500,
};

/** One system under test: where writes go, where subscribers connect, whose CPU counts. */
interface System {
  label: string;
  writeUrl: string;
  editorKey: string;
  viewerKeys: string[];
  /** Where subscriber i connects. */
  subUrl(i: number): string;
  pids: Record<string, number>;
  tally: Tally;
  subs: Subscriber[];
}

async function run(ctx: BenchContext): Promise<void> {
  const plan = planFor(ctx, FULL, QUICK);
  const maxSubs = Math.max(...plan.subscribers);
  printLoad(ctx, 'start', ensureNofile(2 * maxSubs + 1000));
  const dirs = [tempDir('sb-bench-single-'), tempDir('sb-bench-primary-')];
  const stops: (() => Promise<void>)[] = [];
  const clients: HttpClient[] = [];
  const systems: System[] = [];
  try {
    const redis = await startRedis();
    stops.push(() => redis.stop());
    const start = async (dataDir: string | null, args: string[] = []) => {
      const s = await startServer(dataDir, args);
      stops.unshift(() => s.stop());
      return s;
    };
    // The two systems' writable servers, each with its superuser logged in.
    const withAdmin = async (dataDir: string, args: string[] = []) => {
      const { server, admin } = await startWithAdmin(dataDir, args);
      stops.unshift(() => server.stop());
      clients.push(admin);
      return { server, admin };
    };
    const { server: single, admin: singleAdmin } = await withAdmin(dirs[0]!);
    const { server: primary, admin: primaryAdmin } = await withAdmin(dirs[1]!, ['--redis', redis.url]);
    const edges = [
      await start(null, ['--edge', '--redis', redis.url, '--primary', primary.url]),
      await start(null, ['--edge', '--redis', redis.url, '--primary', primary.url]),
    ];
    ctx.print(
      `redis-server pid ${redis.pid} (${redis.url}); single pid ${single.pid}; primary pid ${primary.pid}; ` +
        `edges pid ${edges[0]!.pid} and ${edges[1]!.pid}`,
    );

    const keysFor = async (admin: HttpClient) => {
      await createFeed(admin, COLLECTION);
      const viewers = await createKeys(admin, Math.ceil(maxSubs / PER_KEY), 'viewer', 'bench-viewer');
      const [editor] = await createKeys(admin, 1, 'editor', 'bench-writer');
      return { viewers, editor: editor! };
    };
    const sk = await keysFor(singleAdmin);
    const ck = await keysFor(primaryAdmin);
    systems.push(
      {
        label: 'single',
        writeUrl: single.url,
        editorKey: sk.editor,
        viewerKeys: sk.viewers,
        subUrl: () => single.url,
        pids: { single: single.pid },
        tally: NATIVE_WS.tally(COLLECTION),
        subs: [],
      },
      {
        label: 'cluster',
        writeUrl: primary.url,
        editorKey: ck.editor,
        viewerKeys: ck.viewers,
        subUrl: (i) => edges[i % 2]!.url,
        pids: { primary: primary.pid, edgeA: edges[0]!.pid, edgeB: edges[1]!.pid, redis: redis.pid },
        tally: NATIVE_WS.tally(COLLECTION),
        subs: [],
      },
    );
    const edgeRss0 = edges.map((e) => readProc(e.pid).rssMiB);

    const rec = new LatencyRecorder();
    const sampler = rec.sampler(NATIVE_WS.seqOf);
    const writeTo = (sys: System, w: HttpClient) => async () => {
      await w.expect(201, 'POST', `/api/v1/collections/${COLLECTION}/records`, feedRecord(rec.next()));
    };

    const rows: Row[] = [];
    let edgeRss1: number[] = [];
    let idleLine = '';
    for (const n of plan.subscribers) {
      for (const sys of systems) {
        const have = sys.subs.length;
        const t0 = performance.now();
        await openMany(
          n - have,
          plan.openConcurrency,
          plan.openDeadlineMs,
          (i) =>
            NATIVE_WS.open(
              sys.subUrl(have + i),
              COLLECTION,
              sys.viewerKeys[Math.floor((have + i) / PER_KEY)]!,
              sys.tally,
              HANDSHAKE_MS,
            ),
          sys.subs,
        );
        const picked = spread(n, plan.sampled);
        sys.subs.forEach((c, i) => (c.sample = picked.has(i) ? sampler : undefined));
        // Warm-up and a check that every subscriber receives (the first time: JIT, caches, the stream).
        const w = new HttpClient(sys.writeUrl, 2, sys.editorKey);
        const before = sys.tally.events;
        const count = n === plan.subscribers[0] ? plan.warmup : 5;
        const r = await runBounded({ count, ms: 20_000 }, 2, writeTo(sys, w));
        w.close();
        const all = await waitUntil(() => sys.tally.events - before >= r.ok * n, 20_000, 20);
        if (!all || r.failed)
          throw new Error(
            `${sys.label}: warm-up delivered ${sys.tally.events - before} of ${r.ok * n} (${r.failed} writes failed: ${r.failures.join(' | ')})`,
          );
        ctx.print(
          `${sys.label}: ${int(n)} subscribers (opened and warmed up in ${fmt((performance.now() - t0) / 1000, 1)} s)`,
        );
      }
      if (n === maxSubs) {
        edgeRss1 = edges.map((e) => readProc(e.pid).rssMiB);
        // Each process's CPU with every subscriber connected and no writes (heartbeats, stream reads).
        await sleep(plan.settleMs);
        const pids = Object.assign({}, ...systems.map((x) => x.pids)) as Record<string, number>;
        const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, readProc(pid)]));
        const t0 = performance.now();
        await sleep(plan.idleMs);
        const wall = performance.now() - t0;
        idleLine = Object.entries(pids)
          .map(([k, pid]) => {
            const a = readProc(pid);
            const b = cpu0[k]!;
            return `${k} ${fmt(((a.userMs + a.sysMs - b.userMs - b.sysMs) / wall) * 100, 1)}%`;
          })
          .join(', ');
      }

      const targets = systems.map((sys) => ({
        sys,
        writeUrl: sys.writeUrl,
        editorKey: sys.editorKey,
        perWrite: n,
        counter: sys.tally,
        pids: sys.pids,
        write: (w: HttpClient) => writeTo(sys, w),
      }));
      for (const mode of [plan.rate, 'max'] as const) {
        const merged = await takeTurns(plan, mode, targets, rec, {
          maxCount: Math.ceil(plan.maxCount / plan.rounds),
          fixedConns: FIXED_WRITER_CONNS,
          maxInFlight: MAX_IN_FLIGHT,
        });
        for (const [{ sys }, m] of merged) {
          rows.push({ system: sys.label, subs: n, mode, m });
          const cpu = Object.entries(m.cpuMs)
            .map(([k, v]) => `${k} ${fmt((v / m.wallMs) * 100, 0)}%`)
            .join(', ');
          ctx.print(
            `  ${sys.label}, ${int(n)} subs, ${modeLabel(mode, plan)}: ${int(m.writesOk)} writes (${int(m.writesPerS)}/s), ` +
              `${int(m.delivered)}/${int(m.expected)} delivered, p50 ${ms2(m.latency.p50)} p99 ${ms2(m.latency.p99)} ms; ` +
              `CPU ${cpu}; others ${fmt(m.otherCpuPct, 0)}%`,
          );
          if (m.failed) ctx.print(`    failures: ${m.failures.join(' | ')}`);
        }
      }
    }
    // Redis's own accounting of its work over the whole section, per command.
    const cmdstats = [...(await redisInfo(redis.url, 'commandstats')).entries()]
      .map(([k, v]) => {
        const f = Object.fromEntries(v.split(',').map((kv) => kv.split('=') as [string, string]));
        return { cmd: k.replace(/^cmdstat_/, ''), calls: Number(f.calls), usec: Number(f.usec) };
      })
      .filter((c) => c.calls > 0)
      .sort((a, b) => b.usec - a.usec);
    const cluWrites = rows.filter((r) => r.system === 'cluster').reduce((a, r) => a + r.m.writesOk, 0);
    const closes = systems.map((s) => `${s.label} ${s.tally.closeCount()}`).join(', ');
    for (const sys of systems) for (const c of sys.subs.splice(0)) c.terminate();
    printTables(ctx, plan, rows);
    ctx.print('');
    ctx.print(
      `edge RSS: ${edges.map((_, i) => `${fmt(edgeRss0[i]!, 0)} -> ${fmt(edgeRss1[i]!, 0)} MiB`).join(', ')} ` +
        `(before subscribers -> with ${int(maxSubs / 2)} each)`,
    );
    ctx.print('');
    ctx.print(
      `redis-server INFO commandstats over the section (${int(cluWrites)} measured cluster writes, plus warm-up): ` +
        cmdstats
          .slice(0, 8)
          .map((c) => `${c.cmd} ${int(c.calls)} calls ${fmt(c.usec / c.calls, 1)} µs/call`)
          .join('; '),
    );
    ctx.print(
      `CPU with ${int(maxSubs)} subscribers per system and no writes (${fmt(plan.idleMs / 1000, 0)} s, % of one core): ${idleLine}`,
    );
    ctx.print(`connections closed by the servers during the phases: ${closes}`);
    printLoad(ctx, 'end');
  } finally {
    for (const sys of systems) for (const c of sys.subs.splice(0)) c.terminate();
    for (const c of clients) c.close();
    // Edges first, then the primary and the single server, Redis last.
    for (const stop of stops) await stop().catch(() => {});
    for (const d of dirs) removeDir(d);
  }
}

const section: Section = {
  name: 'cluster',
  summary:
    'one process vs a primary + two edges over a real redis-server at 100 and 1,000 subscribers: latency, delivered/s, CPU per write and per event',
  run,
};
export default section;
