/**
 * Realtime fan-out: Switchboard against a raw-`ws` broadcast server (bench/lib/raw-ws-server.ts,
 * the practical floor on this machine), in one run.
 *
 * - write->receive latency at 1, 100 and 1,000 subscribers, at a fixed rate (open loop) and at
 *   the maximum rate (closed loop, a few writers), for both servers at the same rates;
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
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { removeDir, tempDir } from '../lib/cleanup';
import {
  INSPECT_NODE_OPTIONS,
  InspectorProfiler,
  summarizeProfile,
  type CpuProfile,
} from '../lib/cpu-profile';
import { HttpClient } from '../lib/http';
import { measurePhase, readProc, type PhaseCost } from '../lib/proc';
import { startRawServer } from '../lib/raw-ws-server';
import type { BenchContext, Section } from '../lib/section';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer } from '../lib/server';
import { summarize, type Summary } from '../lib/stats';
import { fmt, int, renderTable } from '../lib/table';
import { runBounded, sleep, type Bounds, type LoopResult } from '../lib/timing';
import { openMany, Tally, WsClient } from '../lib/ws-clients';

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

interface Plan {
  subscribers: number[];
  sampled: number;
  /**
   * Open-loop rates (writes/s) per subscriber count: 100/s everywhere, and lower ones at 1,000
   * subscribers, where 100/s is over capacity on 2 cores.
   */
  fixedRates(subs: number): number[];
  fixedMs: number;
  maxWriters: number;
  maxWrites: number;
  /** The max-rate phase stops at maxDeliveries / subscribers writes (so 1,000 subscribers is bounded too). */
  maxDeliveries: number;
  maxMs: number;
  drainMs: number;
  warmup: number;
  idle: number;
  openConcurrency: number;
  openDeadlineMs: number;
  /** Each mode runs as this many alternating blocks per server (bounds split evenly). */
  rounds: number;
  /** A pause before each phase (and x2 / x4 around the idle measurements). */
  settleMs: number;
}

const FULL: Plan = {
  subscribers: [1, 100, 1000],
  sampled: 20,
  fixedRates: (subs) => (subs >= 1000 ? [100, 50, 25] : [100]),
  fixedMs: 8000,
  maxWriters: 8,
  maxWrites: 6000,
  maxDeliveries: 600_000,
  maxMs: 8000,
  drainMs: 20_000,
  warmup: 300,
  idle: 10_000,
  openConcurrency: 200,
  openDeadlineMs: 120_000,
  rounds: 4,
  settleMs: 250,
};

const QUICK: Plan = {
  subscribers: [1, 50],
  sampled: 10,
  fixedRates: (subs) => (subs >= 50 ? [100, 25] : [100]),
  fixedMs: 1000,
  maxWriters: 4,
  maxWrites: 300,
  maxDeliveries: 10_000,
  maxMs: 1000,
  drainMs: 5000,
  warmup: 20,
  idle: 500,
  openConcurrency: 100,
  openDeadlineMs: 30_000,
  rounds: 2,
  settleMs: 100,
};

/** One server under test, as the phases see it. */
interface Target {
  label: string;
  pid: number;
  output(): string;
  writePath: string;
  writeStatus: number;
  writer(conns: number): HttpClient;
  body(n: number): Record<string, unknown>;
  wsUrl(i: number): string;
  /** After the handshake: whatever makes the connection a live subscriber. */
  ready(c: WsClient): Promise<void>;
  /** Open connections the server itself reports (Switchboard's /stats), when it can. */
  connections?(): Promise<Record<string, unknown>>;
  /** The server's own handler time per write since the last call (Switchboard's log lines). */
  writeTimes?(): Promise<number[]>;
  pool: WsClient[];
  tally: Tally;
}

interface OpenLoopResult extends LoopResult {
  skipped: number;
}

/**
 * Open loop: starts write `i` at start + i/rate whether or not earlier ones finished (so a slow
 * server does not slow the offered load down), at most `maxInFlight` outstanding.
 */
