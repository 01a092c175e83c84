/** Types for scripts/electronegativity.mjs (the Electron security gate), for the tests that import it. */
export interface Finding {
  check: string;
  file: string;
  line: number;
  severity: string;
  confidence: string;
  review: boolean;
}
export interface AcceptedFinding {
  check: string;
  file: string;
  count?: number;
  reason: string;
}
export declare const SCANNED: string[];
export declare function electronVersion(): string;
export declare function scan(opts?: { from?: string; files?: string[] }): Promise<Finding[]>;
export declare function triage<F extends { check: string; file: string }, A extends AcceptedFinding>(
  findings: F[],
  accepted: A[],
): { fresh: F[]; stale: A[] };
