/** The cluster section's tables. */
import type { Merged } from '../../lib/fanout';
import { DELIVERY_HEADERS, deliveryCells, modeLabel as modeOf, ms2 } from '../../lib/figures';
import { printTable, type BenchContext } from '../../lib/section';
import { fmt, int } from '../../lib/table';

// note: the bound for edge CPU per delivered event against the single process.
const EDGE_TOLERANCE = 1.1;

/** What the tables need of the section's plan. */
export interface ReportPlan {
  subscribers: number[];
  rate: number;
  writers: number;
}

/** One system at one subscriber count and mode, its rounds merged. */
export interface Row {
  system: string;
  subs: number;
  mode: number | 'max';
  m: Merged;
}

const us = (cpuMs: number | undefined, per: number) =>
  per && cpuMs !== undefined ? (cpuMs * 1000) / per : NaN;
export const modeLabel = (mode: number | 'max', plan: ReportPlan): string => modeOf(mode, plan.writers);

/** Prints the rows, the CPU per write and per event, and the answers to the questions. */
export function printTables(ctx: BenchContext, plan: ReportPlan, rows: Row[]): void {
  printTable(
    ctx,
    ['system', 'subs', 'writes', 'writes/s', ...DELIVERY_HEADERS, 'max ms', 'others CPU %'],
    rows.map(({ system, subs, mode, m }) => [
      system,
      int(subs),
      modeLabel(mode, plan),
      int(m.writesPerS),
      ...deliveryCells(m),
      ms2(m.latency.max),
      fmt(m.otherCpuPct, 0),
    ]),
  );

  // CPU per write and per delivered event, by process.
  const find = (system: string, subs: number, mode: number | 'max') =>
    rows.find((r) => r.system === system && r.subs === subs && r.mode === mode)?.m;
  const costRows: (string | number)[][] = [];
  for (const subs of plan.subscribers)
    for (const mode of [plan.rate, 'max'] as const) {
      const s = find('single', subs, mode);
      const c = find('cluster', subs, mode);
      if (!s || !c) continue;
      const edgeMs = (c.cpuMs.edgeA ?? 0) + (c.cpuMs.edgeB ?? 0);
      costRows.push([
        int(subs),
        modeLabel(mode, plan),
        fmt(us(s.cpuMs.single, s.writesOk), 0),
        fmt(us(s.cpuMs.single, s.delivered), 2),
        fmt(us(c.cpuMs.primary, c.writesOk), 0),
        fmt(us(c.cpuMs.redis, c.writesOk), 0),
        `${fmt(us(c.cpuMs.edgeA, c.writesOk), 0)} / ${fmt(us(c.cpuMs.edgeB, c.writesOk), 0)}`,
        fmt(us(edgeMs, c.delivered), 2),
        fmt(us(edgeMs, c.delivered) / us(s.cpuMs.single, s.delivered), 2),
        fmt(us((s.cpuMs.single ?? 0) - (c.cpuMs.primary ?? 0) * (s.writesOk / c.writesOk), s.delivered), 2),
      ]);
    }
  printTable(
    ctx,
    [
      'subs',
      'writes',
      'single µs/write',
      'single µs/delivered',
      'primary µs/write',
      'redis µs/write',
      'edge A / B µs/write',
      'edges µs/delivered',
      'edges / single per delivered',
      'single minus primary µs/delivered',
    ],
    costRows,
  );
  ctx.print(
    '(µs of CPU, user + system, from /proc; "single minus primary" subtracts the primary\'s per-write',
  );
  ctx.print(' cost from the single process: roughly what its fan-out alone costs per delivered event)');

  // The questions, answered from the rows.
  const lo = Math.min(...plan.subscribers);
  const hi = Math.max(...plan.subscribers);
  const s = find('single', hi, plan.rate);
  const c = find('cluster', hi, plan.rate);
  const pLo = find('cluster', lo, plan.rate);
  const pLoMax = find('cluster', lo, 'max');
  const pHiMax = find('cluster', hi, 'max');
  const sMax = find('single', hi, 'max');
  const cMax = find('cluster', hi, 'max');
  if (!s || !c || !pLo || !pLoMax || !pHiMax || !sMax || !cMax) return;
  const perWrite = (m: Merged) => us(m.cpuMs.primary, m.writesOk);
  const edgeRatio = (cm: Merged, sm: Merged) =>
    us((cm.cpuMs.edgeA ?? 0) + (cm.cpuMs.edgeB ?? 0), cm.delivered) / us(sm.cpuMs.single, sm.delivered);
  const verdict = (ok: boolean) => (ctx.quick ? 'n/a (--quick)' : ok ? 'met' : 'MISSED');
  printTable(
    ctx,
    ['question', 'measured', 'verdict'],
    [
      [
        `delivered/s at ${int(hi)} subscribers, max rate: cluster vs single`,
        `${int(cMax.deliveredPerS)} vs ${int(sMax.deliveredPerS)} (${fmt(cMax.deliveredPerS / sMax.deliveredPerS, 2)}x)`,
        '-',
      ],
      [
        `latency the Redis hop adds at ${int(hi)} subscribers, ${plan.rate}/s (cluster - single)`,
        `p50 ${ms2(c.latency.p50 - s.latency.p50)} ms (${ms2(c.latency.p50)} vs ${ms2(s.latency.p50)}), ` +
          `p99 ${ms2(c.latency.p99 - s.latency.p99)} ms (${ms2(c.latency.p99)} vs ${ms2(s.latency.p99)})`,
        s.keptUp && c.keptUp ? '-' : 'not comparable: a system did not keep up',
      ],
      [
        `primary CPU per write does not grow with subscribers (${int(lo)} -> ${int(hi)}, ${plan.rate}/s)`,
        `${fmt(perWrite(pLo), 0)} -> ${fmt(perWrite(c), 0)} µs (${fmt(perWrite(c) / perWrite(pLo), 2)}x)`,
        verdict(perWrite(c) <= 1.2 * perWrite(pLo)),
      ],
      [
        `primary CPU per write, max rate (${int(lo)} -> ${int(hi)})`,
        `${fmt(perWrite(pLoMax), 0)} -> ${fmt(perWrite(pHiMax), 0)} µs (${fmt(perWrite(pHiMax) / perWrite(pLoMax), 2)}x)`,
        verdict(perWrite(pHiMax) <= 1.2 * perWrite(pLoMax)),
      ],
      [
        `edge CPU per delivered event within 10% of single's (${int(hi)} subscribers, ${plan.rate}/s)`,
        `${fmt(edgeRatio(c, s), 2)}x`,
        verdict(edgeRatio(c, s) <= EDGE_TOLERANCE),
      ],
      [
        `same, max rate`,
        `${fmt(edgeRatio(cMax, sMax), 2)}x`,
        verdict(edgeRatio(cMax, sMax) <= EDGE_TOLERANCE),
      ],
    ],
  );
}
