/**
 * The figures of merged blocks (see takeTurns) as the sections that compare variants on one
 * server print them: a line per variant and mode, the columns of their tables, and the
 * per-round ratios. The monitor and monitor-console sections share them; the cluster
 * section's table its delivery columns.
 */
import type { BlockResult, Merged } from './fanout';
import type { BenchContext } from './section';
import { fmt, int } from './table';

/** Milliseconds with two decimals. */
export const ms2 = (n: number): string => fmt(n, 2);
/** a / b; NaN when b is 0. */
export const ratio = (a: number, b: number): number => (b ? a / b : NaN);
/** A ratio as `1.02x`. */
export const times = (r: number): string => `${fmt(r, 2)}x`;

/** `fixed 100/s` or `max, 8 writers`. */
export const modeLabel = (mode: number | 'max', writers: number): string =>
  mode === 'max' ? `max, ${writers} writers` : `fixed ${mode}/s`;

/** The server's CPU ms per acknowledged write. */
export const cpuPerWrite = (m: { cpuMs: Record<string, number>; writesOk: number }): number =>
  m.writesOk ? (m.cpuMs.server ?? 0) / m.writesOk : NaN;

/** The server's CPU µs per delivered event. */
export const cpuPerDelivered = (m: Merged): number =>
  m.delivered ? ((m.cpuMs.server ?? 0) * 1000) / m.delivered : NaN;

/** The server's CPU as % of one core over the blocks. */
const serverPct = (m: Merged) => ((m.cpuMs.server ?? 0) / m.wallMs) * 100;

/** Prints one variant's merged blocks on a line, and their failures if any. */
export function printMerged(ctx: BenchContext, label: string, m: Merged): void {
  ctx.print(
    `  ${label}: ${int(m.writesOk)} writes (${int(m.writesPerS)}/s), ` +
      `${int(m.delivered)}/${int(m.expected)} delivered, p50 ${ms2(m.latency.p50)} p99 ${ms2(m.latency.p99)} ms, ` +
      `server CPU ${fmt(serverPct(m), 0)}%, others ${fmt(m.otherCpuPct, 0)}%`,
  );
  if (m.failed) ctx.print(`    failures: ${m.failures.join(' | ')}`);
}

/** The headers of {@link deliveryCells}. */
export const DELIVERY_HEADERS = ['kept up', 'delivered', 'delivered/s', 'p50 ms', 'p95 ms', 'p99 ms'];

/** Whether a fixed rate kept up, what was delivered of what was due, how fast, and the latency. */
export function deliveryCells(m: Merged): string[] {
  return [
    m.keptUp === undefined ? '-' : m.keptUp ? 'yes' : 'NO',
    `${int(m.delivered)}/${int(m.expected)}`,
    int(m.deliveredPerS),
    ms2(m.latency.p50),
    ms2(m.latency.p95),
    ms2(m.latency.p99),
  ];
}

/** The headers of {@link mergedCells}. */
export const MERGED_HEADERS = [
  'ok',
  'writes/s',
  ...DELIVERY_HEADERS,
  'samples',
  'server CPU %',
  'server CPU ms/write',
  'server µs/delivered',
];

/** A variant table's cells for merged blocks, after its variant and mode columns. */
export function mergedCells(m: Merged): string[] {
  return [
    int(m.writesOk),
    int(m.writesPerS),
    ...deliveryCells(m),
    int(m.latency.n) + (m.bad ? ` (${m.bad} bad)` : ''),
    fmt(serverPct(m), 0),
    fmt(cpuPerWrite(m), 3),
    fmt(cpuPerDelivered(m), 2),
  ];
}

/** A variant against the base variant at one mode: the ratios of their merged blocks. */
export interface VersusBase {
  p50: number;
  p99: number;
  deliveredPerS: number;
  cpuPerWrite: number;
  /** delivered/s and server CPU per write, per round (blocks of the same round paired), `min-max`. */
  deliveredRounds: string;
  cpuRounds: string;
}

/** Merged blocks and the blocks themselves, in round order (what takeTurns returns). */
type WithBlocks = Merged & { blocks: BlockResult[] };

/** `r` against `base` (the same mode, the same rounds). */
export function versusBase(r: WithBlocks, base: WithBlocks): VersusBase {
  const range = (rs: number[]) => `${fmt(Math.min(...rs), 2)}-${fmt(Math.max(...rs), 2)}`;
  const perRound = (f: (b: BlockResult) => number) =>
    range(r.blocks.map((b, i) => ratio(f(b), f(base.blocks[i]!))));
  return {
    p50: ratio(r.latency.p50, base.latency.p50),
    p99: ratio(r.latency.p99, base.latency.p99),
    deliveredPerS: ratio(r.deliveredPerS, base.deliveredPerS),
    cpuPerWrite: ratio(cpuPerWrite(r), cpuPerWrite(base)),
    deliveredRounds: perRound((b) => b.delivered / b.spanMs),
    cpuRounds: perRound((b) => cpuPerWrite({ cpuMs: b.cpuMs, writesOk: b.writes.ok })),
  };
}
