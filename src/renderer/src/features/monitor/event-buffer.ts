/**
 * The event stream's memory, outside the store (the store keeps a `version` that bumps once per frame): a
 * ring of the newest 50,000 summaries, the filtered view of it, and — while paused — a second ring that
 * keeps buffering so that resuming catches up without dropping anything. Below the ring, what was paged from
 * the event log (the prefill, "Older", a jump to a seq or time) is kept as ranges of seqs; where two ranges
 * do not meet, the list shows a gap row that says which seqs are not loaded.
 */
import { addFanout, type MonitorEventSummary } from '../../../../shared/monitor';
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

/** Seqs `from`..`to` (inclusive) that are in the log but not loaded here: one row of the list. */
export interface HistoryGap {
  from: number;
  to: number;
}

/** Seqs `from`..`to` paged from the event log: every event of them the caller may see, newest first. */
interface Segment {
  from: number;
  to: number;
  events: HeldEvent[];
}

type HistoryRow = HeldEvent | HistoryGap;
const isGap = (r: HistoryRow | undefined): r is HistoryGap => !!r && !('seq' in r);

/** The item with `seq` in a ring held in seq order (binary search), or undefined. */
function bySeq(r: Ring<HeldEvent>, seq: number): HeldEvent | undefined {
  let lo = 0;
  let hi = r.size - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = r.at(mid)!;
    if (e.seq === seq) return e;
    if (e.seq < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/**
 * An event as the stream holds it: the feed's summary, whose figures add up the fan-out of every instance in
 * `instances` (in a cluster each instance reports its own; one row shows them summed).
 */
export interface HeldEvent extends MonitorEventSummary {
  instances: string[];
}

/** Takes a summary in (as it came: the feed's or a log page's, owned by the caller) as a held event. */
export function toHeld(e: MonitorEventSummary): HeldEvent {
  const h = e as HeldEvent;
  h.instances ??= [e.instance];
  return h;
}

/**
 * Adds another instance's fan-out of the same event to the row held for it: the counts add up, the time is
 * the slowest instance's, `instances` lists them all. A repeat from an instance already counted is ignored.
 */
export function mergeInstances(into: HeldEvent, other: MonitorEventSummary): void {
  if (into.instances.includes(other.instance)) return;
  into.instances.push(other.instance);
  addFanout(into.fanout, other.fanout);
  into.fanout.micros = Math.max(into.fanout.micros, other.fanout.micros);
}

export class EventBuffer {
  readonly ring: Ring<HeldEvent>;
  private view: Ring<HeldEvent> | null = null;
  private pending: Ring<HeldEvent>;
  private filter: EventFilter = {};
  /** Ranges paged from the event log, below the ring, newest first and not overlapping. */
  private segments: Segment[] = [];
  /** The segments' rows as the list shows them (filtered), with a gap row where two do not meet. */
  private history: HistoryRow[] = [];
  paused = false;
  /** The highest seq taken in (shown or pending). */
  lastSeq = 0;

  constructor(readonly capacity = EVENT_RING) {
    this.ring = new Ring(capacity);
    this.pending = new Ring(capacity);
  }

  /**
   * Takes in a batch (seq order); while paused it waits in the pending ring. In a cluster every instance
   * reports its own fan-out of an event: a summary for a seq already held adds its figures to that row.
   */
  add(events: readonly MonitorEventSummary[]): void {
    for (const e of events) {
      const held =
        e.seq <= this.lastSeq ? (bySeq(this.ring, e.seq) ?? bySeq(this.pending, e.seq)) : undefined;
      if (held) {
        mergeInstances(held, e);
        continue;
      }
      if (e.seq > this.lastSeq) this.lastSeq = e.seq;
      if (this.paused) this.pending.push(toHeld(e));
      else this.show(toHeld(e));
    }
  }

  private show(e: HeldEvent): void {
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

  /**
   * The lowest seq the live part covers: the oldest in the ring (or the pending ring), else the one after
   * the last seq taken in. The log's pages go below it.
   */
  get liveFloor(): number {
    return Math.min(this.ring.at(0)?.seq ?? Infinity, this.pending.at(0)?.seq ?? Infinity, this.lastSeq + 1);
  }

  /** The oldest seq held (ring or the log's pages: the lowest seq paged); 0 when none. */
  get oldestSeq(): number {
    return this.segments.at(-1)?.from ?? this.ring.at(0)?.seq ?? 0;
  }

  /** Whether anything was paged from the event log. */
  get hasHistory(): boolean {
    return this.segments.length > 0;
  }

  /** Appends events older than any held (from the event log): they cover the seqs up to the oldest held. */
  addOlder(events: readonly MonitorEventSummary[]): void {
    const below = this.oldestSeq || this.liveFloor;
    const fresh = events.filter((e) => e.seq < below);
    if (fresh.length === 0) return;
    this.addRange(Math.min(...fresh.map((e) => e.seq)), below - 1, fresh);
  }

  /**
   * Takes in seqs `from`..`to` paged from the event log (`events`: the ones of them the caller may see).
   * Seqs the live part holds are left to it; ranges that meet or overlap merge; beyond `capacity` events
   * the oldest go.
   */
  addRange(from: number, to: number, events: readonly MonitorEventSummary[]): void {
    to = Math.min(to, this.liveFloor - 1);
    if (to < from) return;
    const inRange = events.filter((e) => e.seq >= from && e.seq <= to).map(toHeld);
    let merged: Segment = { from, to, events: inRange };
    const rest: Segment[] = [];
    for (const s of this.segments) {
      if (s.to + 1 < merged.from || merged.to + 1 < s.from) rest.push(s);
      else
        merged = {
          from: Math.min(s.from, merged.from),
          to: Math.max(s.to, merged.to),
          events: [...s.events, ...merged.events],
        };
    }
    const bySeq = new Map(merged.events.map((e) => [e.seq, e]));
    merged.events = [...bySeq.values()].sort((a, b) => b.seq - a.seq);
    this.segments = [...rest, merged].sort((a, b) => b.to - a.to);
    this.trim();
    this.rebuild();
  }

  /** Keeps at most `capacity` paged events: the oldest go (their range shrinks with them). */
  private trim(): void {
    let room = this.capacity;
    const kept: Segment[] = [];
    for (const s of this.segments) {
      if (room <= 0) break;
      if (s.events.length > room) {
        const events = s.events.slice(0, room);
        kept.push({ from: events.at(-1)!.seq, to: s.to, events });
        break;
      }
      kept.push(s);
      room -= s.events.length;
    }
    this.segments = kept;
  }

  private rebuild(): void {
    const rows: HistoryRow[] = [];
    this.segments.forEach((s, i) => {
      const above = this.segments[i - 1];
      if (above && above.from > s.to + 1) rows.push({ from: s.to + 1, to: above.from - 1 });
      for (const e of s.events) if (eventMatches(this.filter, e)) rows.push(e);
    });
    this.history = rows;
  }

  /** The seqs between the live part and the first page that are not loaded (the ring moved on, or a jump). */
  private topGap(): HistoryGap | null {
    const first = this.segments[0];
    const floor = this.liveFloor;
    return first && first.to < floor - 1 ? { from: first.to + 1, to: floor - 1 } : null;
  }

  setFilter(f: EventFilter): void {
    this.filter = f;
    this.rebuild();
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

  /** How many rows the list has now (events and gap rows). */
  get size(): number {
    return (this.view ?? this.ring).size + (this.topGap() ? 1 : 0) + this.history.length;
  }

  private item(i: number): HistoryRow | undefined {
    const r = this.view ?? this.ring;
    if (i < r.size) return r.at(r.size - 1 - i);
    let j = i - r.size;
    const gap = this.topGap();
    if (gap) {
      if (j === 0) return gap;
      j--;
    }
    return this.history[j];
  }

  /** The i-th row's event, newest first (undefined past the end and for a gap row). */
  row(i: number): HeldEvent | undefined {
    const r = this.item(i);
    return isGap(r) ? undefined : r;
  }

  /** The i-th row's gap, when it is one. */
  gapAt(i: number): HistoryGap | undefined {
    const r = this.item(i);
    return isGap(r) ? r : undefined;
  }

  /** The row index of `seq` as the list shows it now (-1: not shown, or filtered out). */
  indexOf(seq: number): number {
    const r = this.view ?? this.ring;
    let lo = 0;
    let hi = r.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = r.at(mid)!.seq;
      if (s === seq) return r.size - 1 - mid;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    const j = this.history.findIndex((h) => !isGap(h) && h.seq === seq);
    return j < 0 ? -1 : r.size + (this.topGap() ? 1 : 0) + j;
  }

  /** Whether `seq` lies in what is loaded: the live part or a page of the log (shown or not). */
  covers(seq: number): boolean {
    if (seq >= this.liveFloor && seq <= this.lastSeq) return true;
    return this.segments.some((s) => seq >= s.from && seq <= s.to);
  }

  /** The lowest loaded seq above `seq` (a page's first, or the live part's floor): where a page up to it meets. */
  loadedAbove(seq: number): number {
    let best = this.liveFloor;
    for (const s of this.segments) if (s.from > seq && s.from < best) best = s.from;
    return best;
  }

  /** The summary of `seq` if it is still held (shown or pending). */
  find(seq: number): HeldEvent | undefined {
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
    for (const s of this.segments)
      if (seq >= s.from && seq <= s.to) return s.events.find((e) => e.seq === seq);
    return undefined;
  }

  /** Held events with seqs `from`..`to` that pass the filter (for a selected range), oldest first. */
  between(from: number, to: number): HeldEvent[] {
    const out: HeldEvent[] = [];
    for (let i = this.size - 1; i >= 0; i--) {
      const e = this.row(i);
      if (e && e.seq >= from && e.seq <= to) out.push(e);
    }
    return out;
  }

  clear(): void {
    this.ring.clear();
    this.ring.total = 0;
    this.pending = new Ring(this.capacity);
    this.view = this.view ? new Ring(this.capacity) : null;
    this.lastSeq = 0;
    this.segments = [];
    this.history = [];
  }
}
