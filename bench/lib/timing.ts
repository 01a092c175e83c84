/** Bounded load loops: every loop stops at a count or a deadline, whichever comes first. */

export interface Bounds {
  /** At most this many operations in total. */
  count: number;
  /** And no new operation starts after this many milliseconds. */
  ms: number;
  /** And no new operation starts once this returns true (e.g. a companion loop has finished). */
  until?: () => boolean;
}

export interface LoopResult {
  /** Latency of each successful operation, ms. */
  latencies: number[];
  ok: number;
  failed: number;
  /** The first few failure messages, for the report. */
  failures: string[];
  /** From the first start to the last completion, ms. */
  elapsedMs: number;
  /** Why the loop stopped. */
  stoppedBy: 'count' | 'time' | 'until';
}

/**
 * What a loop records as its operations finish: latencies, failures (the first few messages)
 * and its start; the closed loops here and the open loop (fanout.ts) share it.
 */
export function outcomes() {
  const latencies: number[] = [];
  const failures: string[] = [];
  let failed = 0;
  const start = performance.now();
  return {
    start,
    /** An operation started at `t0` succeeded now. */
    ok(t0: number): void {
      latencies.push(performance.now() - t0);
    },
    fail(e: unknown): void {
      failed++;
      if (failures.length < 5) failures.push((e as Error).message);
    },
    /** The loop's result; `end` is its last completion (default now). */
    result(stoppedBy: LoopResult['stoppedBy'], end = performance.now()): LoopResult {
      return { latencies, ok: latencies.length, failed, failures, elapsedMs: end - start, stoppedBy };
    },
  };
}

/**
 * Runs `op` from `concurrency` workers, each awaiting its previous operation before the next
 * (closed loop). `op` gets a global index; it resolves for success and throws for a failure.
 */
export async function runBounded(
  bounds: Bounds,
  concurrency: number,
  op: (index: number, worker: number) => Promise<void>,
): Promise<LoopResult> {
  const out = outcomes();
  let next = 0;
  let timedOut = false;
  let stopped = false;
  const deadline = out.start + bounds.ms;

  async function worker(w: number): Promise<void> {
    for (;;) {
      if (next >= bounds.count) return;
      if (performance.now() >= deadline) {
        timedOut = true;
        return;
      }
      if (bounds.until?.()) {
        stopped = true;
        return;
      }
      const i = next++;
      const t0 = performance.now();
      try {
        await op(i, w);
        out.ok(t0);
      } catch (e) {
        out.fail(e);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return out.result(next >= bounds.count ? 'count' : timedOut ? 'time' : stopped ? 'until' : 'count');
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Rejects with `what` if `p` has not settled within `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The synchronous twin of {@link runBounded} for in-process work (one caller, no awaits). */
export function runBoundedSync(bounds: Bounds, op: (index: number) => void): LoopResult {
  const out = outcomes();
  for (let i = 0; i < bounds.count; i++) {
    const t0 = performance.now();
    if (t0 - out.start >= bounds.ms) return out.result('time');
    try {
      op(i);
      out.ok(t0);
    } catch (e) {
      out.fail(e);
    }
  }
  return out.result('count');
}
