/** The realtime section's bounds, the servers under test as the phases see them, and its rows. */
import type { HttpClient } from '../../lib/http';
import type { PhaseCost } from '../../lib/proc';
import { summarize, type Summary } from '../../lib/stats';
import type { LoopResult } from '../../lib/timing';
import type { Tally, WsClient } from '../../lib/ws-clients';

export interface Plan {
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

export const FULL: Plan = {
  subscribers: [1, 100, 1000],
  sampled: 20,
  fixedRates: (subs) => (subs >= 1000 ? [100, 50, 25] : [100]),
  fixedMs: 8000,
  // note: many writers, as a venue's editors and scripts would be; writes that arrive together
  // share one commit (group commit). BENCH_MAX_WRITERS=8 shows a lighter write load.
  maxWriters: Number(process.env.BENCH_MAX_WRITERS) || 32,
  maxWrites: 12_000,
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

export const QUICK: Plan = {
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
export interface Target {
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

export interface FanoutRow {
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
export interface Block {
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
export function merge(
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

export interface IdleRow {
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