async function openLoop(
  rate: number,
  bounds: Bounds,
  maxInFlight: number,
  op: (i: number) => Promise<void>,
): Promise<OpenLoopResult> {
  const interval = 1000 / rate;
  const latencies: number[] = [];
  const failures: string[] = [];
  let failed = 0;
  let skipped = 0;
  let stoppedBy: LoopResult['stoppedBy'] = 'count';
  const inflight = new Set<Promise<void>>();
  const start = performance.now();
  let last = start;
  for (let i = 0; i < bounds.count; i++) {
    const wait = start + i * interval - performance.now();
    if (wait >= 1) await sleep(wait);
    if (performance.now() - start >= bounds.ms) {
      stoppedBy = 'time';
      break;
    }
    if (inflight.size >= maxInFlight) {
      skipped++;
      continue;
    }
    const t0 = performance.now();
    const p: Promise<void> = op(i)
      .then(
        () => void latencies.push(performance.now() - t0),
        (e: Error) => {
          failed++;
          if (failures.length < 5) failures.push(e.message);
        },
      )
      .finally(() => {
        inflight.delete(p);
        last = performance.now();
      });
    inflight.add(p);
  }
  await Promise.all(inflight);
  return { latencies, ok: latencies.length, failed, failures, elapsedMs: last - start, stoppedBy, skipped };
}

