/** How a value shows in a table cell: by field type, short, with `—` for empty. */
import type { FieldType } from '../../../../shared/schema';

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A cell's text for a value of a field type (also used as the cell's title). */
export function cellText(type: FieldType | undefined, v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  if (type === 'bool') return v ? 'true' : 'false';
  if (type === 'date' && typeof v === 'string') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? v : dateFmt.format(d);
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** One cell's content. */
export function Cell({ type, value }: { type: FieldType | undefined; value: unknown }) {
  const text = cellText(type, value);
  if (!text) return <span className="cell-empty">—</span>;
  if (type === 'bool') return <span className={value ? 'cell-true' : 'cell-false'}>{text}</span>;
  if (type === 'json' || type === 'relation') return <code className="cell-code">{text.slice(0, 200)}</code>;
  return <>{text.length > 300 ? `${text.slice(0, 300)}…` : text}</>;
}
