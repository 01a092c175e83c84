/**
 * Runs an import against the server: the batch endpoint's dry run in chunks of 1,000 (a few at a time),
 * then the writes in chunks of 1,000 (two at a time: the server commits concurrent batches in one group
 * commit) with progress and cancel. The live subscription is dropped meanwhile (the server then does not
 * send an event per imported record) and the table reloads once at the end.
 */
import { BATCH_LIMIT, batchErrors } from '../../../../shared/client/records-admin';
import { call } from '../../sdk';
import { toResourceError } from '../../store/resource';
import { suspendLive } from './actions';
import { adminFor } from './admin-client';
import { chunks, type RowFailure } from './import-plan';

/** Progress of a pass: rows done of all. */
export type Progress = (done: number, total: number) => void;

/** A cancel flag checked between chunks. */
export interface CancelToken {
  cancelled: boolean;
}

// note: a dry run writes nothing, so a few in flight keep the server busy while the browser sends the next.
const DRY_PARALLEL = 3;
// note: two writes in flight: one is parsed and validated while the other commits (group commit).
const WRITE_PARALLEL = 2;

async function pool<T>(
  items: T[],
  n: number,
  run: (item: T) => Promise<boolean | void>,
  cancel: CancelToken,
): Promise<void> {
  let next = 0;
  let stop = false;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length && !cancel.cancelled && !stop)
        if ((await run(items[next++]!)) === false) stop = true;
    }),
  );
}

/** Calls `fn` at most once per animation frame with the latest arguments (and once more at the end). */
function throttled(fn: Progress): Progress & { flush: () => void } {
  let pending: [number, number] | null = null;
  let frame = 0;
  const run = () => {
    frame = 0;
    if (pending) fn(...pending);
    pending = null;
  };
  const out = ((done: number, total: number) => {
    pending = [done, total];
    frame ||= requestAnimationFrame(run);
  }) as Progress & { flush: () => void };
  out.flush = () => {
    if (frame) cancelAnimationFrame(frame);
    run();
  };
  return out;
}

/** Checks every record; resolves to the failing ones, by index. */
export async function dryRunAll(
  collection: string,
  records: Record<string, unknown>[],
  progress: Progress,
  cancel: CancelToken,
): Promise<{ index: number; errors: Record<string, string> }[]> {
  const api = adminFor(collection);
  const failures: { index: number; errors: Record<string, string> }[] = [];
  const report = throttled(progress);
  let done = 0;
  await pool(
    chunks(records.length, BATCH_LIMIT),
    DRY_PARALLEL,
    async ([a, b]) => {
      const r = await call(() => api.dryRun(records.slice(a, b)));
      for (const e of r.errors) failures.push({ index: a + e.index, errors: e.errors });
      done += b - a;
      report(done, records.length);
    },
    cancel,
  );
  report.flush();
  return failures.sort((x, y) => x.index - y.index);
}

/** What an import came to. */
export interface ImportResult {
  imported: number;
  failures: RowFailure[];
  error?: string;
  cancelled: boolean;
}

/**
 * Writes the records in batches (two in flight); stops sending at the first failing batch or when
 * cancelled (a batch already sent completes and is counted; none is sent twice).
 */
export async function importAll(
  collection: string,
  records: Record<string, unknown>[],
  rowNumber: (i: number) => number,
  progress: Progress,
  cancel: CancelToken,
): Promise<ImportResult> {
  const api = adminFor(collection);
  const report = throttled(progress);
  let imported = 0;
  let failed: Omit<ImportResult, 'imported' | 'cancelled'> | undefined;
  suspendLive(true);
  try {
    await pool(
      chunks(records.length, BATCH_LIMIT),
      WRITE_PARALLEL,
      async ([a, b]) => {
        if (failed) return false;
        try {
          await call(() => api.createBatch(records.slice(a, b)));
        } catch (e) {
          const rows = batchErrors(e);
          failed ??= {
            failures: (rows ?? []).map((r) => ({ row: rowNumber(a + r.index), errors: r.errors })),
            error: toResourceError(e).message,
          };
          return false;
        }
        imported += b - a;
        report(imported, records.length);
        return true;
      },
      cancel,
    );
    report.flush();
    if (failed) return { imported, ...failed, cancelled: false };
    return { imported, failures: [], cancelled: cancel.cancelled && imported < records.length };
  } finally {
    suspendLive(false);
  }
}
