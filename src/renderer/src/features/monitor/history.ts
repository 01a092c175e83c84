/**
 * The event stream's history from the event log: the prefill when the monitor opens (the newest events
 * before the live ones, so the stream is not empty while the log is not), "Older", "go to" a seq or a time
 * (pages the log around it and scrolls there) and the range of seqs selected for a replay. Pages are
 * ranges of seqs merged into the event buffer, so nothing shows twice and events that arrive meanwhile
 * are never lost (they are above the live floor, the pages below it).
 *
 * Its state is a small zustand store of its own: the monitor slice (slice.ts) belongs to the feed.
 */
import { create } from 'zustand';
import type { MonitorHistory } from '../../../../shared/monitor-history';
import { formatDateTime } from '../../lib/format';
import { call } from '../../sdk';
import { patch, useAppStore } from '../../store';
import { toResourceError } from '../../store/resource';
import { setQuery } from '../../store/route';
import { toast } from '../../store/toasts';
import { monitor } from './api';
import type { HistoryGap } from './event-buffer';
import { parseGoTo, retainedRange, windowAround } from './history-model';
import { live } from './live-data';
import { fetchRange, PAGE } from './log-pages';
import type { MonitorState } from './slice';

// note: the prefill: enough to fill a screen several times over, one small page of the log.
export const PREFILL = 200;
// note: "Older" and a gap row's button page this many seqs at a time (the log's page size).
export { PAGE };

export interface HistoryState {
  prefill: 'idle' | 'loading' | 'done' | 'error';
  prefillError: string | null;
  /** A go-to or a page of the log is in flight. */
  paging: boolean;
  gotoError: string | null;
  /** Where the list scrolls next (`n` bumps, so the same seq scrolls again). */
  scrollTo: { seq: number; n: number } | null;
  /** The seqs selected for a replay, inclusive. */
  range: { from: number; to: number } | null;
  /** Where a shift-click range starts: the last row opened or moved to. */
  anchor: number | null;
}

const initial: HistoryState = {
  prefill: 'idle',
  prefillError: null,
  paging: false,
  gotoError: null,
  scrollTo: null,
  range: null,
  anchor: null,
};

export const useHistory = create<HistoryState>()(() => initial);
const set = useHistory.setState;

const message = (e: unknown) => toResourceError(e).message;
const bumpEvents = () =>
  patch('monitor', (m): Partial<MonitorState> => ({ eventsVersion: m.eventsVersion + 1 }));

/** Pages seqs `from`..`to` into the stream. */
async function load(from: number, to: number): Promise<void> {
  if (to < from) return;
  live.events.addRange(from, to, await fetchRange(from, to));
  bumpEvents();
}

const history = () => call(() => monitor().history());

/** Fills the stream with the newest events of the log below the live ones. */
export async function prefill(): Promise<void> {
  if (useHistory.getState().prefill === 'loading') return;
  set({ prefill: 'loading', prefillError: null });
  try {
    const h = await history();
    const top = live.events.liveFloor - 1;
    await load(Math.max(h.oldest_seq, top - PREFILL + 1), top);
    set({ prefill: 'done' });
  } catch (e) {
    set({ prefill: 'error', prefillError: message(e) });
  }
}

let watching = false;

/** Prefills whenever the feed goes live with nothing shown (opening the monitor, a reconnect that lost it). */
export function watchHistory(): void {
  if (watching) return;
  watching = true;
  const maybe = () => {
    if (useAppStore.getState().monitor.feed.status !== 'live') return;
    const h = useHistory.getState();
    const nothing = live.events.size === 0 && !live.events.hasHistory;
    if (h.prefill !== 'loading' && (h.prefill !== 'done' || nothing)) void prefill();
  };
  useAppStore.subscribe((s, p) => {
    const now = s.monitor.feed.status;
    if (now === p.monitor.feed.status) return;
    // The feed stopped (sign-out) and forgot the stream: start over.
    if (now === 'idle') set(initial);
    else if (now === 'live') maybe();
  });
  maybe();
}

/** Scrolls to `seq` and opens it; false (with the error set) when it is not in the list. */
function reveal(seq: number): boolean {
  if (!live.events.find(seq)) {
    set({ gotoError: `Seq ${seq.toLocaleString()} is not an event you can see (another account's).` });
    return false;
  }
  if (live.events.indexOf(seq) < 0) {
    set({ gotoError: `Seq ${seq.toLocaleString()} is hidden by the filters; clear them to see it.` });
    return false;
  }
  set((s) => ({ gotoError: null, anchor: seq, scrollTo: { seq, n: (s.scrollTo?.n ?? 0) + 1 } }));
  setQuery({ seq });
  return true;
}