/** The soft and hard limits on open files of a process, from /proc. */
function nofile(pid: number | 'self'): { soft: number; hard: number } {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  const n = (s: string | undefined) => (s === 'unlimited' ? Infinity : Number(s));
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

/** Raises this process's soft open-files limit to `need` if the hard limit allows (children inherit it). */
function ensureNofile(need: number): string {
  const before = nofile('self');
  if (before.soft >= need)
    return `open files limit ${before.soft} (hard ${before.hard}): enough for ${int(need)}`;
  if (before.hard < need)
    return `open files limit ${before.soft} (hard ${before.hard}) is below ${int(need)}; cannot raise it without privileges`;
  try {
    // note: Node has no setrlimit; prlimit(1) sets it on this process from outside.
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${need}:${before.hard}`]);
    return `raised the open files soft limit from ${before.soft} to ${nofile('self').soft} (hard ${before.hard})`;
  } catch (e) {
    return `could not raise the open files limit (${before.soft}): ${(e as Error).message.split('\n')[0]}`;
  }
}

async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number, step = 50): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (performance.now() > deadline) return false;
    await sleep(step);
  }
}

interface FanoutRow {
  target: string;
  subs: number;
  mode: string;
  /** The offered rate of a fixed-rate phase. */
  rate?: number;
  /** Whether a fixed-rate phase kept up (see where it is set); undefined at max rate. */
  sustained?: boolean;
  writes: LoopResult;
  skipped: number;
  expected: number;
  delivered: number;
  deliveredPerS: number;
  latency: Summary;
  badFrames: number;
  closes: number;
  cost: PhaseCost;
  clientLoopP99Ms: number;
  serverWrite?: Summary;
}

/** One server's share of one round of a mode. */
interface Block {
  writes: LoopResult;
  skipped: number;
  delivered: number;
  /** From the block's first write to its last frame's arrival. */
  deliverySpanMs: number;
  lat: number[];
  bad: number;
  closes: number;
  cost: PhaseCost;
  serverTimes: number[];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** One row from a server's blocks of one mode (its rounds). */
function merge(
  t: Target,
  n: number,
  mode: number | 'max',
  blocks: Block[],
  clientLoopP99Ms: number,
  plan: Plan,
): FanoutRow {
  const w = blocks.map((b) => b.writes);
  const writes: LoopResult = {
    latencies: w.flatMap((x) => x.latencies),
    ok: sum(w.map((x) => x.ok)),
    failed: sum(w.map((x) => x.failed)),
    failures: w.flatMap((x) => x.failures).slice(0, 5),
    elapsedMs: sum(w.map((x) => x.elapsedMs)),
    stoppedBy: w[w.length - 1]?.stoppedBy ?? 'count',
  };
  const c = blocks.map((b) => b.cost);
  const wallMs = sum(c.map((x) => x.wallMs));
  const serverUserMs = sum(c.map((x) => x.serverUserMs));
  const serverSysMs = sum(c.map((x) => x.serverSysMs));
  const cost: PhaseCost = {
    wallMs,
    serverUserMs,
    serverSysMs,
    serverCpuPct: ((serverUserMs + serverSysMs) / wallMs) * 100,
    serverRssEndMiB: c[c.length - 1]?.serverRssEndMiB ?? NaN,
    serverRssPeakMiB: Math.max(...c.map((x) => x.serverRssPeakMiB)),
    clientCpuMs: sum(c.map((x) => x.clientCpuMs)),
    otherCpuPct: sum(c.map((x) => x.otherCpuPct * x.wallMs)) / wallMs,
  };
  const delivered = sum(blocks.map((b) => b.delivered));
  const deliveredPerS = delivered / (sum(blocks.map((b) => b.deliverySpanMs)) / 1000);
  const skipped = sum(blocks.map((b) => b.skipped));
  const serverTimes = blocks.flatMap((b) => b.serverTimes);
  return {
    target: t.label,
    subs: n,
    mode: mode === 'max' ? `max, ${plan.maxWriters} writers` : `fixed ${mode}/s`,
    rate: mode === 'max' ? undefined : mode,
    // The offered rate was kept up with: writes, deliveries, nothing skipped.
    sustained:
      mode === 'max'
        ? undefined
        : skipped === 0 &&
          delivered === writes.ok * n &&
          (writes.ok / writes.elapsedMs) * 1000 >= 0.95 * mode &&
          deliveredPerS >= 0.95 * mode * n,
    writes,
    skipped,
    expected: writes.ok * n,
    delivered,
    deliveredPerS,
    latency: summarize(blocks.flatMap((b) => b.lat)),
    badFrames: sum(blocks.map((b) => b.bad)),
    closes: sum(blocks.map((b) => b.closes)),
    cost,
    clientLoopP99Ms,
    serverWrite: serverTimes.length ? summarize(serverTimes) : undefined,
  };
}

interface IdleRow {
  target: string;
  connections: number;
  openS: number;
  rssBeforeMiB: number;
  rssMiB: number;
  hwmMiB: number;
  clientRssMiB: number;
  stats: string;
  oneEvent: string;
}

const ms2 = (n: number) => fmt(n, 2);
const verdict = (ctx: BenchContext, ok: boolean) => (ctx.quick ? 'n/a (--quick)' : ok ? 'met' : 'MISSED');
const pct = (part: number, whole: number) => (whole ? (part / whole) * 100 : NaN);
const MB = (mib: number) => mib * 1.048576;

async function run(ctx: BenchContext): Promise<void> {
  const plan = ctx.quick ? QUICK : FULL;
  const maxSubs = Math.max(...plan.subscribers);
  const limitNote = ensureNofile(Math.max(plan.idle, maxSubs) + 1000);
  ctx.print(
    `load average at section start: ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}; ${limitNote}`,
  );

  const dir = tempDir('sb-bench-realtime-');
  const clients: HttpClient[] = [];
  const targets: Target[] = [];
  const stops: (() => Promise<void>)[] = [];
  let profiler: InspectorProfiler | undefined;
  try {
    // --- Switchboard: a collection, viewer keys for subscribers (50 connections each), an editor key for writes.
    const oldNodeOptions = process.env.NODE_OPTIONS;
    // note: startServer spawns synchronously and copies process.env, so this reaches only that child.
    if (PROFILE) process.env.NODE_OPTIONS = `${oldNodeOptions ?? ''} ${INSPECT_NODE_OPTIONS}`.trim();
    const sbStart = startServer(dir);
    if (PROFILE) {
      if (oldNodeOptions === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = oldNodeOptions;
    }
    const sb = await sbStart;
    stops.push(() => sb.stop());
    const admin = new HttpClient(sb.url, 1);
    clients.push(admin);
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
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
    ctx.print(
      `load average at section end: ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
    );
  } finally {
    profiler?.close();
    for (const t of targets) for (const c of t.pool.splice(0)) c.terminate();
    for (const c of clients) c.close();
    for (const stop of stops) await stop();
    removeDir(dir);
  }
}

