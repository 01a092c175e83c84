/** The monitor section's tables: the variants' figures, what the watchers received, the ratios. */
import { MERGED_HEADERS, mergedCells, modeLabel, ms2, times, versusBase } from '../../lib/figures';
import { printTable, type BenchContext } from '../../lib/section';
import { fmt, int } from '../../lib/table';
import type { Turns } from '../../lib/turns';
import { LABEL, type Plan, type Variant } from './plan';
import type { WatcherCount } from './watcher';

/** One variant at one mode: its merged blocks and what its watchers saw. */
export interface Row {
  variant: Variant;
  mode: number | 'max';
  m: Turns;
  watch: WatcherCount;
}

/** Prints every table of the section. */
export function printTables(ctx: BenchContext, plan: Plan, rows: Row[]): void {
  const mode = (m: number | 'max') => modeLabel(m, plan.writers);
  printTable(
    ctx,
    ['variant', 'writes', ...MERGED_HEADERS, 'others CPU %'],
    rows.map((r) => [LABEL[r.variant], mode(r.mode), ...mergedCells(r.m), fmt(r.m.otherCpuPct, 0)]),
  );

  // What the watchers received.
  printTable(
    ctx,
    [
      'watcher',
      'writes',
      'writes in blocks',
      'events batches',
      'event summaries',
      'missed (notices)',
      'tick frames',
      'events summed in ticks',
      'other frames',
      'frames after resume',
      'server loop lag p99 ms (max tick)',
    ],
    rows
      .filter((r) => r.variant !== 'none')
      .map(({ variant, mode: md, m, watch: w }) => {
        const other = [...w.frames].filter(([t]) => t !== 'events' && t !== 'tick');
        return [
          LABEL[variant],
          mode(md),
          int(m.writesOk),
          int(w.batches),
          int(w.summaries),
          int(w.missed),
          int(w.ticks),
          int(w.tickEvents),
          other.map(([t, n]) => `${t} ${n}`).join(', ') || '-',
          variant === 'paused' ? int(w.afterResume) : '-',
          ms2(w.lagP99Ms),
        ];
      }),
  );

  // With / without, and the spread of that ratio over the rounds (pairs of blocks in the same round).
  const find = (v: Variant, md: number | 'max') => rows.find((r) => r.variant === v && r.mode === md)!.m;
  const out: string[][] = [];
  for (const md of [plan.rate, 'max'] as const) {
    const base = find('none', md);
    for (const v of ['watcher', 'paused'] as const) {
      const r = versusBase(find(v, md), base);
      out.push([
        `${LABEL[v]} / none`,
        mode(md),
        times(r.p50),
        times(r.p99),
        times(r.deliveredPerS),
        times(r.cpuPerWrite),
        r.deliveredRounds,
        r.cpuRounds,
      ]);
    }
  }
  printTable(
    ctx,
    [
      'ratio',
      'writes',
      'p50',
      'p99',
      'delivered/s',
      'server CPU/write',
      'delivered/s ratio per round (min-max)',
      'CPU/write ratio per round (min-max)',
    ],
    out,
  );
  ctx.print('(above 1 = higher with the watcher; delivered/s above 1 = more throughput with it)');
}
