/**
 * What changes the records table: opening a query (collection, filter, sort), fetching the pages around
 * the viewport, the live subscription (events queued and applied once per animation frame), and the writes
 * (save with If-Match, create, delete, bulk). Components call these; they never fetch.
 */
import type { Unsubscribe } from '../../../../shared/client';
import type { Guarded } from '../../../../shared/client/records-admin';
import { etagOf } from '../../../../shared/client/records-admin';
import type { RecordData } from '../../../../shared/schema';
import { attempt, type Outcome } from '../../lib/outcome';
import { call, sdk } from '../../sdk';
import { patch, useAppStore } from '../../store';
import { toResourceError } from '../../store/resource';
import { toast } from '../../store/toasts';
import { adminFor } from './admin-client';
import {
  applyChanges,
  emptyCache,
  PAGE_SIZE,
  pagesToFetch,
  parseSort,
  putPage,
  toChange,
  type LiveChange,
} from './page-cache';
import { queryKey } from './query';
import { emptySelection, type Selection } from './slice';

interface Query {
  key: string;
  collection: string;
  filter: Record<string, unknown> | undefined;
  sort: string;
}

// note: rows fetched beyond the viewport on each side, so a short scroll finds them loaded.
const MARGIN_ROWS = 40;
// note: stale pages (shifted by live changes) are fetched again at most this often.
const STALE_REFETCH_MS = 500;

let q: Query | undefined;
const inflight = new Set<number>();
let view = { from: 0, to: 40 };
let off: Unsubscribe | undefined;
let offGap: (() => void) | undefined;
let queue: LiveChange[] = [];
let frame = 0;
let suspended = false;
let openId: string | null = null;
let lastStaleFetch = 0;
let staleTimer: ReturnType<typeof setTimeout> | undefined;
let onShift: ((rows: number) => void) | undefined;

const state = () => useAppStore.getState().records;

/** Opens a query; a query already open is kept (its pages stay). Starts the live subscription. */
export function openQuery(
  collection: string,
  filterText: string,
  filter: Record<string, unknown> | undefined,
  sort: string,
): void {
  const key = queryKey(collection, filterText, sort);
  if (q?.key === key && state().key === key) return;
  const sameFilter = q && q.collection === collection && JSON.stringify(q.filter) === JSON.stringify(filter);
  q = { key, collection, filter, sort };
  inflight.clear();
  queue = [];
  patch('records', (s) => ({
    key,
    cache: emptyCache,
    status: 'loading' as const,
    error: null,
    selection: sameFilter ? s.selection : emptySelection,
  }));
  if (!sameFilter) subscribe(q);
  offGap ??= sdk.onGap(() => reload());
  void ensureRows(view.from, view.to);
}

/** Closes the table: stops the live subscription and forgets the pages. */
export function closeQuery(): void {
  off?.();
  off = undefined;
  q = undefined;
  queue = [];
  if (frame) cancelAnimationFrame(frame);
  frame = 0;
  patch('records', { key: '', cache: emptyCache, status: 'idle', selection: emptySelection, remote: null });
}

function subscribe(query: Query): void {
  off?.();
  off = sdk.subscribe(
    query.collection,
    {
      ...(query.filter ? { filter: query.filter } : {}),
      events: ['record.created', 'record.updated', 'record.deleted'],
    },
    (event) => {
      if (suspended || q?.collection !== query.collection) return;
      const change = toChange(event);
      if (!change) return;
      queue.push(change);
      frame ||= requestAnimationFrame(flush);
    },
  );
  off.ready.catch((e: unknown) => {
    if (q === query) patch('records', { error: toResourceError(e) });
  });
}

/** Applies the queued live changes in one store update. */
function flush(): void {
  frame = 0;
  const changes = queue;
  queue = [];
  if (!q || !changes.length) return;
  const s = state();
  const { cache, shift, touched } = applyChanges(s.cache, changes, parseSort(q.sort), view.from);
  let remote = s.remote;
  if (openId) {
    for (const c of changes) {
      const id = c.kind === 'leave' ? c.id : c.record.id;
      if (id !== openId) continue;
      if (c.kind === 'leave' && c.deleted) remote = { record: null, deleted: true };
      else if (c.kind !== 'leave') remote = { record: c.record, deleted: false };
      else if (c.record) remote = { record: c.record, deleted: false };
    }
  }
  patch('records', { cache, flash: { ids: touched, seq: s.flash.seq + 1 }, remote });
  if (shift) onShift?.(shift);
  void ensureRows(view.from, view.to);
}

