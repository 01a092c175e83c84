/**
 * The event stream: a virtualized grid over the event buffer, newest first (only the rows in view are in
 * the DOM, so 50,000 events scroll like 50). Arrows move, Enter opens; Shift+click or Shift+arrows select
 * a range of seqs (to replay). Where pages of the event log do not meet, a gap row says which seqs are not
 * loaded and loads them. When scrolled away from the top, new events do not push the rows being read.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import type { HeldEvent, HistoryGap } from './event-buffer';
import { loadGap, pickRow, useHistory } from './history';
import { live } from './live-data';
import { clockMs, fanoutLine } from './format';

const ROW_H = 32;

export function EventList({ openSeq, onOpen }: { openSeq: number | null; onOpen: (seq: number) => void }) {
  // The version is what makes this re-render once per frame with new events.
  const version = useAppStore((s) => s.monitor.eventsVersion);
  const { range, scrollTo, paging } = useHistory(
    useShallow((s) => ({ range: s.range, scrollTo: s.scrollTo, paging: s.paging })),
  );
  const size = live.events.size;
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const prev = useRef({ size, newest: live.events.row(0)?.seq ?? 0 });
  const virtualizer = useVirtualizer({
    count: size,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 12,
  });

  useLayoutEffect(() => {
    const el = scroller.current;
    const newest = live.events.row(0)?.seq ?? 0;
    const before = prev.current;
    prev.current = { size, newest };
    // note: the virtualizer's offset (from scroll events), not el.scrollTop: reading that here forced a layout per update.
    if (!el || (virtualizer.scrollOffset ?? 0) === 0 || newest <= before.newest) return;
    // Rows were added on top: keep the ones being read in place.
    let added = 0;
    while (added < size && (live.events.row(added)?.seq ?? 0) > before.newest) added++;
    el.scrollTop += added * ROW_H;
    setActive((a) => a + added);
  }, [version, size]);

  // "Go to": the row is loaded by now; bring it into the middle of the view.
  useEffect(() => {
    if (!scrollTo) return;
    const i = live.events.indexOf(scrollTo.seq);
    if (i < 0) return;
    setActive(i);
    virtualizer.scrollToIndex(i, { align: 'center' });
  }, [scrollTo]);

  const openRef = useRef(onOpen);
  openRef.current = onOpen;
  const onRowOpen = useCallback((i: number, seq: number, extend: boolean) => {
    setActive(i);
    if (pickRow(seq, extend)) openRef.current(seq);
  }, []);
  const move = (to: number, extend = false) => {
    const i = Math.max(0, Math.min(size - 1, to));
    setActive(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
    const e = live.events.row(i);
    if (e) pickRow(e.seq, extend);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = 10;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1, e.shiftKey),
      ArrowUp: () => move(active - 1, e.shiftKey),
      PageDown: () => move(active + page, e.shiftKey),
      PageUp: () => move(active - page, e.shiftKey),
      Home: () => move(0, e.shiftKey),
      End: () => move(size - 1, e.shiftKey),
      Enter: () => {
        const r = live.events.row(active);
        const gap = live.events.gapAt(active);
        if (r) onOpen(r.seq);
        else if (gap) void loadGap(gap);
      },
    };
    const run = keys[e.key];
    if (!run) return;
    e.preventDefault();
    run();
  };

  return (
    <div
      ref={scroller}
      className="mon-grid mon-events"
      role="grid"
      aria-label="Events"
      aria-multiselectable="true"
      aria-rowcount={size + 1}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="event-list"
      data-count={size}
    >
      <div className="mon-row mon-head" role="row">
        {['Time', 'Seq', 'Type', 'Collection', 'Record', 'Account', 'Fan-out', 'µs'].map((h) => (
          <div key={h} role="columnheader" className="mon-cell">
            {h}
          </div>
        ))}
      </div>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const e = live.events.row(v.index);
          if (!e) {
            const gap = live.events.gapAt(v.index);
            return gap ? (
              <GapRow key={`gap-${gap.from}`} gap={gap} top={v.start} index={v.index} busy={paging} />
            ) : null;
          }
          return (
            <EventRow
              key={e.seq}
              e={e}
              instances={e.instances.length}
              top={v.start}
              index={v.index}
              active={v.index === active}
              open={e.seq === openSeq}
              selected={!!range && e.seq >= range.from && e.seq <= range.to}
              onOpen={onRowOpen}
            />
          );
        })}
      </div>
    </div>
  );
}

/** Seqs between two pages of the log that are not loaded, and a button that loads the oldest of them. */
function GapRow({ gap, top, index, busy }: { gap: HistoryGap; top: number; index: number; busy: boolean }) {
  const n = gap.to - gap.from + 1;
  return (
    <div
      className="mon-row mon-gap"
      role="row"
      aria-rowindex={index + 2}
      data-testid="event-gap"
      style={{ transform: `translateY(${top}px)` }}
    >
      <div role="gridcell" className="mon-cell mon-gap-cell">
        <span>
          Seqs {gap.from.toLocaleString()}–{gap.to.toLocaleString()} not loaded ({n.toLocaleString()})
        </span>
        <Button size="sm" variant="ghost" busy={busy} onClick={() => void loadGap(gap)}>
          Load {Math.min(n, 1000).toLocaleString()}
        </Button>
      </div>
    </div>
  );
}

const EventRow = memo(function EventRow({
  e,
  instances: _instances,
  top,
  index,
  active,
  open,
  selected,
  onOpen,
}: {
  e: HeldEvent;
  /** How many instances' fan-out the figures add up (they grow in place: a new count draws the row again). */
  instances: number;
  top: number;
  index: number;
  active: boolean;
  open: boolean;
  selected: boolean;
  onOpen: (index: number, seq: number, extend: boolean) => void;
}) {
  const f = e.fanout;
  return (
    <div
      className={`mon-row${active ? ' mon-active' : ''}${open ? ' mon-open' : ''}${selected ? ' mon-selected' : ''}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={open || selected}
      data-testid="event-row"
      data-seq={e.seq}
      style={{ transform: `translateY(${top}px)` }}
      onClick={(ev) => onOpen(index, e.seq, ev.shiftKey)}
      onMouseDown={(ev) => {
        // Shift+click selects a range: no text selection across the rows.
        if (ev.shiftKey) ev.preventDefault();
      }}
    >
      <div role="gridcell" className="mon-cell mon-mono">
        {clockMs(Date.parse(e.timestamp))}
      </div>
      <div role="gridcell" className="mon-cell mon-num">
        {e.seq}
      </div>
      <div role="gridcell" className="mon-cell">
        <span className={`mon-type mon-type-${e.type.split('.')[1] ?? 'other'}`}>{e.type}</span>
      </div>
      <div role="gridcell" className="mon-cell">
        {e.collection ?? '—'}
      </div>
      <div role="gridcell" className="mon-cell mon-mono">
        {e.record_id ?? '—'}
      </div>
      <div role="gridcell" className="mon-cell">
        {e.account}
      </div>
      <div role="gridcell" className="mon-cell" title={fanoutLine(f)}>
        <span className="mon-fan-sent">{f.sent}</span> of {f.candidates}
        {f.dropped > 0 && <span className="mon-fan-bad"> · {f.dropped} dropped</span>}
      </div>
      <div role="gridcell" className="mon-cell mon-num">
        {f.micros}
      </div>
    </div>
  );
});
