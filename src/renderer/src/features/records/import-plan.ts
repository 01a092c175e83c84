/**
 * The pure parts of an import: which field each column goes to (auto-mapped by header name), a CSV cell
 * turned into the field's type, the chunks sent to the batch endpoint, and the failure report as CSV.
 */
import type { FieldDef, FieldType } from '../../../../shared/schema';

/** A column's target: a field name, `id` (keep the record id), or null (skip the column). */
export type Mapping = (string | null)[];

const norm = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** Maps each header to the field of the same name (case and spaces ignored); `id` keeps ids; others skip. */
export function autoMap(headers: string[], fields: Pick<FieldDef, 'name'>[]): Mapping {
  const byName = new Map(fields.map((f) => [norm(f.name), f.name]));
  const used = new Set<string>();
  return headers.map((h) => {
    const n = norm(h);
    const target = n === 'id' ? 'id' : byName.get(n);
    if (!target || used.has(target)) return null;
    used.add(target);
    return target;
  });
}

/** A CSV cell as a value of the field's type; an empty cell is left out; what does not convert stays text. */
export function convertCell(type: FieldType | undefined, cell: string): unknown {
  if (cell === '') return undefined;
  switch (type) {
    case 'number': {
      const n = Number(cell.trim());
      return cell.trim() !== '' && Number.isFinite(n) ? n : cell;
    }
    case 'bool': {
      if (/^(true|1|yes|y)$/i.test(cell.trim())) return true;
      if (/^(false|0|no|n)$/i.test(cell.trim())) return false;
      return cell;
    }
    case 'json':
      try {
        return JSON.parse(cell);
      } catch {
        return cell;
      }
    default:
      return cell;
  }
}

/** Turns parsed rows (CSV arrays or JSON objects) into record bodies by the mapping. */
export function toRecords(
  rows: readonly (readonly string[] | Record<string, unknown>)[],
  headers: readonly string[],
  mapping: Mapping,
  types: Record<string, FieldType>,
): Record<string, unknown>[] {
  const cols = mapping.map((m, i) => [i, m] as const).filter((x): x is readonly [number, string] => !!x[1]);
  return rows.map((row) => {
    const rec: Record<string, unknown> = {};
    if (Array.isArray(row)) {
      for (const [i, name] of cols) {
        const v = convertCell(types[name], (row as string[])[i] ?? '');
        if (v !== undefined) rec[name] = v;
      }
    } else {
      const obj = row as Record<string, unknown>;
      for (const [i, name] of cols) {
        const v = obj[headers[i]!];
        if (v !== undefined)
          rec[name] = typeof v === 'string' && types[name] !== 'text' ? convertCell(types[name], v) : v;
      }
    }
    return rec;
  });
}

/** Splits `n` rows into [start, end) ranges of at most `size`. */
export function chunks(n: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i += size) out.push([i, Math.min(n, i + size)]);
  return out;
}

/** One row that would not import: its number in the file and what is wrong. */
export interface RowFailure {
  row: number;
  errors: Record<string, string>;
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The failures as a CSV file: row, field, message. */
export function failuresCsv(failures: RowFailure[]): string {
  const lines = ['row,field,message'];
  for (const f of failures)
    for (const [field, msg] of Object.entries(f.errors))
      lines.push([String(f.row), field, msg].map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}
