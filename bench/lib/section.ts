/** What a bench section is given and must provide, and the lines every section prints the same way. */
import { loadavg } from 'node:os';
import { fmt, renderTable, type Cell } from './table';

export interface BenchContext {
  /** Scaled-down bounds for a smoke run (`--quick`); figures are then not meaningful. */
  quick: boolean;
  /** Prints a line of the report. */
  print(line?: string): void;
}

export interface Section {
  /** What `--only` names. */
  name: string;
  /** One line for `--list`. */
  summary: string;
  run(ctx: BenchContext): Promise<void>;
}

/** The bounds for this run: `quick` under --quick (smoke bounds, figures not meaningful), else `full`. */
export function planFor<P>(ctx: BenchContext, full: P, quick: P): P {
  return ctx.quick ? quick : full;
}

/** The load average now (1, 5 and 15 minutes): how busy the shared machine is. */
export function loadNow(): string {
  return loadavg()
    .map((l) => fmt(l, 2))
    .join(' ');
}

/**
 * Prints the load average now at the section's `start` or `end`, then any notes
 * (`ensureNofile`'s line), separated by `; `.
 */
export function printLoad(ctx: BenchContext, when: 'start' | 'end', ...notes: string[]): void {
  ctx.print([`load average at section ${when}: ${loadNow()}`, ...notes].join('; '));
}

/** Prints a blank line, then the table (see {@link renderTable}). */
export function printTable(ctx: BenchContext, headers: string[], rows: Cell[][]): void {
  ctx.print('');
  ctx.print(renderTable(headers, rows));
}