/** The view tells where it is (first and last visible row); pages around it are fetched. */
export async function ensureRows(from: number, to: number): Promise<void> {
  view = { from, to };
  const query = q;
  if (!query) return;
  const { cache, status } = state();
  let pages: number[];
  if (!cache.pages.size && status !== 'ready') pages = [Math.floor(from / PAGE_SIZE)];
  else
    pages = pagesToFetch(cache, Math.max(0, from - MARGIN_ROWS), Math.min(cache.total - 1, to + MARGIN_ROWS));
  const now = Date.now();
  const wait = STALE_REFETCH_MS - (now - lastStaleFetch);
  let deferred = false;
  for (const p of pages) {
    if (inflight.has(p)) continue;
    const held = cache.pages.get(p);
    const onlyStale =
      held && cache.stale.has(p) && held.length >= Math.min(PAGE_SIZE, cache.total - p * PAGE_SIZE);
    if (onlyStale && wait > 0) {
      deferred = true;
      continue;
    }
    if (onlyStale) lastStaleFetch = now;
    void fetchPage(query, p);
  }
  if (deferred && !staleTimer)
    staleTimer = setTimeout(() => {
      staleTimer = undefined;
      void ensureRows(view.from, view.to);
    }, wait);
}

async function fetchPage(query: Query, p: number): Promise<void> {
  inflight.add(p);
  try {
    const res = await call((sb) =>
      sb.records(query.collection).list({
        ...(query.filter ? { filter: query.filter } : {}),
        sort: query.sort,
        page: p + 1,
        per_page: PAGE_SIZE,
      }),
    );
    if (q !== query) return;
    const near = Math.floor(view.from / PAGE_SIZE);
    patch('records', (s) => ({
      cache: putPage(s.cache, p, res.items, res.total_items, near),
      status: 'ready' as const,
      error: null,
    }));
  } catch (e) {
    if (q === query) patch('records', { status: 'error', error: toResourceError(e) });
  } finally {
    if (q === query) inflight.delete(p);
  }
}

/** Fetches every held page again (after a gap, an import, a bulk write). */
export function reload(): void {
  patch('records', (s) => ({ cache: { ...s.cache, stale: new Set(s.cache.pages.keys()) } }));
  lastStaleFetch = 0;
  // note: an empty table holds no page to mark; the first page is asked for again in any case.
  const first = Math.floor(view.from / PAGE_SIZE);
  if (q && !inflight.has(first)) void fetchPage(q, first);
  void ensureRows(view.from, view.to);
}

/**
 * Drops the live subscription while a long write (an import) runs, so the server does not send an event per
 * written record; resuming subscribes again and reloads what is shown.
 */
export function suspendLive(on: boolean): void {
  if (on === suspended) return;
  suspended = on;
  if (on) {
    off?.();
    off = undefined;
    queue = [];
    return;
  }
  if (q && !off) subscribe(q);
  reload();
}

/** Registers how the view scrolls to hold its place when rows are inserted or removed above it. */
export function setShiftListener(fn: ((rows: number) => void) | undefined): void {
  onShift = fn;
}

/** Which record the editor has open (its live changes go to `remote`). */
export function setOpenRecord(id: string | null): void {
  if (id === openId) return;
  openId = id;
  patch('records', { remote: null });
}

/** Forgets a remote change once the editor took it in. */
export function clearRemote(): void {
  patch('records', { remote: null });
}

function applyLocal(change: LiveChange): void {
  if (!q) return;
  const s = state();
  const { cache } = applyChanges(s.cache, [change], parseSort(q.sort), view.from);
  patch('records', { cache });
}

/** Reads one record (the editor opens it from the server, not from a possibly stale row). */
export function loadRecord(collection: string, id: string): Promise<Outcome<RecordData>> {
  return attempt(() => call((sb) => sb.records(collection).get(id)));
}

