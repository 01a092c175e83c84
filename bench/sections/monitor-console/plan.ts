/** The bounds of the monitor-console section: a full run and a `--quick` smoke run. */
import type { BlockPlan } from '../../lib/fanout';

export interface OverheadPlan extends BlockPlan {
  /** Native WebSocket subscribers of the written collection. */
  subs: number;
  /** Waiting for a monitor page to be live and drawn (snapshot, first rows, two ticks for the charts). */
  pageReadyMs: number;
}

export interface ResponsivePlan {
  /** Open connections (most subscribed to a collection nobody writes). */
  conns: number;
  /** Of those, subscribers of the written collection (they receive every event). */
  witnesses: number;
  /** Events (created records) per second, written in batches of `batch` records. */
  rate: number;
  batch: number;
  ms: number;
  /** Batch writes outstanding at most; beyond, a tick of the open loop is skipped. */
  maxInFlight: number;
  /** Waiting for the page to show the last event once the writes are over. */
  catchUpMs: number;
  /** Bound on the whole read of the page's rows afterwards. */
  scanMs: number;
}

/** The Flow tab under load (the responsive part's connections). */
export interface FlowPlan {
  rate: number;
  batch: number;
  ms: number;
  maxInFlight: number;
}

export interface ExplainPlan {
  calls: number;
  /** Bound on the calls' total time. */
  ms: number;
}

export interface Plan {
  overhead: OverheadPlan;
  responsive: ResponsivePlan;
  flow: FlowPlan;
  explain: ExplainPlan;
}

export const FULL: Plan = {
  overhead: {
    subs: 1000,
    sampled: 20,
    rate: 25,
    fixedMs: 3000,
    maxCount: 300,
    maxMs: 3000,
    writers: 8,
    rounds: 4,
    warmup: 200,
    drainMs: 20_000,
    stallMs: 3000,
    settleMs: 500,
    pageReadyMs: 15_000,
  },
  responsive: {
    conns: 10_000,
    witnesses: 10,
    rate: 2000,
    batch: 20,
    ms: 30_000,
    maxInFlight: 64,
    catchUpMs: 15_000,
    scanMs: 240_000,
  },
  flow: { rate: 2000, batch: 20, ms: 10_000, maxInFlight: 64 },
  explain: { calls: 20, ms: 60_000 },
};

export const QUICK: Plan = {
  overhead: {
    subs: 100,
    sampled: 5,
    rate: 25,
    fixedMs: 800,
    maxCount: 60,
    maxMs: 800,
    writers: 4,
    rounds: 1,
    warmup: 20,
    drainMs: 5000,
    stallMs: 2000,
    settleMs: 100,
    pageReadyMs: 10_000,
  },
  responsive: {
    conns: 500,
    witnesses: 5,
    rate: 200,
    batch: 10,
    ms: 3000,
    maxInFlight: 16,
    catchUpMs: 5000,
    scanMs: 20_000,
  },
  flow: { rate: 200, batch: 10, ms: 2000, maxInFlight: 16 },
  explain: { calls: 5, ms: 10_000 },
};