/** Opens `plan.idle` subscribed connections, reads the server's RSS, sends one event to all, closes them. */
async function idle(
  ctx: BenchContext,
  t: Target,
  plan: Plan,
  openOne: (t: Target, i: number, tally: Tally) => Promise<WsClient>,
): Promise<IdleRow> {
  await sleep(plan.settleMs * 2);
  const before = readProc(t.pid);
  const tally = new Tally();
  const pool: WsClient[] = [];
  try {
    const t0 = performance.now();
    await openMany(plan.idle, plan.openConcurrency, plan.openDeadlineMs, (i) => openOne(t, i, tally), pool);
    const openS = (performance.now() - t0) / 1000;
    await sleep(plan.settleMs * 4);
    const after = readProc(t.pid);
    const clientRssMiB = process.memoryUsage().rss / 2 ** 20;
    let stats = '-';
    if (t.connections) {
      const s = await t.connections();
      stats = `${int(s.total_connections as number)} total, ${int(s.authenticated_connections as number)} authenticated, ${int(s.unique_users as number)} users`;
    }
    // One event to every idle subscriber: how long until the last one has it.
    const w = t.writer(1);
    const got = tally.events;
    const w0 = performance.now();
    await w.expect(t.writeStatus, 'POST', t.writePath, t.body(0));
    const ack = performance.now() - w0;
    await waitUntil(() => tally.events - got >= pool.length, 20_000, 5);
    w.close();
    const oneEvent = `${int(tally.events - got)}/${int(pool.length)} in ${ms2(tally.lastArrival - w0)} ms (write acknowledged after ${ms2(ack)} ms)`;
    ctx.print(
      `${t.label}: ${int(pool.length)} idle connections opened in ${fmt(openS, 1)} s; RSS ${fmt(before.rssMiB, 0)} -> ${fmt(after.rssMiB, 0)} MiB`,
    );
    return {
      target: t.label,
      connections: pool.length,
      openS,
      rssBeforeMiB: before.rssMiB,
      rssMiB: after.rssMiB,
      hwmMiB: after.hwmMiB,
      clientRssMiB,
      stats,
      oneEvent,
    };
  } finally {
    for (const c of pool) c.terminate();
    // The fan-out phases reuse the keys: wait until the server has let these go.
    if (t.connections) {
      const ok = await waitUntil(
        async () => ((await t.connections!()).total_connections as number) === 0,
        30_000,
        200,
      );
      if (!ok) ctx.print(`${t.label}: connections still open 30 s after closing the idle ones`);
    } else await sleep(plan.settleMs * 2);
  }
}

