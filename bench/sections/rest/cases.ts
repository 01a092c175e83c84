/** The list queries the rest section times, each with the check its page must pass, and the two callers. */
import { int } from '../../lib/table';
import type { seed } from './data';
import { CATEGORY, DEEP_PAGE, PER_PAGE, PRICE_RANGE } from './plan';

export interface ListCase {
  name: string;
  filter?: Record<string, unknown>;
  sort?: string;
  page: number;
  expectTotal: number;
  /** Why a 200 response is still wrong, or undefined when it is right. */
  check(items: Record<string, unknown>[]): string | undefined;
}

export const queryOf = (k: ListCase): string =>
  [
    k.filter ? `filter=${encodeURIComponent(JSON.stringify(k.filter))}` : '',
    k.sort ? `sort=${k.sort}` : '',
    k.page > 1 ? `page=${k.page}` : '',
    `per_page=${PER_PAGE}`,
  ]
    .filter(Boolean)
    .join('&');

export function listCases(n: number, expected: ReturnType<typeof seed>): ListCase[] {
  const title = (i: number) => `item-${String(i).padStart(6, '0')}`;
  const deepOffset = (DEEP_PAGE - 1) * PER_PAGE;
  const pageLen = (total: number, offset: number) => Math.max(0, Math.min(PER_PAGE, total - offset));
  const lenIs = (items: unknown[], want: number) =>
    items.length === want ? undefined : `${items.length} items, want ${want}`;
  const inRange = (p: unknown) => (p as number) >= PRICE_RANGE.$gte && (p as number) < PRICE_RANGE.$lt;
  return [
    {
      name: 'first page, default sort',
      page: 1,
      expectTotal: n,
      check: (items) =>
        lenIs(items, pageLen(n, 0)) ??
        (items[0]?.title === title(0) ? undefined : `first is ${items[0]?.title}`),
    },
    {
      name: `page ${DEEP_PAGE} (offset ${int(deepOffset)})`,
      page: DEEP_PAGE,
      expectTotal: n,
      check: (items) =>
        lenIs(items, pageLen(n, deepOffset)) ??
        (items.length === 0 || items[0]?.title === title(deepOffset)
          ? undefined
          : `first is ${items[0]?.title}`),
    },
    {
      name: `text equality (category, no index)`,
      filter: { category: CATEGORY },
      page: 1,
      expectTotal: expected.category,
      check: (items) =>
        lenIs(items, pageLen(expected.category, 0)) ??
        (items.every((r) => r.category === CATEGORY) ? undefined : 'an item outside the filter'),
    },
    {
      name: `number range (price 250-300)`,
      filter: { price: PRICE_RANGE },
      page: 1,
      expectTotal: expected.inRange,
      check: (items) =>
        lenIs(items, pageLen(expected.inRange, 0)) ??
        (items.every((r) => inRange(r.price)) ? undefined : 'an item outside the range'),
    },
    {
      name: 'sort=-price',
      sort: '-price',
      page: 1,
      expectTotal: n,
      check: (items) => {
        const p = items.map((r) => r.price as number);
        if (p[0] !== expected.maxPrice) return `first price ${p[0]}, want ${expected.maxPrice}`;
        return p.every((x, i) => i === 0 || p[i - 1]! >= x) ? lenIs(items, pageLen(n, 0)) : 'not descending';
      },
    },
  ];
}

export const CALLERS = [
  {
    as: 'superuser',
    scoped: false,
    note: 'the first-run superuser (also what the desktop console uses): sees every account, so no account predicate',
  },
  {
    as: 'editor',
    scoped: true,
    note: "an editor of account 'default': WHERE account = ? (all 100k records are in 'default')",
  },
] as const;
