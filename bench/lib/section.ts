/** What a bench section is given and must provide. */

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
