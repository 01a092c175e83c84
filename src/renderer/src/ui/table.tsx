/**
 * A keyboard-navigable table for short lists (users, keys): one row is in the Tab order; ↑/↓, Home/End
 * move between rows; Enter (or a click) opens the row. Long, live lists (records) use a virtualized table.
 */
import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  /** e.g. '30%' or '8rem'. */
  width?: string;
  align?: 'start' | 'end';
}

export interface DataTableProps<T> {
  /** What the table lists, for screen readers, e.g. "Users". */
  label: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  /** Opens a row (Enter or click). */
  onOpen?: (row: T) => void;
  /** A label for each row, e.g. the email, used in the row's test id. */
  rowLabel?: (row: T) => string;
}

export function DataTable<T>({ label, columns, rows, rowKey, onOpen, rowLabel }: DataTableProps<T>) {
  const [active, setActive] = useState(0);
  const body = useRef<HTMLTableSectionElement>(null);
  const current = Math.min(active, Math.max(0, rows.length - 1));

  const focusRow = (i: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, i));
    setActive(next);
    body.current?.querySelectorAll<HTMLTableRowElement>('tr')[next]?.focus();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTableRowElement>, i: number, row: T) => {
    const moves: Record<string, number> = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: rows.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      focusRow(moves[e.key]!);
    } else if (e.key === 'Enter' && onOpen && e.target === e.currentTarget) {
      e.preventDefault();
      onOpen(row);
    }
  };

  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <colgroup>
          {columns.map((c) => (
            <col key={c.key} style={c.width ? { width: c.width } : undefined} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.align === 'end' ? 'align-end' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody ref={body}>
          {rows.map((row, i) => (
            <tr
              key={rowKey(row)}
              tabIndex={i === current ? 0 : -1}
              className={onOpen ? 'row-openable' : undefined}
              onFocus={() => setActive(i)}
              onKeyDown={(e) => onKeyDown(e, i, row)}
              onClick={onOpen ? () => onOpen(row) : undefined}
              data-testid={rowLabel ? `row-${rowLabel(row)}` : undefined}
            >
              {columns.map((c) => (
                <td key={c.key} className={c.align === 'end' ? 'align-end' : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
