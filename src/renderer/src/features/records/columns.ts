/** Which columns the table shows, saved per collection in this browser. */
import type { Collection, FieldType } from '../../../../shared/schema';

/** A column of the records table: a field with its type. */
export interface ColumnDef {
  name: string;
  type: FieldType;
  system: boolean;
}

const key = (collection: string) => `switchboard.records.columns.${collection}`;

/** Every column a collection could show: id, the fields, then the timestamps. */
export function allColumns(c: Pick<Collection, 'fields'>): ColumnDef[] {
  return [
    { name: 'id', type: 'text', system: true },
    ...c.fields.map((f) => ({ name: f.name, type: f.type, system: false })),
    { name: 'created_at', type: 'date', system: true },
    { name: 'updated_at', type: 'date', system: true },
  ];
}

/** The hidden columns saved for a collection (by default: `updated_at`). */
export function loadHidden(collection: string): string[] {
  try {
    const raw = localStorage.getItem(key(collection));
    const v: unknown = raw ? JSON.parse(raw) : null;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    // note: storage off or garbage: the default columns
  }
  return ['updated_at'];
}

/** Saves the hidden columns of a collection. */
export function saveHidden(collection: string, hidden: string[]): void {
  try {
    localStorage.setItem(key(collection), JSON.stringify(hidden));
  } catch {
    // note: storage may be off (private mode); the choice then lasts for this page only.
  }
}
