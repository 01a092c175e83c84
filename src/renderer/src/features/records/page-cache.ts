/**
 * The records table's window onto a big list: fixed-size pages fetched from the server by offset, a bounded
 * number kept (the farthest from the viewport evicted), and live changes applied in place. Pure: every
 * function returns a new cache and leaves its input alone, so the store can hold it and React can compare.
 *
 * Live changes keep the loaded run of pages exact where they can: an entering record is inserted where the
 * sort puts it and the rows after it move down one (across the contiguous pages that are loaded); a leaving
 * one is removed and the rows after it move up. Pages past the run would be off by one and are dropped;
 * pages that may be inexact are marked stale, kept on screen and fetched again. A record whose sort value
 * changed moves (it leaves its row and enters where it now sorts).
 *
 * Ties (records equal under the sort) are in creation order, following the direction of the sort: oldest
 * first ascending, newest first descending (the server orders by rowid after the sort key, in the sort's
 * direction). A newly created record is the newest, so it goes after its ties ascending and before them
 * descending; one entering the filter by an update has an unknown rank among its ties, so it goes after
 * them and its page is fetched again.
 */
import type { RecordData } from '../../../../shared/schema';

// note: 100 rows are ~3 screens at 36 px; small enough to answer in a few ms at any offset.
export const PAGE_SIZE = 100;
// note: 40 pages = 4,000 rows, a few MB at most, whatever the collection's size.
export const MAX_PAGES = 40;
// note: past this many entering or leaving records in one frame, refetching is cheaper than splicing.
export const BULK_CHANGES = 100;

/** The loaded pages of one query (collection, filter, sort) and its total. */
export interface PageCache {
  readonly pages: ReadonlyMap<number, readonly RecordData[]>;
  readonly total: number;
  /** Pages shown as they are but to be fetched again (a live change may have shifted them). */
  readonly stale: ReadonlySet<number>;
}

/** A sort as the list endpoint takes it (`-title` = by title, descending). */
export interface SortSpec {
  field: string;
  desc: boolean;
}

/** One live change as the table applies it. */
export type LiveChange =
  | { kind: 'patch'; record: RecordData }
  | {
      kind: 'enter';
      record: RecordData;
      /** A record just created (the newest), not an existing one entering the filter by an update. */
      created?: boolean;
    }
  | { kind: 'leave'; id: string; record?: RecordData; deleted?: boolean };

export const emptyCache: PageCache = { pages: new Map(), total: 0, stale: new Set() };

/** `"-title"` -> `{ field: 'title', desc: true }`. */
export function parseSort(raw: string): SortSpec {
  const desc = raw.startsWith('-');
  return { field: raw.replace(/^[-+]/, ''), desc };
}

/** The record at a row index, or undefined while its page loads. */
export function rowAt(cache: PageCache, index: number): RecordData | undefined {
  return cache.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
}

/** How many rows page `p` holds when complete. */
function expectedLength(total: number, p: number): number {
  return Math.max(0, Math.min(PAGE_SIZE, total - p * PAGE_SIZE));
}

/** The pages rows `from`..`to` (inclusive) need that are absent, short or stale. */
export function pagesToFetch(cache: PageCache, from: number, to: number): number[] {
  const out: number[] = [];
  const end = Math.min(to, cache.total - 1);
  if (end < from) return out;
  const last = Math.floor(end / PAGE_SIZE);
  for (let p = Math.max(0, Math.floor(from / PAGE_SIZE)); p <= last; p++) {
    const rows = cache.pages.get(p);
    if (!rows || rows.length < expectedLength(cache.total, p) || cache.stale.has(p)) out.push(p);
  }
  return out;
}

