/**
 * The table's query as the URL keeps it (`filter` JSON text, `sort`, `at` the first visible row, `record`
 * the open one), and the filter checked on the client with the server's own parser before it is sent.
 */
import { FilterError, parseFilter, type FieldTypes } from '../../../../shared/filter';
import { SYSTEM_FIELDS, systemFieldType, type Collection } from '../../../../shared/schema';

/** Newest first, as PocketBase's admin opens a collection. */
export const DEFAULT_SORT = '-created_at';

/** Every field a filter or sort may name: the system fields and the collection's. */
export function fieldTypesOf(c: Pick<Collection, 'fields'>): FieldTypes {
  const types: FieldTypes = {};
  for (const f of SYSTEM_FIELDS) types[f] = systemFieldType(f)!;
  for (const f of c.fields) types[f.name] = f.type;
  return types;
}

/** A filter typed by the user: empty (no filter), valid (the object to send) or wrong (why, and where). */
export type FilterText =
  { ok: true; filter: Record<string, unknown> | undefined } | { ok: false; message: string; path?: string };

/** Checks filter text against the collection's fields, with the message the server would give. */
export function checkFilterText(text: string, types: FieldTypes): FilterText {
  const trimmed = text.trim();
  if (!trimmed) return { ok: true, filter: undefined };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (e) {
    return { ok: false, message: `Not valid JSON: ${(e as Error).message}` };
  }
  try {
    parseFilter(value, types);
  } catch (e) {
    if (e instanceof FilterError) return { ok: false, message: e.message, path: e.path };
    throw e;
  }
  return { ok: true, filter: value as Record<string, unknown> };
}

/** The sort after a click on a column header: ascending, then descending, then the default. */
export function nextSort(current: string, field: string): string {
  if (current === field) return `-${field}`;
  if (current === `-${field}`) return field === 'created_at' ? 'created_at' : DEFAULT_SORT;
  return field;
}

/** The cache key of a query. */
export function queryKey(collection: string, filter: string, sort: string): string {
  return JSON.stringify([collection, filter.trim(), sort]);
}
