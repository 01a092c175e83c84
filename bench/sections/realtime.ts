/**
 * Realtime fan-out: Switchboard against a raw-`ws` broadcast server (bench/lib/raw-ws-server.ts,
 * the practical floor on this machine), in one run.
 *
 * - write->receive latency at 1, 100 and 1,000 subscribers, at a fixed rate (open loop) and at
 *   the maximum rate (closed loop, 32 writers; BENCH_MAX_WRITERS sets another count), for both
 *   servers at the same rates;
 * - delivered messages/s, server CPU per delivered message and RSS (from /proc), the bench
 *   client's own CPU and event-loop delay (to tell when the client was the bottleneck);
 * - RSS with 10,000 idle authenticated connections (and the baseline's RSS with as many).
 *
 * A write is a REST `POST /api/v1/collections/feed/records` (one durable transaction: record +
 * outbox event, synchronous=FULL) against Switchboard, `POST /publish` against the baseline.
 * Each carries a sequence number `n` in a record field; its send time is kept in a map.
 * Subscribers are bench/lib/ws-clients.ts clients: most only count event frames without
 * decoding them, a sample of 20 (evenly spread over the subscription order, first and last
 * included) parse each frame and record arrival - send time.
 *
 * Switchboard's subscribers are authenticated connections: viewer API keys on `?token=`,
 * 50 connections per key (the server's default maxConnectionsPerUser), each subscribed to
 * `feed` through the native dialect. The writer uses an editor API key.
 *
 * Opt-in: `BENCH_REALTIME_PROFILE=1` takes a V8 CPU profile of the Switchboard process over
 * each of its phases at 100 subscribers and at the largest count (through the inspector, see
 * lib/cpu-profile.ts) and prints a summary. Profiling perturbs the figures of that run.
 *
 * This file runs the phases; bench/sections/realtime/ holds its bounds and rows (plan.ts), the
 * idle-connections phase (idle.ts) and the tables (report.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { removeDir, tempDir } from '../lib/cleanup';
import { INSPECT_NODE_OPTIONS, InspectorProfiler, type CpuProfile } from '../lib/cpu-profile';
import { measurePhase } from '../lib/proc';
import { openLoop, waitUntil, type OpenLoopResult } from '../lib/fanout';
import { HttpClient } from '../lib/http';
import { ensureNofile, nofile } from '../lib/limits';
import { startRawServer } from '../lib/raw-ws-server';
import { planFor, printLoad, type BenchContext, type Section } from '../lib/section';
import { startWithAdmin } from '../lib/server';
import { fmt, int } from '../lib/table';
import { runBounded, sleep } from '../lib/timing';
import { openMany, Tally, WsClient } from '../lib/ws-clients';
import { idle } from './realtime/idle';
import { FULL, merge, QUICK, type Block, type FanoutRow, type IdleRow, type Target } from './realtime/plan';
import { printTables } from './realtime/report';

const COLLECTION = 'feed';
const FIELDS = [
  { name: 'title', type: 'text', required: true },
  { name: 'n', type: 'number' },
  { name: 'body', type: 'text' },
];
const RULES = { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' };
const RECORDS_PATH = `/api/v1/collections/${COLLECTION}/records`;
// note: the server's default maxConnectionsPerUser; an API key is one "user".
const PER_KEY = 50;
const BODY = 'Doors open at seven; the late show starts at ten. Please keep the aisles clear.';
const HANDSHAKE_MS = 15_000;
const FIXED_WRITER_CONNS = 16;
// note: the open loop never has more than this many writes outstanding; beyond, a tick is skipped (and counted).
const MAX_IN_FLIGHT = 256;
const NO_PROGRESS_MS = 3000;
const PROFILE = process.env.BENCH_REALTIME_PROFILE === '1';

const ms2 = (n: number) => fmt(n, 2);
const pct = (part: number, whole: number) => (whole ? (part / whole) * 100 : NaN);

async function run(ctx: BenchContext): Promise<void> {
  const plan = planFor(ctx, FULL, QUICK);
  const maxSubs = Math.max(...plan.subscribers);
  const limitNote = ensureNofile(Math.max(plan.idle, maxSubs) + 1000);
  printLoad(ctx, 'start', limitNote);

  const dir = tempDir('sb-bench-realtime-');
  const clients: HttpClient[] = [];
  const targets: Target[] = [];
  const stops: (() => Promise<void>)[] = [];
  let profiler: InspectorProfiler | undefined;
  try {
    // --- Switchboard: a collection, viewer keys for subscribers (50 connections each), an editor key for writes.
    const oldNodeOptions = process.env.NODE_OPTIONS;
    // note: startWithAdmin spawns synchronously and copies process.env, so this reaches only that child.
    if (PROFILE) process.env.NODE_OPTIONS = `${oldNodeOptions ?? ''} ${INSPECT_NODE_OPTIONS}`.trim();
    const sbStart = startWithAdmin(dir);
    if (PROFILE) {
      if (oldNodeOptions === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = oldNodeOptions;
    }
    const { server: sb, admin } = await sbStart;
    stops.push(() => sb.stop());
    clients.push(admin);
    await admin.expect(201, 'POST', '/api/v1/collections', {
      name: COLLECTION,
      fields: FIELDS,
      rules: RULES,
    });
    const keyCount = Math.ceil(Math.max(plan.idle, maxSubs) / PER_KEY);
    const keys: string[] = [];
    for (let k = 0; k < keyCount; k++) {
      const r = await admin.expect(201, 'POST', '/api/v1/keys', {
        name: `bench-viewer-${k}`,
        role: 'viewer',
      });
      keys.push(r.body.key as string);
    }
    const editorKey = (
      await admin.expect(201, 'POST', '/api/v1/keys', { name: 'bench-writer', role: 'editor' })
    ).body.key as string;
    const sbWs = sb.url.replace(/^http/, 'ws');
    const sbTarget: Target = {
      label: 'Switchboard',
      pid: sb.pid,
      output: sb.output,
      writePath: RECORDS_PATH,
      writeStatus: 201,
      writer: (conns) => {
        const c = new HttpClient(sb.url, conns, editorKey);
        clients.push(c);
        return c;
      },
      body: (n) => ({ title: 'bench', n, body: BODY }),
      wsUrl: (i) => `${sbWs}/api/v1/ws/realtime?token=${keys[Math.floor(i / PER_KEY)]}`,
      ready: async (c) => {
        c.send(JSON.stringify({ action: 'subscribe', collection: COLLECTION }));
        await c.waitFor('authenticated', HANDSHAKE_MS);
        await c.waitFor('subscribed', HANDSHAKE_MS);
      },
      connections: async () => {
        const s = (await admin.expect(200, 'GET', '/api/v1/stats')).body as Record<string, unknown>;
        return s;
      },
      writeTimes: () => sb.takeRequestTimes(`POST ${RECORDS_PATH}`),
      pool: [],
      tally: new Tally(),
    };

    // --- the baseline.
    const raw = await startRawServer();
    stops.push(() => raw.stop());
    let rawPad = '';
    const rawTarget: Target = {
      label: 'raw ws',
      pid: raw.pid,
      output: raw.output,
      writePath: '/publish',
      writeStatus: 200,
      writer: (conns) => {
        const c = new HttpClient(raw.url, conns);
        clients.push(c);
        return c;
      },
      body: (n) =>
        rawPad ? { title: 'bench', n, body: BODY, pad: rawPad } : { title: 'bench', n, body: BODY },
      wsUrl: () => `${raw.url.replace(/^http/, 'ws')}/`,
      ready: async (c) => {
        await c.waitFor('subscribed', HANDSHAKE_MS);
      },
      pool: [],
      tally: new Tally(),
    };
    targets.push(rawTarget, sbTarget);
    ctx.print(
      `Switchboard pid ${sb.pid} (open files soft limit ${nofile(sb.pid).soft}), raw ws pid ${raw.pid}; ` +
        `${keyCount} viewer API keys for subscribers (${PER_KEY} connections each), 1 editor key for writes`,
    );

    const openOne = async (t: Target, i: number, tally: Tally): Promise<WsClient> => {
      const c = await WsClient.open(t.wsUrl(i), tally, HANDSHAKE_MS);
      try {
        await t.ready(c);
      } catch (e) {
        c.terminate();
        throw e;
      }
      return c;
    };

    // --- idle connections first, on fresh servers.
    const idleRows: IdleRow[] = [];
    for (const t of [sbTarget, rawTarget]) {
      idleRows.push(await idle(ctx, t, plan, openOne));
    }

    // --- fan-out.
    let seq = 0;
    const sentAt = new Map<number, number>();
    let rec: { lat: number[]; bad: number } | null = null;
    const onSample = (payload: Buffer, at: number) => {
      const r = rec;
      if (!r) return;
      try {
        const m = JSON.parse(payload.toString()) as {
          type?: string;
          data?: { type?: string; data?: { n?: unknown } };
        };
        const n = m.data?.data?.n;
        const t0 = typeof n === 'number' ? sentAt.get(n) : undefined;
        if (m.type !== 'event' || m.data?.type !== 'record.created' || t0 === undefined) r.bad++;
        else r.lat.push(at - t0);
      } catch {
        r.bad++;
      }
    };
    const writeOp = (t: Target, c: HttpClient) => async () => {
      const n = ++seq;
      const body = t.body(n);
      sentAt.set(n, performance.now());
      await c.expect(t.writeStatus, 'POST', t.writePath, body);
    };

    // Frame sizes: one write each to one subscriber; the baseline's body is padded to match.
    const frameLen = async (t: Target): Promise<number> => {
      let len = 0;
      const c = t.pool[0]!;
      c.sample = (p) => (len = p.length);
      const w = t.writer(1);
      await writeOp(t, w)();
      await waitUntil(() => len > 0, 5000);
      c.sample = undefined;
      w.close();
      return len;
    };
    for (const t of targets) await openMany(1, 1, plan.openDeadlineMs, (i) => openOne(t, i, t.tally), t.pool);
    const sbLen = await frameLen(sbTarget);
    const rawLen0 = await frameLen(rawTarget);
    rawPad = 'x'.repeat(Math.max(0, sbLen - rawLen0 - ',"pad":""'.length));
    const rawLen = await frameLen(rawTarget);
    ctx.print(
      `event frame size: Switchboard ${sbLen} bytes, raw ws ${rawLen} bytes (padded from ${rawLen0})`,
    );

    // Warm-up (JIT, statement cache, WAL growth): not in the figures.
    for (const t of targets) {
      const w = t.writer(4);
      await runBounded({ count: plan.warmup, ms: 10_000 }, 4, writeOp(t, w));
      w.close();
    }
    await sbTarget.writeTimes?.();

    /** One block of writes against one server, drained: every subscriber has every frame (or time ran out). */
    const block = async (t: Target, n: number, mode: number | 'max'): Promise<Block> => {
      const writer = t.writer(mode === 'max' ? plan.maxWriters : FIXED_WRITER_CONNS);
      const r = { lat: [] as number[], bad: 0 };
      sentAt.clear();
      rec = r;
      const before = t.tally.events;
      const closesBefore = t.tally.closeCount();
      await t.writeTimes?.();
      let start = 0;
      try {
        const { result: writes, cost } = await measurePhase(t.pid, async () => {
          start = performance.now();
          const op = writeOp(t, writer);
          const ms = (mode === 'max' ? plan.maxMs : plan.fixedMs) / plan.rounds;
          const w =
            mode === 'max'
              ? await runBounded(
                  {
                    count: Math.ceil(Math.min(plan.maxWrites, plan.maxDeliveries / n) / plan.rounds),
                    ms,
                  },
                  plan.maxWriters,
                  op,
                )
              : await openLoop(
                  mode,
                  { count: Math.round((mode * ms) / 1000), ms: ms + 1000 },
                  MAX_IN_FLIGHT,
                  op,
                );
          const expected = w.ok * n;
          let seen = t.tally.events;
          let progressAt = performance.now();
          const drainEnd = performance.now() + plan.drainMs;
          while (t.tally.events - before < expected && performance.now() < drainEnd) {
            await sleep(5);
            if (t.tally.events !== seen) {
              seen = t.tally.events;
              progressAt = performance.now();
            } else if (performance.now() - progressAt > NO_PROGRESS_MS) break;
          }
          return w;
        });
        const delivered = t.tally.events - before;
        return {
          writes,
          skipped: 'skipped' in writes ? (writes as OpenLoopResult).skipped : 0,
          delivered,
          deliverySpanMs: delivered ? t.tally.lastArrival - start : 0,
          lat: r.lat,
          bad: r.bad,
          closes: t.tally.closeCount() - closesBefore,
          cost,
          serverTimes: (await t.writeTimes?.()) ?? [],
        };
      } finally {
        rec = null;
        writer.close();
      }
    };

    const rows: FanoutRow[] = [];
    const profiles: { label: string; profile: CpuProfile }[] = [];
    for (const n of plan.subscribers) {
      for (const t of targets) {
        const t0 = performance.now();
        await openMany(
          n - t.pool.length,
          plan.openConcurrency,
          plan.openDeadlineMs,
          (i) => openOne(t, t.pool.length + i, t.tally),
          t.pool,
        );
        const live = t.pool.filter((c) => !c.closed).length;
        if (live !== n) throw new Error(`${t.label}: ${live} live subscribers, want ${n}`);
        ctx.print(
          `${t.label}: ${int(n)} subscribers (opened in ${fmt((performance.now() - t0) / 1000, 1)} s)`,
        );
        const step = n <= plan.sampled ? 1 : (n - 1) / (plan.sampled - 1);
        const picked = new Set<number>();
        for (let k = 0; k < Math.min(n, plan.sampled); k++) picked.add(Math.round(k * step));
        t.pool.forEach((c, i) => (c.sample = picked.has(i) ? onSample : undefined));
      }
      const profileThis = PROFILE && (n === maxSubs || n === 100);
      if (profileThis && !profiler) profiler = await InspectorProfiler.attach(sb.pid, sb.output);
      const modes: (number | 'max')[] = [...plan.fixedRates(n), 'max'];
      for (const mode of modes) {
        // The two servers take turns in short blocks, so a burst of other work on the machine
        // lands on both rather than on whichever ran at that moment.
        const acc = new Map<Target, Block[]>(targets.map((t) => [t, []]));
        // note: one histogram per block: a re-enabled one counts the disabled gap as delay.
        const loops = new Map<Target, number[]>(targets.map((t) => [t, []]));
        for (let round = 0; round < plan.rounds; round++) {
          for (const t of targets) {
            await sleep(plan.settleMs);
            const profiling = profileThis && t === sbTarget && round === 0;
            if (profiling) await profiler!.start();
            const loop = monitorEventLoopDelay({ resolution: 10 });
            loop.enable();
            acc.get(t)!.push(await block(t, n, mode));
            loop.disable();
            loops.get(t)!.push(loop.percentile(99) / 1e6);
            if (profiling) {
              const b = acc.get(t)![0]!;
              profiles.push({
                label: `${int(n)} subscribers, ${mode === 'max' ? 'max rate' : `fixed ${mode}/s`} (round 1 of ${plan.rounds}: ${fmt(b.cost.wallMs / 1000, 1)} s)`,
                profile: await profiler!.stop(),
              });
            }
          }
        }
        for (const t of targets) {
          const row = merge(t, n, mode, acc.get(t)!, Math.max(...loops.get(t)!), plan);
          rows.push(row);
          ctx.print(
            `  ${t.label}, ${int(n)} subs, ${row.mode}: ${int(row.writes.ok)} writes (${int((row.writes.ok / row.writes.elapsedMs) * 1000)}/s), ` +
              `${int(row.delivered)}/${int(row.expected)} delivered, p99 ${ms2(row.latency.p99)} ms, ` +
              `server CPU ${fmt(row.cost.serverCpuPct, 0)}%, client CPU ${fmt(pct(row.cost.clientCpuMs, row.cost.wallMs), 0)}%, ` +
              `others ${fmt(row.cost.otherCpuPct, 0)}%`,
          );
          if (row.writes.failed) ctx.print(`    failures: ${row.writes.failures.join(' | ')}`);
        }
      }
    }
    for (const t of targets) for (const c of t.pool.splice(0)) c.terminate();

    printTables(ctx, plan, idleRows, rows, profiles);
    ctx.print('');
    printLoad(ctx, 'end');
  } finally {
    profiler?.close();
    for (const t of targets) for (const c of t.pool.splice(0)) c.terminate();
    for (const c of clients) c.close();
    for (const stop of stops) await stop();
    removeDir(dir);
  }
}

const section: Section = {
  name: 'realtime',
  summary:
    'WebSocket fan-out vs a raw-ws baseline: latency at 1/100/1,000 subscribers, delivered/s, CPU, RSS with 10,000 idle connections',
  run,
};
export default section;