/** Saves changes guarded by the version the editor read; a 412 comes back as a conflict. */
export async function saveRecord(
  collection: string,
  base: RecordData,
  changes: Record<string, unknown>,
): Promise<Outcome<Guarded<RecordData>>> {
  const r = await attempt(() => call(() => adminFor(collection).update(base.id, changes, etagOf(base))));
  if (r.ok && r.value.ok) {
    applyLocal({ kind: 'patch', record: r.value.value });
    toast('Record saved.');
  }
  return r;
}

/** Creates a record. */
export async function createRecord(
  collection: string,
  values: Record<string, unknown>,
): Promise<Outcome<RecordData>> {
  const r = await attempt(() => call((sb) => sb.records(collection).create(values)));
  if (r.ok) {
    applyLocal({ kind: 'enter', record: r.value, created: true });
    toast('Record created.');
  }
  return r;
}

/** Deletes a record if it is still the version shown. */
export async function deleteRecord(collection: string, rec: RecordData): Promise<Outcome<Guarded<void>>> {
  const r = await attempt(() => call(() => adminFor(collection).delete(rec.id, etagOf(rec))));
  if (r.ok && r.value.ok) {
    applyLocal({ kind: 'leave', id: rec.id, record: rec });
    toast('Record deleted.');
  }
  return r;
}

// note: the filter language takes at most 1,000 values per `$in`.
const IN_LIMIT = 1000;

/** The filters that name the selected records: the current filter for "all", else ids in chunks. */
export function selectionFilters(
  sel: Selection,
  filter: Record<string, unknown> | undefined,
): Record<string, unknown>[] {
  if (sel.all) return [filter ?? {}];
  const ids = [...sel.ids];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < ids.length; i += IN_LIMIT) out.push({ id: { $in: ids.slice(i, i + IN_LIMIT) } });
  return out;
}

/** Deletes the selected records; resolves to how many went. */
export async function bulkDelete(
  collection: string,
  filters: Record<string, unknown>[],
): Promise<Outcome<number>> {
  const r = await attempt(async () => {
    let n = 0;
    for (const f of filters) n += await call(() => adminFor(collection).bulkDelete(f));
    return n;
  });
  if (r.ok) {
    patch('records', { selection: emptySelection });
    toast(`${r.value.toLocaleString()} record${r.value === 1 ? '' : 's'} deleted.`);
    reload();
  }
  return r;
}

/** Sets one field on the selected records; resolves to how many changed. */
export async function bulkUpdate(
  collection: string,
  filters: Record<string, unknown>[],
  fields: Record<string, unknown>,
): Promise<Outcome<number>> {
  const r = await attempt(async () => {
    let n = 0;
    for (const f of filters) n += await call(() => adminFor(collection).bulkUpdate(f, fields));
    return n;
  });
  if (r.ok) {
    toast(`${r.value.toLocaleString()} record${r.value === 1 ? '' : 's'} updated.`);
    reload();
  }
  return r;
}

/** Downloads the current filter and sort as CSV through the streamed export (a plain link with the token). */
export async function exportCsv(
  collection: string,
  filter: Record<string, unknown> | undefined,
  sort: string,
): Promise<void> {
  // note: a cheap call first, so an expired access token is renewed before it goes into the link.
  const r = await attempt(() => call((sb) => sb.records(collection).list({ per_page: 1 })));
  if (!r.ok) {
    toast(`Export failed: ${r.error.message}`, 'error');
    return;
  }
  const a = document.createElement('a');
  a.href = adminFor(collection).exportUrl({
    format: 'csv',
    ...(filter ? { filter } : {}),
    sort,
    withToken: true,
  });
  a.download = '';
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

/** Changes the selection (checkbox clicks, shift ranges, "all matching"). */
export function setSelection(selection: Selection): void {
  patch('records', { selection });
}

/** Records of a relation's target collection whose id or first text field contains `text` (the picker). */
export async function searchRelation(
  collection: string,
  labelField: string | undefined,
  text: string,
): Promise<Outcome<RecordData[]>> {
  const t = text.trim();
  const filter = t
    ? {
        $or: [{ id: { $containsfold: t } }, ...(labelField ? [{ [labelField]: { $containsfold: t } }] : [])],
      }
    : undefined;
  return attempt(
    async () =>
      (
        await call((sb) =>
          sb.records(collection).list({ ...(filter ? { filter } : {}), per_page: 20, sort: '-created_at' }),
        )
      ).items,
  );
}
