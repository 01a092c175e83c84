/**
 * The records grid: virtualized rows (TanStack Virtual) over the page cache, columns and header from
 * TanStack Table, sort by header click, a checkbox column with shift-click ranges, arrows to move, Enter to
 * open, Space to select. Rows still loading are placeholders; rows changed by others flash briefly.
 */
import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import { getCoreRowModel, useReactTable, type ColumnDef as TColumn } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import type { RecordData } from '../../../../shared/schema';
import { useAppStore } from '../../store';
import { ensureRows, setSelection, setShiftListener } from './actions';
import { cellText } from './cells';
import type { ColumnDef } from './columns';
import { parseSort, rowAt } from './page-cache';

// note: one line of text at the console's type scale plus padding; rows are fixed-height so the
// virtualizer never measures (measuring 100,000 rows is what makes big tables stutter).
export const ROW_H = 36;
const HEADER_H = 38;
const CHECK_W = 44;

interface Props {
  columns: ColumnDef[];
  sort: string;
  onSort: (field: string) => void;
  onOpen: (id: string) => void;
  openId: string | undefined;
  /** The row to start at (from the URL). */
  initialRow: number;
  /** Reports the first visible row when scrolling stops (for the URL). */
  onAnchor: (row: number) => void;
}

export function RecordsTable({ columns, sort, onSort, onOpen, openId, initialRow, onAnchor }: Props) {
  const { cache, flash, selection } = useAppStore(
    useShallow((s) => ({ cache: s.records.cache, flash: s.records.flash, selection: s.records.selection })),
  );
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(initialRow);
  const sortSpec = parseSort(sort);

  const virtualizer = useVirtualizer({
    count: cache.total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 6,
    // note: render after the scroll event rather than inside it (a jump's rows then paint in their own task,
    // not in one long task with the scroll handling).
    useFlushSync: false,
    scrollMargin: HEADER_H,
    initialOffset: initialRow * ROW_H,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? initialRow;
  const last = items[items.length - 1]?.index ?? initialRow + 30;

  useEffect(() => {
    void ensureRows(first, last);
  }, [first, last, cache]);

  useEffect(() => {
    setShiftListener((rows) => {
      const el = scroller.current;
      if (el && el.scrollTop > 0) el.scrollTop += rows * ROW_H;
    });
    return () => setShiftListener(undefined);
  }, []);

  // The URL follows the scroll position, once it settles.
  const anchorRef = useRef(onAnchor);
  anchorRef.current = onAnchor;
  useEffect(() => {
    const t = setTimeout(() => anchorRef.current(first), 400);
    return () => clearTimeout(t);
  }, [first]);

  const tableColumns = useMemo<TColumn<RecordData>[]>(
    () => columns.map((c) => ({ id: c.name, accessorFn: (r) => r[c.name], header: c.name, meta: c })),
    [columns],
  );
  const visible = useMemo(
    () => items.map((v) => rowAt(cache, v.index)).filter((r): r is RecordData => !!r),
    [cache, first, last],
  );
  // note: the row model is never asked for (cells read the record directly), so it is never built.
  const table = useReactTable({
    data: visible,
    columns: tableColumns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r.id,
    manualSorting: true,
  });
  const template = `${CHECK_W}px ${columns.map((c) => (c.name === 'id' ? 'minmax(8rem, 0.7fr)' : 'minmax(9rem, 1fr)')).join(' ')}`;
  // note: an explicit minimum width (the sum of the tracks' minimums) rather than max-content, so a row's
  // text never makes the browser size every row again.
  const minWidth = `calc(${CHECK_W}px + ${columns.reduce((n, c) => n + (c.name === 'id' ? 8 : 9), 0)}rem)`;
  // note: rows are keyed by their slot (index modulo the number rendered, which the contiguous range fills
  // exactly once) and kept in slot order, so a jump reuses every row element in place and only its text
  // changes, and a short scroll leaves the rows still shown untouched. Creating (or moving) ~50 rows of
  // elements per jump is what made each jump a long task. Rows are absolutely placed; aria-rowindex gives
  // their order.
  const slots = items.length;
  const bySlot = new Array<(typeof items)[number]>(slots);
  for (const v of items) bySlot[v.index % slots] = v;

  const toggle = (index: number, id: string, shift: boolean) => {
    const ids = new Set(selection.all ? [] : selection.ids);
    const on = !ids.has(id);
    if (shift && selection.anchor !== null) {
      const [a, b] = [Math.min(selection.anchor, index), Math.max(selection.anchor, index)];
      for (let i = a; i <= b; i++) {
        const r = rowAt(cache, i);
        if (r && on) ids.add(r.id);
        else if (r) ids.delete(r.id);
      }
    } else if (on) ids.add(id);
    else ids.delete(id);
    setSelection({ ids, all: false, anchor: index });
  };
  const toggleRef = useRef(toggle);
  toggleRef.current = toggle;
  const onToggle = useCallback(
    (i: number, id: string, shift: boolean) => toggleRef.current(i, id, shift),
    [],
  );
  const openRef = useRef(onOpen);
  openRef.current = onOpen;
  const onRowOpen = useCallback((i: number, id: string) => {
    setActive(i);
    openRef.current(id);
  }, []);
  const loadedIds = visible.map((r) => r.id);
  const allChecked =
    selection.all || (loadedIds.length > 0 && loadedIds.every((id) => selection.ids.has(id)));
  const toggleAll = () => {
    if (allChecked) setSelection({ ids: new Set(), all: false, anchor: null });
    else setSelection({ ids: new Set([...selection.ids, ...loadedIds]), all: false, anchor: null });
  };

  const move = (to: number) => {
    const i = Math.max(0, Math.min(cache.total - 1, to));
    setActive(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).tagName === 'INPUT' || (e.target as HTMLElement).tagName === 'BUTTON')
      return;
    const page = Math.max(1, last - first - 2);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      PageDown: () => move(active + page),
      PageUp: () => move(active - page),
      Home: () => move(0),
      End: () => move(cache.total - 1),
      Enter: () => {
        const r = rowAt(cache, active);
        if (r) onOpen(r.id);
      },
      ' ': () => {
        const r = rowAt(cache, active);
        if (r) toggle(active, r.id, e.shiftKey);
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
      className="rt"
      data-testid="records-table"
      role="grid"
      aria-label="Records"
      aria-rowcount={cache.total + 1}
      aria-multiselectable="true"
      tabIndex={0}
      onKeyDown={onKeyDown}
      style={{ ['--rt-cols' as string]: template, ['--rt-min' as string]: minWidth }}
    >
      <div className="rt-head" role="row" aria-rowindex={1} style={{ height: HEADER_H }}>
        <div className="rt-check" role="columnheader">
          <input
            type="checkbox"
            aria-label={allChecked ? 'Clear the selection' : 'Select the rows shown'}
            checked={allChecked}
            onChange={toggleAll}
          />
        </div>
        {table.getHeaderGroups()[0]!.headers.map((h, i) => {
          const name = h.column.id;
          const on = sortSpec.field === name;
          const dir = on ? (sortSpec.desc ? 'descending' : 'ascending') : 'none';
          return (
            <div
              key={h.id}
              className={`rt-th rt-th-${columns[i]?.type ?? 'text'}`}
              role="columnheader"
              aria-sort={dir}
            >
              <button
                type="button"
                className={`rt-sort${on ? ' rt-sort-on' : ''}`}
                data-testid={`sort-${name}`}
                onClick={() => onSort(name)}
                title={`Sort by ${name}`}
              >
                <span className="rt-th-label">{name}</span>
                {on && sortSpec.desc && <ArrowDown size={13} aria-hidden="true" />}
                {on && !sortSpec.desc && <ArrowUp size={13} aria-hidden="true" />}
                {!on && <ArrowUpDown size={13} aria-hidden="true" className="rt-sort-idle" />}
              </button>
            </div>
          );
        })}
      </div>
      <div className="rt-body" style={{ height: cache.total * ROW_H }}>
        {bySlot.map((v) => {
          const rec = rowAt(cache, v.index);
          return (
            <Row
              key={v.index % slots}
              rec={rec}
              index={v.index}
              top={v.start - HEADER_H}
              columns={columns}
              checked={!!rec && (selection.all || selection.ids.has(rec.id))}
              active={v.index === active}
              open={!!rec && rec.id === openId}
              flashSeq={rec && flash.ids.has(rec.id) ? flash.seq : 0}
              onToggle={onToggle}
              onOpen={onRowOpen}
            />
          );
        })}
      </div>
    </div>
  );
}

interface RowProps {
  /** Undefined while its page loads (a placeholder). */
  rec: RecordData | undefined;
  index: number;
  top: number;
  columns: ColumnDef[];
  checked: boolean;
  active: boolean;
  open: boolean;
  flashSeq: number;
  onToggle: (index: number, id: string, shift: boolean) => void;
  onOpen: (index: number, id: string) => void;
}

/** A cell's class and text; the element stays the same whatever the value, so a new record only changes text. */
function cellView(type: ColumnDef['type'], value: unknown): [string, string] {
  const text = cellText(type, value);
  if (!text) return ['cell-empty', '—'];
  if (type === 'bool') return [value ? 'cell-true' : 'cell-false', text];
  if (type === 'json' || type === 'relation') return ['cell-code', text.slice(0, 200)];
  return ['', text.length > 300 ? `${text.slice(0, 300)}…` : text];
}

const Row = memo(
  function Row({ rec, index, top, columns, checked, active, open, flashSeq, onToggle, onOpen }: RowProps) {
    const ref = useRef<HTMLDivElement>(null);
    const id = rec?.id;
    useLayoutEffect(() => {
      const el = ref.current;
      if (!el) return;
      // note: alternating two identical animations restarts it without forcing a layout.
      if (flashSeq) el.dataset.flash = flashSeq % 2 ? 'a' : 'b';
      else if (el.dataset.flash) delete el.dataset.flash;
    }, [flashSeq, id]);
    if (!rec)
      return (
        <div
          ref={ref}
          className="rt-row rt-placeholder"
          role="row"
          aria-rowindex={index + 2}
          aria-busy="true"
          data-testid="record-row-placeholder"
          style={{ transform: `translateY(${top}px)` }}
        >
          <div className="rt-check" role="gridcell">
            <input type="checkbox" aria-label="Loading" checked={false} disabled onChange={() => undefined} />
          </div>
          {columns.map((c) => (
            <div key={c.name} className={`rt-td rt-${c.type}`} role="gridcell">
              <span className="rt-skeleton" />
            </div>
          ))}
        </div>
      );
    return (
      <div
        ref={ref}
        className={`rt-row${checked ? ' rt-checked' : ''}${active ? ' rt-active' : ''}${open ? ' rt-open' : ''}`}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={checked}
        data-testid="record-row"
        data-id={rec.id}
        style={{ transform: `translateY(${top}px)` }}
        onClick={() => onOpen(index, rec.id)}
      >
        <div className="rt-check" role="gridcell" onClick={(e) => e.stopPropagation()}>
          <input
            type="checkbox"
            aria-label={`Select ${rec.id}`}
            checked={checked}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(index, rec.id, e.shiftKey);
            }}
            onChange={() => undefined}
          />
        </div>
        {columns.map((c) => {
          const [cls, text] = cellView(c.type, rec[c.name]);
          return (
            <div key={c.name} className={`rt-td rt-${c.type}`} role="gridcell">
              <span className={cls}>{text}</span>
            </div>
          );
        })}
      </div>
    );
  },
  (a, b) =>
    a.rec === b.rec &&
    a.top === b.top &&
    a.checked === b.checked &&
    a.active === b.active &&
    a.open === b.open &&
    a.flashSeq === b.flashSeq &&
    a.index === b.index &&
    a.columns === b.columns,
);