function printTables(
  ctx: BenchContext,
  plan: Plan,
  idleRows: IdleRow[],
  rows: FanoutRow[],
  profiles: { label: string; profile: CpuProfile }[],
): void {
  ctx.print('');
  ctx.print(
    renderTable(
      [
        'idle connections',
        'conns',
        'open s',
        'RSS before MiB',
        'RSS with conns MiB',
        'KiB per conn',
        'server HWM MiB',
        'bench RSS MiB',
        'server /stats',
        'one event to all',
      ],
      idleRows.map((r) => [
        r.target,
        int(r.connections),
        fmt(r.openS, 1),
        fmt(r.rssBeforeMiB, 0),
        fmt(r.rssMiB, 0),
        fmt(((r.rssMiB - r.rssBeforeMiB) * 1024) / r.connections, 1),
        fmt(r.hwmMiB, 0),
        fmt(r.clientRssMiB, 0),
        r.stats,
        r.oneEvent,
      ]),
    ),
  );
  ctx.print('');
  ctx.print(
    renderTable(
      [
        'server',
        'subs',
        'writes',
        'ok',
        'failed',
        'skipped',
        'writes/s',
        'kept up',
        'delivered',
        'expected',
        'delivered/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'samples',
        'server write p50',
        'server write p99',
      ],
      rows.map((r) => [
        r.target,
        int(r.subs),
        r.mode,
        int(r.writes.ok),
        int(r.writes.failed),
        int(r.skipped),
        int((r.writes.ok / r.writes.elapsedMs) * 1000),
        r.sustained === undefined ? '-' : r.sustained ? 'yes' : 'NO',
        int(r.delivered),
        int(r.expected),
        int(r.deliveredPerS),
        ms2(r.latency.p50),
        ms2(r.latency.p95),
        ms2(r.latency.p99),
        ms2(r.latency.max),
        int(r.latency.n) + (r.badFrames ? ` (${r.badFrames} bad)` : ''),
        r.serverWrite ? ms2(r.serverWrite.p50) : '-',
        r.serverWrite ? ms2(r.serverWrite.p99) : '-',
      ]),
    ),
  );
  ctx.print('');
  ctx.print(
    renderTable(
      [
        'server',
        'subs',
        'writes',
        'wall s',
        'server CPU % (usr+sys)',
        'server CPU ms/write',
        'server CPU µs/delivered',
        'RSS end MiB',
        'RSS peak MiB',
        'client CPU %',
        'client CPU µs/delivered',
        'client loop delay p99 ms (worst round)',
        'others CPU %',
        'closed',
      ],
      rows.map((r) => {
        const cpu = r.cost.serverUserMs + r.cost.serverSysMs;
        return [
          r.target,
          int(r.subs),
          r.mode,
          fmt(r.cost.wallMs / 1000, 1),
          `${fmt(r.cost.serverCpuPct, 0)} (${fmt(pct(r.cost.serverUserMs, r.cost.wallMs), 0)}+${fmt(pct(r.cost.serverSysMs, r.cost.wallMs), 0)})`,
          r.writes.ok ? ms2(cpu / r.writes.ok) : '-',
          r.delivered ? ms2((cpu * 1000) / r.delivered) : '-',
          fmt(r.cost.serverRssEndMiB, 0),
          fmt(r.cost.serverRssPeakMiB, 0),
          fmt(pct(r.cost.clientCpuMs, r.cost.wallMs), 0),
          r.delivered ? ms2((r.cost.clientCpuMs * 1000) / r.delivered) : '-',
          ms2(r.clientLoopP99Ms),
          fmt(r.cost.otherCpuPct, 0),
          int(r.closes),
        ];
      }),
    ),
  );

  // Targets.
  const maxSubs = Math.max(...plan.subscribers);
  const at = (target: string, subs: number, rate: number | 'max') =>
    rows.find(
      (r) =>
        r.target === target && r.subs === subs && (rate === 'max' ? r.rate === undefined : r.rate === rate),
    );
  const latencyRows: [string, string, string][] = [];
  let bestSustained: number | undefined;
  for (const rate of plan.fixedRates(maxSubs)) {
    const sbr = at('Switchboard', maxSubs, rate);
    const rawr = at('raw ws', maxSubs, rate);
    if (!sbr || !rawr) continue;
    const ratio = sbr.latency.p99 / rawr.latency.p99;
    const both = !!sbr.sustained && !!rawr.sustained;
    if (both && (bestSustained === undefined || rate > bestSustained)) bestSustained = rate;
    const kept = both
      ? 'both kept up'
      : `not kept up by ${[sbr, rawr]
          .filter((r) => !r.sustained)
          .map((r) => r.target)
          .join(' and ')}`;
    latencyRows.push([
      `p99 at ${int(maxSubs)} subscribers within 2x of raw ws, fixed ${rate}/s`,
      `${ms2(sbr.latency.p99)} vs ${ms2(rawr.latency.p99)} ms: ${fmt(ratio, 2)}x (${kept})`,
      both ? verdict(ctx, ratio <= 2) : 'not comparable: over capacity',
    ]);
  }
  const sbMax100 = at('Switchboard', 100, 'max') ?? at('Switchboard', maxSubs, 'max');
  const sbIdle = idleRows.find((r) => r.target === 'Switchboard');
  const writesPerS = sbMax100 ? (sbMax100.writes.ok / sbMax100.writes.elapsedMs) * 1000 : NaN;
  ctx.print('');
  ctx.print(
    renderTable(
      ['target', 'measured', 'verdict'],
      [
        ...latencyRows,
        [
          `>= 2,000 durable writes/s fanned out to ${int(sbMax100?.subs ?? 0)} subscribers`,
          `${int(writesPerS)} writes/s (${int(sbMax100?.deliveredPerS ?? NaN)} delivered/s, ${plan.maxWriters} writers)`,
          verdict(ctx, writesPerS >= 2000),
        ],
        [
          `${int(plan.idle)} idle connections under 300 MB RSS`,
          sbIdle
            ? `${fmt(MB(sbIdle.rssMiB), 0)} MB (${fmt(sbIdle.rssMiB, 0)} MiB) with ${int(sbIdle.connections)}`
            : '-',
          verdict(ctx, !!sbIdle && sbIdle.connections === plan.idle && MB(sbIdle.rssMiB) < 300),
        ],
      ],
    ),
  );
  if (bestSustained === undefined)
    ctx.print(
      `(no fixed rate at ${int(maxSubs)} subscribers was kept up by both servers: no latency verdict)`,
    );

  for (const { label, profile } of profiles) {
    const s = summarizeProfile(profile, {
      'Store.mutate (SQLite transaction, then the fan-out after commit)': (f) =>
        f.functionName === 'mutate' && f.url.includes('/store/index'),
      'SQLite transaction (insert + outbox event + COMMIT with fsync)': (f) =>
        f.url.includes('better-sqlite3/lib/methods/transaction'),
      'Hub.fanout (match + encode + send, all subscribers)': (f) =>
        f.functionName === 'fanout' && f.url.includes('/realtime/hub'),
      'WsTransport.send (ws.send per socket)': (f) =>
        f.functionName === 'send' && f.url.includes('ws-transport'),
      'Hub.deliver (per subscriber: match, frame, send)': (f) =>
        f.functionName === 'deliver' && f.url.includes('/realtime/hub'),
      'matching per subscriber (view rule, filter)': (f) =>
        (f.functionName === 'matchEvent' && f.url.includes('/realtime/match')) ||
        (f.functionName === 'matches' && f.url.includes('/realtime/hub')),
      'Auth.authenticate (API key lookup)': (f) =>
        f.functionName === 'authenticate' && f.url.includes('/auth/index'),
      'console.log (the per-request log line)': (f) => f.functionName === 'consoleCall',
    });
    ctx.print('');
    ctx.print(
      `CPU profile of the Switchboard main thread, ${label}: ${fmt(s.wallMs / 1000, 1)} s window, ` +
        `${fmt(s.busyMs / 1000, 2)} s busy (${fmt(pct(s.busyMs, s.wallMs), 0)}% of the window; busy includes time blocked in fsync)`,
    );
    ctx.print('');
    ctx.print(
      renderTable(
        ['self time by part', 'ms', '% of busy'],
        s.categories.map(([c, v]) => [c, fmt(v, 0), fmt(pct(v, s.busyMs), 1)]),
      ),
    );
    ctx.print('');
    ctx.print(
      renderTable(
        ['inclusive time', 'ms', '% of busy'],
        s.inclusive.map(([c, v]) => [c, fmt(v, 0), fmt(pct(v, s.busyMs), 1)]),
      ),
    );
    ctx.print('');
    ctx.print(
      renderTable(
        ['top self time', 'ms', '% of busy'],
        s.topSelf.map(([c, v]) => [c, fmt(v, 0), fmt(pct(v, s.busyMs), 1)]),
      ),
    );
  }
}

const section: Section = {
  name: 'realtime',
  summary:
    'WebSocket fan-out vs a raw-ws baseline: latency at 1/100/1,000 subscribers, delivered/s, CPU, RSS with 10,000 idle connections',
  run,
};
export default section;