/** The seq to go to for a moment, or an error in words. */
async function seqAt(time: number, h: MonitorHistory): Promise<number | string> {
  const when = formatDateTime(new Date(time).toISOString());
  if (h.oldest_at === null) return 'The event log is empty.';
  if (h.trimmed && time < Date.parse(h.oldest_at))
    return `${when} is before the oldest event kept. ${retainedRange(h)}`;
  const page = await call((sb) => sb.admin.events({ since_time: new Date(time).toISOString(), limit: 1 }));
  const first = page.events[0]?.seq ?? (page.next_since < page.last_seq ? page.next_since : undefined);
  if (first === undefined || (h.last_at !== null && time > Date.parse(h.last_at)))
    return `Nothing happened at or after ${when}: the newest event is seq ${h.last_seq.toLocaleString()}${h.last_at ? ` (${formatDateTime(h.last_at)})` : ''}.`;
  return first;
}

/** "Go to": pages the log to a seq or a moment and scrolls the list there. */
export async function goTo(text: string): Promise<boolean> {
  const target = parseGoTo(text);
  if ('error' in target) {
    set({ gotoError: target.error });
    return false;
  }
  if ('seq' in target && live.events.covers(target.seq) && live.events.find(target.seq))
    return reveal(target.seq);
  set({ paging: true, gotoError: null });
  try {
    const h = await history();
    let seq: number;
    if ('time' in target) {
      const at = await seqAt(target.time, h);
      if (typeof at === 'string') {
        set({ gotoError: at });
        return false;
      }
      seq = at;
    } else {
      seq = target.seq;
      if (seq > h.last_seq) {
        set({
          gotoError: `Seq ${seq.toLocaleString()} is beyond the event log: the last seq is ${h.last_seq.toLocaleString()}.`,
        });
        return false;
      }
      if (seq < h.oldest_seq) {
        set({ gotoError: `Seq ${seq.toLocaleString()} is no longer retained. ${retainedRange(h)}` });
        return false;
      }
    }
    if (!live.events.covers(seq)) {
      const w = windowAround(seq, h.oldest_seq, live.events.loadedAbove(seq) - 1);
      await load(w.from, w.to);
    }
    return reveal(seq);
  } catch (e) {
    set({ gotoError: message(e) });
    return false;
  } finally {
    set({ paging: false });
  }
}

/** Clears the go-to error (the field changed). */
export function clearGoToError(): void {
  if (useHistory.getState().gotoError) set({ gotoError: null });
}

/** Scrolls back past what is loaded: the {@link PAGE} seqs below the oldest, from the event log. */
export async function loadOlder(): Promise<void> {
  set({ paging: true });
  try {
    const h = await history();
    const bottom = live.events.oldestSeq || live.events.liveFloor;
    if (bottom <= h.oldest_seq) {
      toast(`No older events. ${retainedRange(h)}`);
      return;
    }
    await load(Math.max(h.oldest_seq, bottom - PAGE), bottom - 1);
  } catch (e) {
    toast(`Could not load older events: ${message(e)}`, 'error');
  } finally {
    set({ paging: false });
  }
}

/** Loads the oldest {@link PAGE} seqs of a gap row (going up from the page below it). */
export async function loadGap(gap: HistoryGap): Promise<void> {
  set({ paging: true });
  try {
    await load(gap.from, Math.min(gap.to, gap.from + PAGE - 1));
  } catch (e) {
    toast(`Could not load seqs ${gap.from}–${gap.to}: ${message(e)}`, 'error');
  } finally {
    set({ paging: false });
  }
}

/**
 * A row was clicked (or moved to with the keyboard): with shift, the range from the anchor to it is
 * selected and the row is not opened; without, it becomes the anchor and the range goes. True: open it.
 */
export function pickRow(seq: number, extend: boolean): boolean {
  const { anchor } = useHistory.getState();
  if (extend) {
    const from = anchor ?? seq;
    set({ anchor: from, range: { from: Math.min(from, seq), to: Math.max(from, seq) } });
    return false;
  }
  set({ anchor: seq, range: null });
  return true;
}

/** Sets the selected range from the replay bar's fields. */
export function selectRange(from: number, to: number): void {
  set({ range: { from: Math.min(from, to), to: Math.max(from, to) } });
}

export function clearRange(): void {
  set({ range: null });
}