/** Stores a fetched page and the total it came with, evicting the pages farthest from `near` (a page). */
export function putPage(
  cache: PageCache,
  p: number,
  rows: readonly RecordData[],
  total: number,
  near = p,
): PageCache {
  const pages = new Map(cache.pages);
  pages.set(p, rows);
  // note: a changed total means rows moved under us; what else is held may be off, so refresh it lazily.
  const stale = new Set(total === cache.total ? cache.stale : pages.keys());
  stale.delete(p);
  if (pages.size > MAX_PAGES) {
    const far = [...pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
    for (const q of far.slice(0, pages.size - MAX_PAGES)) {
      pages.delete(q);
      stale.delete(q);
    }
  }
  return { pages, total, stale };
}

/** Orders two values as SQLite does for a column: NULL first, numbers and booleans by value, text by code point. */
function compareValues(a: unknown, b: unknown): number {
  const na = a === null || a === undefined;
  const nb = b === null || b === undefined;
  if (na || nb) return na && nb ? 0 : na ? -1 : 1;
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'number') return -1; // note: SQLite orders numbers before text.
  if (typeof y === 'number') return 1;
  const sx = typeof x === 'string' ? x : JSON.stringify(x);
  const sy = typeof y === 'string' ? y : JSON.stringify(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

/** Compares two records under a sort (0 for ties, which the server orders by creation). */
export function compareRecords(sort: SortSpec, a: RecordData, b: RecordData): number {
  const c = compareValues(a[sort.field], b[sort.field]);
  return sort.desc ? -c : c;
}

/** Where a record is among the loaded pages: its page and index in it. */
function locate(pages: ReadonlyMap<number, readonly RecordData[]>, id: string): [number, number] | undefined {
  for (const [p, rows] of pages) {
    const i = rows.findIndex((r) => r.id === id);
    if (i !== -1) return [p, i];
  }
  return undefined;
}

/** The loaded page numbers in order. */
const sortedKeys = (pages: ReadonlyMap<number, unknown>) => [...pages.keys()].sort((a, b) => a - b);

/** Drops the loaded pages after the contiguous run that starts at `p` (their offsets are now wrong). */
function dropAfterRun(pages: Map<number, readonly RecordData[]>, stale: Set<number>, p: number): number {
  let q = p;
  while (pages.has(q + 1)) q++;
  for (const k of [...pages.keys()])
    if (k > q) {
      pages.delete(k);
      stale.delete(k);
    }
  return q;
}

/** What applying a batch of changes did. */
export interface Applied {
  cache: PageCache;
  /** Rows inserted minus rows removed before `anchor`: scroll by this many rows to hold the view. */
  shift: number;
  /** Ids whose rows changed or appeared (to highlight). */
  touched: Set<string>;
}

/**
 * Applies one frame's live changes. `anchor` is the first visible row: changes above it shift the rows the
 * user is looking at, and the caller scrolls by `shift` rows so they stay put.
 */
export function applyChanges(
  cache: PageCache,
  changes: LiveChange[],
  sort: SortSpec,
  anchor: number,
): Applied {
  const pages = new Map(cache.pages);
  const stale = new Set(cache.stale);
  let total = cache.total;
  let shift = 0;
  const touched = new Set<string>();
  const moving = changes.filter((c) => c.kind !== 'patch').length;
  const bulk = moving > BULK_CHANGES;

  /** Inserts a record where the sort puts it (see the module comment for ties). */
  const enter = (r: RecordData, created: boolean): void => {
    total++;
    const keys = sortedKeys(pages);
    const goesBefore = (row: RecordData) => {
      const c = compareRecords(sort, r, row);
      return c < 0 || (c === 0 && created && sort.desc);
    };
    let spot: [number, number] | undefined;
    for (const p of keys) {
      const i = pages.get(p)!.findIndex(goesBefore);
      if (i !== -1) {
        spot = [p, i];
        break;
      }
    }
    if (!spot) {
      // After every loaded row: it shows only if the last loaded page is the list's end.
      const last = keys[keys.length - 1];
      const lastRows = last === undefined ? [] : pages.get(last)!;
      const end = last === undefined ? 0 : last * PAGE_SIZE + lastRows.length;
      if (end !== total - 1) return;
      if (last !== undefined && lastRows.length < PAGE_SIZE) spot = [last, lastRows.length];
      else spot = [last === undefined ? 0 : last + 1, 0];
      if (!pages.has(spot[0])) pages.set(spot[0], []);
    }
    const [p, i] = spot;
    if (i === 0 && p > 0 && !pages.has(p - 1)) stale.add(p); // note: it may belong on the page before.
    if (!created) {
      // Its rank among its ties is unknown here: the server's page says.
      const prev = i > 0 ? pages.get(p)![i - 1] : pages.get(p - 1)?.[PAGE_SIZE - 1];
      if (prev && compareRecords(sort, r, prev) === 0) {
        stale.add(p);
        if (i === 0 && pages.has(p - 1)) stale.add(p - 1);
      }
    }
    if (p * PAGE_SIZE + i < anchor) shift++;
    let carry: RecordData | undefined = r;
    let q = p;
    let at = i;
    while (carry && pages.has(q)) {
      const rows = [...pages.get(q)!];
      rows.splice(at, 0, carry);
      carry = rows.length > PAGE_SIZE ? rows.pop() : undefined;
      pages.set(q, rows);
      q++;
      at = 0;
    }
    dropAfterRun(pages, stale, p);
    touched.add(r.id);
  };

  /** Removes a record (loaded or not: `record` says where it sorted). */
  const leave = (id: string, record: RecordData | undefined): void => {
    const found = locate(pages, id);
    if (!found) {
      // Not loaded: the pages it sorted before move up one when fetched again (the view then follows).
      if (!record) return;
      total--;
      for (const p of sortedKeys(pages)) {
        const rows = pages.get(p)!;
        if (rows.length && compareRecords(sort, record, rows[rows.length - 1]!) <= 0) stale.add(p);
      }
      return;
    }
    total--;
    const [p, i] = found;
    if (p * PAGE_SIZE + i < anchor) shift--;
    let q = p;
    let rows = [...pages.get(q)!];
    rows.splice(i, 1);
    while (pages.has(q + 1)) {
      const next = [...pages.get(q + 1)!];
      const head = next.shift();
      if (head) rows.push(head);
      pages.set(q, rows);
      q++;
      rows = next;
    }
    pages.set(q, rows);
    dropAfterRun(pages, stale, p);
  };

  for (const ch of changes) {
    if (ch.kind === 'patch' || (ch.kind === 'enter' && locate(pages, ch.record.id))) {
      const at = locate(pages, ch.record.id);
      if (!at) continue;
      const old = pages.get(at[0])![at[1]]!;
      if (!bulk && compareRecords(sort, old, ch.record) !== 0) {
        // Its sort value changed: it moves to where it sorts now.
        leave(old.id, old);
        enter(ch.record, false);
        continue;
      }
      const rows = [...pages.get(at[0])!];
      rows[at[1]] = ch.record;
      pages.set(at[0], rows);
      touched.add(ch.record.id);
      continue;
    }
    if (bulk) {
      if (ch.kind === 'enter') total++;
      else if (locate(pages, ch.id) || ch.record) total--;
      continue;
    }
    if (ch.kind === 'enter') enter(ch.record, ch.created === true);
    else leave(ch.id, ch.record);
  }
  if (bulk) for (const p of pages.keys()) stale.add(p);
  return { cache: { pages, total: Math.max(0, total), stale }, shift, touched };
}

/** Turns a live event into a table change (`match` says how the record relates to the filter). */
export function toChange(event: {
  type: string;
  record_id?: string;
  data?: Record<string, unknown>;
  match?: 'enter' | 'stay' | 'leave';
}): LiveChange | undefined {
  const record = event.data as RecordData | undefined;
  const id = event.record_id ?? record?.id;
  if (!id) return undefined;
  if (event.type === 'record.deleted' || event.match === 'leave')
    return { kind: 'leave', id, ...(record ? { record } : {}), deleted: event.type === 'record.deleted' };
  if (!record) return undefined;
  if (event.type === 'record.created') return { kind: 'enter', record, created: true };
  if (event.match === 'enter') return { kind: 'enter', record };
  if (event.type === 'record.updated') return { kind: 'patch', record };
  return undefined;
}
