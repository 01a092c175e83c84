import { FilterError, parseFilter, type FieldTypes, type FilterNode } from '../../shared/filter';
import { commaList } from '../../shared/schema';
import { AppError } from '../errors';

/** A parsed `?filter=&sort=&page=&per_page=&select=` query. */
export interface ListParams {
  filter?: FilterNode;
  sort: { field: string; desc: boolean }[];
  page: number;
  perPage: number;
  select?: string[];
}

// note: 500 rows of a few KiB each keeps one response under a few MiB.
export const MAX_PER_PAGE = 500;
const DEFAULT_PER_PAGE = 30;

function intParam(q: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new AppError(
      400,
      'bad_request',
      `'${name}' must be an integer from ${min} to ${max}, got '${raw}'.`,
    );
  }
  return n;
}

/** Parses a filter query parameter, turning FilterErrors into a 400 naming the bad part. */
export function filterParam(raw: string | null, types: FieldTypes): FilterNode | undefined {
  if (raw === null || raw === '') return undefined;
  try {
    return parseFilter(raw, types);
  } catch (e) {
    if (e instanceof FilterError) throw new AppError(400, 'invalid_filter', e.message, { path: e.path });
    throw e;
  }
}

/** Checks list parameters against the collection's fields. */
export function parseListParams(q: URLSearchParams, types: FieldTypes): ListParams {
  const sort: ListParams['sort'] = [];
  for (const part of (q.get('sort') ?? '').split(',').filter(Boolean)) {
    const desc = part.startsWith('-');
    const field = part.replace(/^[-+]/, '');
    // note: own names only: `valueOf`, `__proto__`… are not fields.
    if (!Object.hasOwn(types, field))
      throw new AppError(400, 'bad_request', `Cannot sort by '${field.slice(0, 64)}': no such field.`);
    sort.push({ field, desc });
  }
  let select: string[] | undefined;
  const rawSelect = q.get('select');
  if (rawSelect) {
    select = commaList(rawSelect);
    const bad = select.filter((f) => !Object.hasOwn(types, f));
    if (bad.length)
      throw new AppError(
        400,
        'bad_request',
        `Cannot select ${bad
          .slice(0, 5)
          .map((b) => `'${b.slice(0, 64)}'`)
          .join(', ')}: no such field.`,
      );
  }
  return {
    filter: filterParam(q.get('filter'), types),
    sort,
    page: intParam(q, 'page', 1, 1, 1_000_000),
    perPage: intParam(q, 'per_page', DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    select,
  };
}

/** Keeps only the selected fields of a record (`id` always stays). */
export function project<T extends Record<string, unknown>>(
  r: T,
  select: string[] | undefined,
): Record<string, unknown> {
  if (!select) return r;
  const out: Record<string, unknown> = { id: r.id };
  for (const f of select) out[f] = Object.hasOwn(r, f) ? r[f] : null;
  return out;
}
