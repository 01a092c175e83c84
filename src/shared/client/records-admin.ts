/**
 * Record helpers an admin console needs beyond plain CRUD (docs/rest.md): writes guarded by `If-Match`
 * that answer a typed conflict instead of throwing on 412, batch create with its dry run, the
 * filter-based bulk update and delete, and the streamed export's URL. Environment-neutral, like the SDK.
 *
 * ```ts
 * const ra = recordsAdmin({ url, token: () => sb.token }, 'posts');
 * const r = await ra.update(rec.id, { title: 'x' }, etagOf(rec));
 * if (!r.ok) showConflict(r.current); // someone saved first
 * ```
 */
import type { RecordData } from '../schema';
import { ApiError, requestJson, type HttpContext, type ListParams } from './rest';
import type { FetchLike } from './types';

/** A record's version tag as the server sends it in `ETag`: its `updated_at`, quoted. */
export function etagOf(record: Pick<RecordData, 'updated_at'>): string {
  return `"${record.updated_at}"`;
}

/** A guarded write's outcome: done, or refused with 412 because the record changed since it was read. */
export type Guarded<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      conflict: true;
      /** The record as it is now; absent when the caller may not view it. */
      current?: RecordData;
      /** The current tag, to overwrite on purpose. */
      etag?: string;
      message: string;
    };

/** One failing row of a batch: its index in the batch and field -> message (`_rule` for the create rule). */
export interface BatchRowErrors {
  index: number;
  errors: Record<string, string>;
}

/** A dry run's answer: how many rows would be written, and which would not. */
export interface DryRunResult {
  valid: number;
  errors: BatchRowErrors[];
}

/** The filter-based bulk writes name their records with a filter; `{}` means every record. */
export type BulkFilter = Record<string, unknown>;

/** What an export streams: the list endpoint's filter, sort and select, as CSV or JSON. */
export interface ExportParams extends Pick<ListParams, 'filter' | 'sort' | 'select'> {
  format?: 'csv' | 'json';
  /** Put the token in the URL (`?token=`), for a plain download link that cannot send headers. */
  withToken?: boolean;
}

/** The admin record helpers bound to one collection. */
export interface RecordsAdminApi {
  /** `PATCH …/records/{id}` with `If-Match: etag`; a 412 resolves to a conflict with the current record. */
  update(id: string, fields: Record<string, unknown>, etag: string): Promise<Guarded<RecordData>>;
  /** `DELETE …/records/{id}` with `If-Match: etag`; a 412 resolves to a conflict. */
  delete(id: string, etag: string): Promise<Guarded<void>>;
  /** `POST …/records/batch`: 1 to 1,000 records in one transaction (a 400 lists failing rows in `details.errors`). */
  createBatch(records: Record<string, unknown>[]): Promise<RecordData[]>;
  /** The batch endpoint's dry run: nothing is written, every failing row is reported. */
  dryRun(records: Record<string, unknown>[]): Promise<DryRunResult>;
  /** `PATCH …/records?filter=`: sets `fields` on every record the filter names; resolves to the count. */
  bulkUpdate(filter: BulkFilter, fields: Record<string, unknown>): Promise<number>;
  /** `DELETE …/records?filter=`: deletes every record the filter names; resolves to the count. */
  bulkDelete(filter: BulkFilter): Promise<number>;
  /** The streamed export's absolute URL for the current filter and sort. */
  exportUrl(params?: ExportParams): string;
}

/** Where the server is and which token to send; `fetch` defaults to the global one. */
export interface RecordsAdminContext {
  url: string | (() => string);
  token: () => string | undefined;
  fetch?: FetchLike;
}

/** The failing rows of a batch's 400, or undefined when the error is something else. */
export function batchErrors(e: unknown): BatchRowErrors[] | undefined {
  if (!(e instanceof ApiError) || e.status !== 400) return undefined;
  const errors = e.details?.errors;
  return Array.isArray(errors) ? (errors as BatchRowErrors[]) : undefined;
}

// note: the batch endpoint's own cap (MAX_BATCH on the server); callers split bigger imports.
export const BATCH_LIMIT = 1000;

/** Builds the helpers for `collection`. */
export function recordsAdmin(context: RecordsAdminContext, collection: string): RecordsAdminApi {
  const fetchImpl: FetchLike | undefined =
    context.fetch ?? (globalThis.fetch ? globalThis.fetch.bind(globalThis) : undefined);
  if (!fetchImpl) throw new Error('no fetch: pass context.fetch');
  const baseUrl = () => (typeof context.url === 'function' ? context.url() : context.url);
  const ctx: HttpContext = { baseUrl, token: context.token, fetch: fetchImpl };
  const base = `/api/v1/collections/${encodeURIComponent(collection)}/records`;
  const one = (id: string) => `${base}/${encodeURIComponent(id)}`;
  const filterQs = (filter: BulkFilter) => `?filter=${encodeURIComponent(JSON.stringify(filter))}`;
  // note: requestJson sends no extra headers; an If-Match request goes through a fetch that adds it.
  const withIfMatch = (etag: string): HttpContext => ({
    ...ctx,
    fetch: (input, init) =>
      fetchImpl(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), 'if-match': etag },
      }),
  });
  const guarded = async <T>(run: () => Promise<T>): Promise<Guarded<T>> => {
    try {
      return { ok: true, value: await run() };
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 412) throw e;
      const current = e.details?.current as RecordData | undefined;
      const etag = typeof e.details?.etag === 'string' ? e.details.etag : undefined;
      return {
        ok: false,
        conflict: true,
        ...(current ? { current } : {}),
        ...(etag ? { etag } : {}),
        message: e.message,
      };
    }
  };
  return {
    update: (id, fields, etag) =>
      guarded(() => requestJson<RecordData>(withIfMatch(etag), 'PATCH', one(id), fields)),
    delete: (id, etag) => guarded(() => requestJson<void>(withIfMatch(etag), 'DELETE', one(id))),
    async createBatch(records) {
      return (await requestJson<{ items: RecordData[] }>(ctx, 'POST', `${base}/batch`, { records })).items;
    },
    dryRun: (records) => requestJson<DryRunResult>(ctx, 'POST', `${base}/batch`, { records, dry_run: true }),
    async bulkUpdate(filter, fields) {
      return (await requestJson<{ updated: number }>(ctx, 'PATCH', base + filterQs(filter), fields)).updated;
    },
    async bulkDelete(filter) {
      return (await requestJson<{ deleted: number }>(ctx, 'DELETE', base + filterQs(filter))).deleted;
    },
    exportUrl(params = {}) {
      const q = new URLSearchParams();
      q.set('format', params.format ?? 'csv');
      if (params.filter !== undefined) {
        const f = typeof params.filter === 'string' ? params.filter : JSON.stringify(params.filter);
        if (f && f !== '{}') q.set('filter', f);
      }
      if (params.sort) q.set('sort', params.sort);
      if (params.select?.length) q.set('select', params.select.join(','));
      const token = context.token();
      if (params.withToken && token) q.set('token', token);
      return new URL(`${base}/export?${q.toString()}`, baseUrl()).toString();
    },
  };
}
