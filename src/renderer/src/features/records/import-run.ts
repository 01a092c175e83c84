/**
 * Runs an import against the server: the batch endpoint's dry run in chunks of 1,000 (two at a time),
 * then the writes in chunks of 1,000 with progress and cancel. Live events are ignored meanwhile and the
 * table reloads once at the end.
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

// note: two requests in flight keep the server busy while the browser sends the next chunk.
const PARALLEL = 2;

async function pool<T>(items: T[], n: number, run: (item: T) => Promise<void>, cancel: CancelToken) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length && !cancel.cancelled) await run(items[next++]!);
    }),
  );
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
  let done = 0;
  await pool(
    chunks(records.length, BATCH_LIMIT),
    PARALLEL,
    async ([a, b]) => {
      const r = await call(() => api.dryRun(records.slice(a, b)));
      for (const e of r.errors) failures.push({ index: a + e.index, errors: e.errors });
      done += b - a;
      progress(done, records.length);
    },
    cancel,
  );
  return failures.sort((x, y) => x.index - y.index);
}

/** What an import came to. */
export interface ImportResult {
  imported: number;
  failures: RowFailure[];
  error?: string;
  cancelled: boolean;
}

/** Writes the records in batches, in order; stops at the first failing batch or when cancelled. */
export async function importAll(
  collection: string,
  records: Record<string, unknown>[],
  rowNumber: (i: number) => number,
  progress: Progress,
  cancel: CancelToken,
): Promise<ImportResult> {
  const api = adminFor(collection);
  let imported = 0;
  suspendLive(true);
  try {
    for (const [a, b] of chunks(records.length, BATCH_LIMIT)) {
      if (cancel.cancelled) return { imported, failures: [], cancelled: true };
      try {
        await call(() => api.createBatch(records.slice(a, b)));
      } catch (e) {
        const rows = batchErrors(e);
        return {
          imported,
          failures: (rows ?? []).map((r) => ({ row: rowNumber(a + r.index), errors: r.errors })),
          error: toResourceError(e).message,
          cancelled: false,
        };
      }
      imported += b - a;
      progress(imported, records.length);
    }
    return { imported, failures: [], cancelled: false };
  } finally {
    suspendLive(false);
  }
}
