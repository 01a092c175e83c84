/**
 * Fan-out phases shared by the realtime, dialects, cluster and monitor sections: the open loop, blocks
 * of writes that are drained until every subscriber has every frame, CPU of several
 * processes over a block, and latency samples keyed by a sequence number carried in each write.
 */
import { readProc, readSystemCpu } from './proc';
import { summarize, type Summary } from './stats';
import { outcomes, runBounded, sleep, type Bounds, type LoopResult } from './timing';

export interface OpenLoopResult extends LoopResult {
  skipped: number;
}

/**
 * Open loop: starts write `i` at start + i/rate whether or not earlier ones finished (so a slow
 * server does not slow the offered load down), at most `maxInFlight` outstanding.
 */
export async function openLoop(
  rate: number,
  bounds: Bounds,
  maxInFlight: number,
  op: (i: number) => Promise<void>,
): Promise<OpenLoopResult> {
  const interval = 1000 / rate;
  const out = outcomes();
  const start = out.start;
  let skipped = 0;
  let stoppedBy: LoopResult['stoppedBy'] = 'count';
  const inflight = new Set<Promise<void>>();
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
        () => out.ok(t0),
        (e: unknown) => out.fail(e),
      )
      .finally(() => {
        inflight.delete(p);
        last = performance.now();
      });
    inflight.add(p);
  }
  await Promise.all(inflight);
  return { ...out.result(stoppedBy, last), skipped };
}

/** Polls `cond` every `step` ms until it holds (true) or `ms` have passed (false). */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  ms: number,
  step = 50,
): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (performance.now() > deadline) return false;
    await sleep(step);
  }
}

/** Send times of writes by sequence number, and the latencies the sampled subscribers saw. */
export class LatencyRecorder {
  private seq = 0;
  private readonly sentAt = new Map<number, number>();
  /** The current block's samples (null between blocks: late frames are ignored). */
  private current: { lat: number[]; bad: number } | null = null;

  /** The next sequence number, its send time noted now. */
  next(): number {
    const n = ++this.seq;
    this.sentAt.set(n, performance.now());
    return n;
  }

  /** Starts collecting a block's samples. */
  begin(): { lat: number[]; bad: number } {
    this.sentAt.clear();
    this.current = { lat: [], bad: 0 };
    return this.current;
  }

  end(): void {
    this.current = null;
  }

  /**
   * A sample callback for one dialect: `seqOf` finds the write's sequence number in the
   * parsed frame (undefined if the frame is not the expected event).
   */
  sampler(seqOf: (m: unknown) => unknown): (payload: Buffer, at: number) => void {
    return (payload, at) => {
      const r = this.current;
      if (!r) return;
      try {
        const n = seqOf(JSON.parse(payload.toString()));
        const t0 = typeof n === 'number' ? this.sentAt.get(n) : undefined;
        if (t0 === undefined) r.bad++;
        else r.lat.push(at - t0);
      } catch {
        r.bad++;
      }
    };
  }
}

/** Something that counts the event frames of a pool of subscribers (a ws-clients Tally). */
export interface Counter {
  events: number;
  lastArrival: number;
}

export interface BlockSpec {
  /** Writes/s (open loop) or 'max' (closed loop of `writers`). */
  mode: number | 'max';
  /** No new write after this long. */
  ms: number;
  /** At most this many writes (a fixed-rate block also stops at rate x ms). */
  count: number;
  /** Concurrent writers at max rate. */
  writers: number;
  /** Writes outstanding at most in the open loop; beyond, a tick is skipped. */
  maxInFlight: number;
  /** Issues one write; resolves when it is acknowledged. */
  write: () => Promise<void>;
  /** Frames each acknowledged write should produce, in total over the counter's subscribers. */
  perWrite: number;
  counter: Counter;
  /** The processes whose CPU the block measures, by label. */
  pids: Record<string, number>;
  /** The drain after the writes: at most this long, or `stallMs` without a new frame. */
  drainMs: number;
  stallMs: number;
}

export interface BlockResult {
  writes: OpenLoopResult;
  delivered: number;
  expected: number;
  /** From the block's first write to its last frame's arrival. */
  spanMs: number;
  wallMs: number;
  /** CPU (user + system) of each process over the block, ms. */
  cpuMs: Record<string, number>;
  /** The bench process's own CPU over the block, ms. */
  clientCpuMs: number;
  /** Everything else on the machine, ms of CPU. */
  otherCpuMs: number;
}

const cpuOf = (pid: number) => {
  const p = readProc(pid);
  return p.userMs + p.sysMs;
};

