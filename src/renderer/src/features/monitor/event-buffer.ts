/**
 * The event stream's memory, outside the store (the store keeps a `version` that bumps once per frame): a
 * ring of the newest 50,000 summaries, the filtered view of it, and — while paused — a second ring that
 * keeps buffering so that resuming catches up without dropping anything.
 */
import type { MonitorEventSummary } from '../../../../shared/monitor';
import { Ring } from '../../store/ring';

// note: the brief's figure: the newest 50,000 events stay scrollable, whatever the rate.
export const EVENT_RING = 50_000;

/** What the event list shows: every field is optional; `text` searches ids, actor, trace and seq. */
export interface EventFilter {
  collection?: string;
  type?: string;
  account?: string;
  text?: string;
  /** A time range (epoch ms, inclusive), from dragging on a chart. */
  from?: number;
  to?: number;
}

/** Whether a filter narrows anything. */
export function isFiltering(f: EventFilter): boolean {
  return !!(f.collection || f.type || f.account || f.text || f.from !== undefined || f.to !== undefined);
}

/** Whether `e` passes `f`. */
export function eventMatches(f: EventFilter, e: MonitorEventSummary): boolean {
  if (f.collection && e.collection !== f.collection) return false;
  if (f.type && e.type !== f.type) return false;
  if (f.account && e.account !== f.account) return false;
  if (f.from !== undefined || f.to !== undefined) {
    const t = Date.parse(e.timestamp);
    if (f.from !== undefined && t < f.from) return false;
    if (f.to !== undefined && t > f.to) return false;
  }
  if (f.text) {
    const q = f.text.toLowerCase();
    const hay = [String(e.seq), e.record_id, e.actor, e.trace_id, e.collection, e.type];
    if (!hay.some((h) => h && h.toLowerCase().includes(q))) return false;
  }
  return true;
}

export class EventBuffer {
  readonly ring: Ring<MonitorEventSummary>;
  private view: Ring<MonitorEventSummary> | null = null;
  private pending: Ring<MonitorEventSummary>;
  private filter: EventFilter = {};
  /** Events paged from the event log, older than the ring's, newest first (and those passing the filter). */
  private older: MonitorEventSummary[] = [];
  private olderView: MonitorEventSummary[] = [];
  paused = false;
  /** The highest seq taken in (shown or pending). */
  lastSeq = 0;

  constructor(readonly capacity = EVENT_RING) {
    this.ring = new Ring(capacity);
    this.pending = new Ring(capacity);
  }

  /** Takes in a batch (seq order); while paused it waits in the pending ring. */
  add(events: readonly MonitorEventSummary[]): void {
    for (const e of events) {
      if (e.seq > this.lastSeq) this.lastSeq = e.seq;
      if (this.paused) this.pending.push(e);
      else this.show(e);
    }
  }

  private show(e: MonitorEventSummary): void {
    this.ring.push(e);
    if (this.view && eventMatches(this.filter, e)) this.view.push(e);
  }

  /** How many events arrived since the pause (every one; the pending ring keeps the newest 50,000). */
  get newCount(): number {
    return this.pending.total;
  }

  pause(): void {
    this.paused = true;
  }

  /** Shows everything that came while paused. */
  resume(): void {
    this.paused = false;
    for (let i = 0; i < this.pending.size; i++) this.show(this.pending.at(i)!);
    this.pending = new Ring(this.capacity);
  }

  /** The oldest seq held (ring or older pages); 0 when none. */
  get oldestSeq(): number {
    return this.older[this.older.length - 1]?.seq ?? this.ring.at(0)?.seq ?? 0;
  }

  /** Appends events older than any held (from the event log), keeping at most `capacity` of them. */
  addOlder(events: readonly MonitorEventSummary[]): void {
    const oldest = this.oldestSeq || Infinity;
    const fresh = events.filter((e) => e.seq < oldest).sort((a, b) => b.seq - a.seq);
    this.older.push(...fresh);
    this.olderView.push(...fresh.filter((e) => eventMatches(this.filter, e)));
    if (this.older.length > this.capacity) this.older.length = this.capacity;
    if (this.olderView.length > this.capacity) this.olderView.length = this.capacity;
  }

  setFilter(f: EventFilter): void {
    this.filter = f;
    this.olderView = this.older.filter((e) => eventMatches(f, e));
    if (!isFiltering(f)) {
      this.view = null;
      return;
    }
    this.view = new Ring(this.capacity);
    for (let i = 0; i < this.ring.size; i++) {
      const e = this.ring.at(i)!;
      if (eventMatches(f, e)) this.view.push(e);
    }
  }

  /** How many rows the list has now. */
  get size(): number {
    return (this.view ?? this.ring).size + this.olderView.length;
  }

  /** The i-th row, newest first (past the ring: the older pages). */
  row(i: number): MonitorEventSummary | undefined {
    const r = this.view ?? this.ring;
    return i < r.size ? r.at(r.size - 1 - i) : this.olderView[i - r.size];
  }

  /** The summary of `seq` if it is still held (shown or pending). */
  find(seq: number): MonitorEventSummary | undefined {
    for (const r of [this.ring, this.pending]) {
      // Seqs grow along the ring: binary search.
      let lo = 0;
      let hi = r.size - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const s = r.at(mid)!.seq;
        if (s === seq) return r.at(mid);
        if (s < seq) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    return this.older.find((e) => e.seq === seq);
  }

  clear(): void {
    this.ring.clear();
    this.ring.total = 0;
    this.pending = new Ring(this.capacity);
    this.view = this.view ? new Ring(this.capacity) : null;
    this.lastSeq = 0;
    this.older = [];
    this.olderView = [];
  }
}
