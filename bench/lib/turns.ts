/**
 * Measured blocks of writes taken in turns: for one mode, `plan.rounds` rounds in which every
 * target runs one block, so a burst of other work on the shared machine lands on all of them;
 * then each target's blocks merged. The loop the dialects, cluster, monitor and
 * monitor-console sections share; a target's hooks set up what differs between variants on
 * one server (a watcher connected, a page shown) around its blocks.
 */
import {
  mergeBlocks,
  runBlock,
  type BlockPlan,
  type BlockResult,
  type Counter,
  type LatencyRecorder,
  type Merged,
} from './fanout';
import { HttpClient } from './http';
import { sleep } from './timing';

/** One target of {@link takeTurns}: where its writes go, what counts its deliveries, whose CPU counts. */
export interface TurnTarget {
  writeUrl: string;
  editorKey?: string;
  /** Events one write delivers (the target's subscribers). */
  perWrite: number;
  counter: Counter;
  pids: Record<string, number>;
  /** One write over `w`. */
  write(w: HttpClient): () => Promise<void>;
  /** Before each of its blocks' settle pause (connect a watcher, show a page). */
  before?(): Promise<void>;
  /**
   * After the settle pause, as the measured block starts; what it returns is called as the
   * block ends, failed or not (a CPU reading of another process tree).
   */
  start?(): Promise<(() => void) | void>;
  /** After each of its blocks (and the writers' connection) is over; not after a failed one. */
  after?(): Promise<void>;
}

/** A target's blocks merged, and the blocks themselves in round order (for per-round ratios). */
export interface Turns extends Merged {
  blocks: BlockResult[];
}

/** What differs between the sections: writes per max-rate block and the fixed-rate writers' connections. */
export interface TurnOptions {
  maxCount: number;
  fixedConns: number;
  maxInFlight: number;
  /** Round r starts at target r (mod their number), so no target always goes first. */
  rotate?: boolean;
}

/** Runs `mode` in turns over `targets` (see the module comment) and returns each target's merged blocks. */
export async function takeTurns<T extends TurnTarget>(
  plan: BlockPlan,
  mode: number | 'max',
  targets: T[],
  rec: LatencyRecorder,
  o: TurnOptions,
): Promise<Map<T, Turns>> {
  const blocks = new Map<T, BlockResult[]>(targets.map((t) => [t, []]));
  const samples = new Map<T, { lat: number[]; bad: number }[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < plan.rounds; round++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[o.rotate ? (k + round) % targets.length : k]!;
      await t.before?.();
      await sleep(plan.settleMs);
      const end = await t.start?.();
      const w = new HttpClient(t.writeUrl, mode === 'max' ? plan.writers : o.fixedConns, t.editorKey);
      const s = rec.begin();
      try {
        blocks.get(t)!.push(
          await runBlock({
            mode,
            ms: mode === 'max' ? plan.maxMs : plan.fixedMs,
            count: mode === 'max' ? o.maxCount : Number.MAX_SAFE_INTEGER,
            writers: plan.writers,
            maxInFlight: o.maxInFlight,
            write: t.write(w),
            perWrite: t.perWrite,
            counter: t.counter,
            pids: t.pids,
            drainMs: plan.drainMs,
            stallMs: plan.stallMs,
          }),
        );
      } finally {
        end?.();
        rec.end();
        w.close();
      }
      samples.get(t)!.push(s);
      await t.after?.();
    }
  }
  return new Map(
    targets.map((t) => [
      t,
      { ...mergeBlocks(mode, t.perWrite, blocks.get(t)!, samples.get(t)!), blocks: blocks.get(t)! },
    ]),
  );
}