/** One block: writes at a fixed or the max rate, then a drain until every frame arrived. */
export async function runBlock(spec: BlockSpec): Promise<BlockResult> {
  const before = spec.counter.events;
  const cpu0 = Object.fromEntries(Object.entries(spec.pids).map(([k, pid]) => [k, cpuOf(pid)]));
  const client0 = process.cpuUsage();
  const sys0 = readSystemCpu();
  const start = performance.now();
  const op = () => spec.write();
  const writes: OpenLoopResult =
    spec.mode === 'max'
      ? { ...(await runBounded({ count: spec.count, ms: spec.ms }, spec.writers, op)), skipped: 0 }
      : await openLoop(
          spec.mode,
          { count: Math.min(spec.count, Math.round((spec.mode * spec.ms) / 1000)), ms: spec.ms + 1000 },
          spec.maxInFlight,
          op,
        );
  const expected = writes.ok * spec.perWrite;
  let seen = spec.counter.events;
  let progressAt = performance.now();
  const drainEnd = performance.now() + spec.drainMs;
  while (spec.counter.events - before < expected && performance.now() < drainEnd) {
    await sleep(5);
    if (spec.counter.events !== seen) {
      seen = spec.counter.events;
      progressAt = performance.now();
    } else if (performance.now() - progressAt > spec.stallMs) break;
  }
  const wallMs = performance.now() - start;
  const client = process.cpuUsage(client0);
  const sys1 = readSystemCpu();
  const cpuMs = Object.fromEntries(Object.entries(spec.pids).map(([k, pid]) => [k, cpuOf(pid) - cpu0[k]!]));
  const clientCpuMs = (client.user + client.system) / 1000;
  const ownCpu = Object.values(cpuMs).reduce((a, b) => a + b, 0) + clientCpuMs;
  const delivered = spec.counter.events - before;
  return {
    writes,
    delivered,
    expected,
    spanMs: delivered ? spec.counter.lastArrival - start : 0,
    wallMs,
    cpuMs,
    clientCpuMs,
    otherCpuMs: Math.max(0, sys1.busyMs - sys0.busyMs - ownCpu),
  };
}

/** Several blocks of one mode (rounds), added up. */
export interface Merged {
  writesOk: number;
  failed: number;
  failures: string[];
  skipped: number;
  writesPerS: number;
  delivered: number;
  expected: number;
  deliveredPerS: number;
  latency: Summary;
  bad: number;
  wallMs: number;
  cpuMs: Record<string, number>;
  clientCpuMs: number;
  /** Everything else on the machine, % of one core. */
  otherCpuPct: number;
  /** For a fixed rate: nothing skipped, every frame arrived, >= 95% of the offered rate. */
  keptUp?: boolean;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function mergeBlocks(
  mode: number | 'max',
  perWrite: number,
  blocks: BlockResult[],
  samples: { lat: number[]; bad: number }[],
): Merged {
  const writesOk = sum(blocks.map((b) => b.writes.ok));
  const writeMs = sum(blocks.map((b) => b.writes.elapsedMs));
  const delivered = sum(blocks.map((b) => b.delivered));
  const deliveredPerS = delivered / (sum(blocks.map((b) => b.spanMs)) / 1000);
  const skipped = sum(blocks.map((b) => b.writes.skipped));
  const wallMs = sum(blocks.map((b) => b.wallMs));
  const cpuMs: Record<string, number> = {};
  for (const b of blocks) for (const [k, v] of Object.entries(b.cpuMs)) cpuMs[k] = (cpuMs[k] ?? 0) + v;
  const writesPerS = (writesOk / writeMs) * 1000;
  return {
    writesOk,
    failed: sum(blocks.map((b) => b.writes.failed)),
    failures: blocks.flatMap((b) => b.writes.failures).slice(0, 5),
    skipped,
    writesPerS,
    delivered,
    expected: writesOk * perWrite,
    deliveredPerS,
    latency: summarize(samples.flatMap((s) => s.lat)),
    bad: sum(samples.map((s) => s.bad)),
    wallMs,
    cpuMs,
    clientCpuMs: sum(blocks.map((b) => b.clientCpuMs)),
    otherCpuPct: (sum(blocks.map((b) => b.otherCpuMs)) / wallMs) * 100,
    keptUp:
      mode === 'max'
        ? undefined
        : skipped === 0 &&
          delivered === writesOk * perWrite &&
          writesPerS >= 0.95 * mode &&
          deliveredPerS >= 0.95 * mode * perWrite,
  };
}

/** Picks `count` indexes evenly spread over 0..n-1, first and last included. */
export function spread(n: number, count: number): Set<number> {
  const picked = new Set<number>();
  const step = n <= count ? 1 : (n - 1) / (count - 1);
  for (let k = 0; k < Math.min(n, count); k++) picked.add(Math.round(k * step));
  return picked;
}

/** The bounds every fan-out bench section shares: rates, counts, timeouts of one measured block. */
export interface BlockPlan {
  sampled: number;
  rate: number;
  fixedMs: number;
  maxCount: number;
  maxMs: number;
  writers: number;
  rounds: number;
  warmup: number;
  drainMs: number;
  stallMs: number;
  settleMs: number;
}
