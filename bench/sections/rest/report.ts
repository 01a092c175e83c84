/** The rest section's cell formats and its per-phase cost table. */
import type { PhaseCost } from '../../lib/proc';
import type { Summary } from '../../lib/stats';
import { fmt, int, renderTable, type Cell } from '../../lib/table';
import type { LoopResult } from '../../lib/timing';

export const rate = (r: LoopResult): number => (r.ok / r.elapsedMs) * 1000;
export const ms2 = (n: number) => fmt(n, 2);

/** The headers of {@link latencyCells}. */
export const LATENCY_HEADERS = ['p50 ms', 'p95 ms', 'p99 ms', 'max ms'];

/** p50, p95, p99 and max of a latency summary, ms. */
export function latencyCells(s: Summary): Cell[] {
  return [ms2(s.p50), ms2(s.p95), ms2(s.p99), ms2(s.max)];
}

export interface CostRow {
  phase: string;
  cost: PhaseCost;
  ops: number;
}

export function costTable(rows: CostRow[]): string {
  return renderTable(
    [
      'phase',
      'wall s',
      'requests',
      'server CPU s (usr+sys)',
      'server CPU %',
      'CPU ms/req',
      'RSS end MiB',
      'RSS peak MiB',
      'client CPU s',
      'others CPU %',
    ],
    rows.map(({ phase, cost, ops }) => [
      phase,
      fmt(cost.wallMs / 1000, 1),
      int(ops),
      `${ms2((cost.serverUserMs + cost.serverSysMs) / 1000)} (${ms2(cost.serverUserMs / 1000)}+${ms2(cost.serverSysMs / 1000)})`,
      fmt(cost.serverCpuPct, 0),
      ops ? ms2((cost.serverUserMs + cost.serverSysMs) / ops) : '-',
      fmt(cost.serverRssEndMiB, 0),
      fmt(cost.serverRssPeakMiB, 0),
      ms2(cost.clientCpuMs / 1000),
      fmt(cost.otherCpuPct, 0),
    ]),
  );
}
