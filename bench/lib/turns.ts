/**
 * Measured blocks of writes taken in turns: for one mode, `plan.rounds` rounds in which every
 * target runs one block, so a burst of other work on the shared machine lands on all of them;
 * then each target's blocks merged. The loop the dialects and cluster sections share.
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
}

/** What differs between the sections: writes per max-rate block and the fixed-rate writers' connections. */
export interface TurnOptions {
  maxCount: number;
  fixedConns: number;
  maxInFlight: number;
}

/** Runs `mode` in turns over `targets` (see the module comment) and returns each target's merged blocks. */
export async function takeTurns<T extends TurnTarget>(
  plan: BlockPlan,
  mode: number | 'max',
  targets: T[],
  rec: LatencyRecorder,
  o: TurnOptions,
): Promise<Map<T, Merged>> {
  const blocks = new Map<T, BlockResult[]>(targets.map((t) => [t, []]));
  const samples = new Map<T, { lat: number[]; bad: number }[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < plan.rounds; round++) {
    for (const t of targets) {
      await sleep(plan.settleMs);
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
        rec.end();
        w.close();
      }
      samples.get(t)!.push(s);
    }
  }
  return new Map(targets.map((t) => [t, mergeBlocks(mode, t.perWrite, blocks.get(t)!, samples.get(t)!)]));
}
