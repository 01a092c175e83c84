/**
 * A live window over a collection: a REST snapshot (the first `limit` records of a filtered, sorted
 * list) patched by events, kept in the server's order. Pure logic, no I/O: `liveCollection` feeds it.
 */
import type { RecordData } from '../schema';
import type { ClientEvent } from './types';

/** One `sort` key as the REST list takes it (`-field` descending). */
interface SortKey {
  field: string;
  desc: boolean;
}

/** `"-rank,title"` -> keys; no sort means the server's default order, `created_at` ascending. */
export function parseSort(sort: string | undefined): SortKey[] {
  const keys = (sort ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => ({ field: part.replace(/^[-+]/, ''), desc: part.startsWith('-') }));
  return keys.length ? keys : [{ field: 'created_at', desc: false }];
}

/** SQLite's storage classes in sort order: NULL, then numbers (bools are stored as 0/1), then text. */
function storageClass(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number' || typeof v === 'boolean') return 1;
  return 2;
}

/** Compares two field values as SQLite's `ORDER BY` does (json values are stored as their JSON text). */
export function compareValues(a: unknown, b: unknown): number {
  const ca = storageClass(a);
  const cb = storageClass(b);
  if (ca !== cb) return ca - cb;
  if (ca === 0) return 0;
  if (ca === 1) return Number(a) - Number(b);
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Compares two records by the sort keys (SQLite puts NULL first ascending, last descending). */
export function compareRecords(
  keys: SortKey[],
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): number {
  for (const k of keys) {
    const c = compareValues(a[k.field], b[k.field]);
    if (c !== 0) return k.desc ? -c : c;
  }
  return 0;
}

/** Whether a record event's record was in the subscriber's set before and after the change. */
interface Membership {
  before: boolean;
  after: boolean;
}

/**
 * Membership from a record event: the live-query `match` of a filtered subscription (enter, stay,
 * leave), else the event type. Null for anything that is not a record event.
 */
export function membership(event: ClientEvent): Membership | null {
  if (!event.type.startsWith('record.') || event.record_id === undefined) return null;
  switch (event.match) {
    case 'enter':
      return { before: false, after: true };
    case 'stay':
      return { before: true, after: true };
    case 'leave':
      return { before: true, after: false };
    default:
      break;
  }
  if (event.type === 'record.created') return { before: false, after: true };
  if (event.type === 'record.updated') return { before: true, after: true };
  return { before: true, after: false };
}

/** Options of a {@link LiveList}. */
interface LiveListOptions {
  /** The REST list's `sort`, e.g. `-rank,title`. */
  sort?: string;
  /** The window's size: only the first `limit` records are kept (all when absent). */
  limit?: number;
}

/**
 * The first `limit` records of a live query in sort order, and how many match in all. `reset` takes
 * a snapshot and the seq it reflects; `apply` patches it with an event and ignores events at or below
 * the last seq applied, so a snapshot plus the events buffered while it loaded adds up exactly once.
 *
 * A record's membership is read from the window when the window knows it (the record is in it, or the
 * window holds every member); only for records outside a partial window does the event's own
 * before/after count. So an event the snapshot already reflects changes nothing (applying a record's
 * state twice is idempotent), which makes seqs the snapshot may or may not include safe to apply.
 *
 * Items are immutable arrays: every change makes a new one (React compares by identity).
 */
export class LiveList<T extends RecordData = RecordData> {
  /** The window, in the server's order. */
  items: readonly T[] = [];
  /** How many records match in all (the list's `total_items`, kept current by events). */
  total = 0;
  /** Events at or below this seq are already reflected and are skipped. */
  seq = 0;
  private readonly keys: SortKey[];
  private readonly limit: number;
  /**
   * Creation ranks: the server breaks ties by rowid in the direction of the last sort key (newest
   * first descending), which a client cannot see; created_at, then the order records were seen in,
   * stands in for it. A snapshot's ties arrive in the server's order; records seen later are newer.
   */
  private ords = new Map<string, number>();
  private nextOrd = 0;
  /** -1 when the last sort key is descending (ties newest first), else 1. */
  private readonly tieDir: number;

  constructor(options: LiveListOptions = {}) {
    this.keys = parseSort(options.sort);
    this.tieDir = this.keys.at(-1)?.desc ? -1 : 1;
    this.limit = options.limit !== undefined && options.limit > 0 ? options.limit : Infinity;
  }

  /** Replaces the window with a snapshot that reflects every event up to `seq`. */
  reset(items: readonly T[], total: number, seq: number): void {
    this.items = items.slice(0, this.limit);
    this.total = Math.max(total, this.items.length);
    this.seq = seq;
    this.ords = new Map();
    // In list order: ascending ranks ascending, descending ranks descending (the first listed is the newest).
    this.items.forEach((r, i) => this.ords.set(r.id, i * this.tieDir));
    this.nextOrd = this.items.length;
  }

  /** Whether the window holds every matching record. */
  get complete(): boolean {
    return this.items.length >= this.total;
  }

  /** Whether records are missing from the window that only a reload can tell (after a delete or leave). */
  get needsRefill(): boolean {
    return this.items.length < Math.min(this.limit, this.total);
  }

  /** Applies one event; returns whether the window or the total changed. */
  apply(event: ClientEvent): boolean {
    const m = membership(event);
    if (!m) return false;
    if (event.seq !== undefined) {
      if (event.seq <= this.seq) return false;
      this.seq = event.seq;
    }
    const id = event.record_id!;
    const idx = this.items.findIndex((r) => r.id === id);
    const before = idx >= 0 ? true : this.complete ? false : m.before;
    const next = this.items.slice();
    if (idx >= 0) next.splice(idx, 1);
    const total = this.total - (before ? 1 : 0) + (m.after ? 1 : 0);
    if (m.after && event.data) {
      const record = event.data as T;
      if (!this.ords.has(id)) this.ords.set(id, this.nextOrd++);
      const pos = this.position(next, record);
      // note: past the window's end it belongs in the window only if no unseen member could sort before it.
      if (pos < next.length || total - 1 <= next.length) next.splice(pos, 0, record);
      if (next.length > this.limit) next.length = this.limit;
    }
    const changed = total !== this.total || idx >= 0 || next.length !== this.items.length || m.after;
    this.items = next;
    this.total = Math.max(total, next.length);
    return changed;
  }

  /** The index at which `record` goes: after every record that sorts before or with it. */
  private position(list: readonly T[], record: T): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(list[mid]!, record) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compare(a: T, b: T): number {
    return (
      compareRecords(this.keys, a, b) ||
      this.tieDir *
        (compareValues(a.created_at, b.created_at) || (this.ords.get(a.id) ?? 0) - (this.ords.get(b.id) ?? 0))
    );
  }
}
