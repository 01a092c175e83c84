import { describe, expect, it } from 'vitest';
import type { RecordData } from '../../../../shared/schema';
import {
  applyChanges,
  emptyCache,
  MAX_PAGES,
  PAGE_SIZE,
  pagesToFetch,
  putPage,
  rowAt,
  toChange,
  type PageCache,
} from './page-cache';

const rec = (n: number, extra: Partial<RecordData> = {}): RecordData => ({
  id: `r${n}`,
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-01T00:00:00.000Z',
  n,
  ...extra,
});
const page = (p: number, total: number) =>
  Array.from({ length: Math.min(PAGE_SIZE, total - p * PAGE_SIZE) }, (_, i) => rec(p * PAGE_SIZE + i));
const load = (total: number, pages: number[]): PageCache =>
  pages.reduce((c, p) => putPage(c, p, page(p, total), total), { ...emptyCache, total });
const byN = { field: 'n', desc: false };

describe('page cache', () => {
  it('finds rows by index and asks for the pages a range lacks', () => {
    const c = load(250, [0, 2]);
    expect(rowAt(c, 5)?.id).toBe('r5');
    expect(rowAt(c, 150)).toBeUndefined();
    expect(pagesToFetch(c, 50, 249)).toEqual([1]);
    expect(pagesToFetch(c, 240, 400)).toEqual([]);
  });

  it('keeps at most MAX_PAGES, evicting the farthest from the viewport', () => {
    let c: PageCache = { ...emptyCache, total: 100_000 };
    for (let p = 0; p < MAX_PAGES + 5; p++) c = putPage(c, p, page(p, 100_000), 100_000, p);
    expect(c.pages.size).toBe(MAX_PAGES);
    expect(c.pages.has(0)).toBe(false);
    expect(c.pages.has(MAX_PAGES + 4)).toBe(true);
  });

  it('patches a changed row in place and reports it to highlight', () => {
    const c = load(150, [0, 1]);
    const { cache, touched, shift } = applyChanges(
      c,
      [{ kind: 'patch', record: rec(120, { title: 'x' }) }],
      byN,
      0,
    );
    expect(rowAt(cache, 120)).toMatchObject({ id: 'r120', title: 'x' });
    expect(rowAt(c, 120)).not.toHaveProperty('title');
    expect([...touched]).toEqual(['r120']);
    expect(shift).toBe(0);
    expect(cache.total).toBe(150);
  });

  it('inserts an entering record where the sort puts it and moves later rows across pages', () => {
    const c = load(200, [0, 1]);
    const { cache, shift } = applyChanges(c, [{ kind: 'enter', record: rec(50.5) }], byN, 120);
    expect(cache.total).toBe(201);
    expect(rowAt(cache, 51)?.id).toBe('r50.5');
    expect(rowAt(cache, 100)?.id).toBe('r99');
    expect(rowAt(cache, 199)?.id).toBe('r198');
    expect(rowAt(cache, 200)).toBeUndefined();
    expect(shift).toBe(1);
  });

  it('removes a leaving record, pulls the next rows up, and refetches the short page', () => {
    const c = load(300, [0, 1]);
    const { cache, shift } = applyChanges(c, [{ kind: 'leave', id: 'r10' }], byN, 0);
    expect(cache.total).toBe(299);
    expect(rowAt(cache, 10)?.id).toBe('r11');
    expect(rowAt(cache, 99)?.id).toBe('r100');
    expect(rowAt(cache, 199)).toBeUndefined();
    expect(pagesToFetch(cache, 0, 298)).toEqual([1, 2]);
    expect(shift).toBe(0);
  });

  it('appends at the end when the end is loaded; ignores what sorts beyond the loaded rows', () => {
    const end = applyChanges(load(150, [0, 1]), [{ kind: 'enter', record: rec(999) }], byN, 0).cache;
    expect(rowAt(end, 150)?.id).toBe('r999');
    const far = applyChanges(load(500, [0]), [{ kind: 'enter', record: rec(999) }], byN, 0).cache;
    expect(far.total).toBe(501);
    expect(far.pages.get(0)).toHaveLength(PAGE_SIZE);
  });

  it('turns a flood of entering records into a refetch instead of splicing each', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ kind: 'enter' as const, record: rec(-i - 1) }));
    const { cache } = applyChanges(load(200, [0, 1]), many, byN, 0);
    expect(cache.total).toBe(700);
    expect(rowAt(cache, 0)?.id).toBe('r0');
    expect(pagesToFetch(cache, 0, 199)).toEqual([0, 1]);
  });

  it('puts a created record among its ties in creation order, following the sort direction', () => {
    // Five records of one batch share created_at (and n); the server lists ties by rowid in the sort's direction.
    const batch = [1, 2, 3, 4, 5].map((k) => rec(k, { n: 7, created_at: 'T' }));
    const fresh = rec(6, { n: 7, created_at: 'T' });
    const ids = (c: PageCache) => c.pages.get(0)!.map((r) => r.id);
    const asc = putPage(emptyCache, 0, batch, 5);
    const desc = putPage(emptyCache, 0, [...batch].reverse(), 5);
    const enter = { kind: 'enter' as const, record: fresh, created: true };
    expect(ids(applyChanges(asc, [enter], byN, 0).cache)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(ids(applyChanges(desc, [enter], { field: 'n', desc: true }, 0).cache)).toEqual([
      'r6',
      'r5',
      'r4',
      'r3',
      'r2',
      'r1',
    ]);
    const newest = { field: 'created_at', desc: true };
    expect(ids(applyChanges(desc, [enter], newest, 0).cache)[0]).toBe('r6');
    // One entering by an update has an unknown rank among its ties: placed after them, its page refetched.
    const moved = applyChanges(desc, [{ kind: 'enter', record: fresh }], newest, 0).cache;
    expect(ids(moved).at(-1)).toBe('r6');
    expect(pagesToFetch(moved, 0, 5)).toEqual([0]);
    expect(pagesToFetch(applyChanges(desc, [enter], newest, 0).cache, 0, 5)).toEqual([]);
  });

  it('moves a record whose sort value changed to where it sorts now', () => {
    const c = load(150, [0, 1]);
    const { cache, touched, shift } = applyChanges(
      c,
      [{ kind: 'patch', record: rec(120, { n: 10.5 }) }],
      byN,
      50,
    );
    expect(cache.total).toBe(150);
    expect(rowAt(cache, 11)?.id).toBe('r120');
    expect(rowAt(cache, 12)?.id).toBe('r11');
    expect(rowAt(cache, 120)?.id).toBe('r119');
    expect(rowAt(cache, 121)?.id).toBe('r121');
    expect([...touched]).toEqual(['r120']);
    expect(shift).toBe(1);
    // Same sort value: patched in place.
    const same = applyChanges(c, [{ kind: 'patch', record: rec(120, { title: 'x' }) }], byN, 50).cache;
    expect(rowAt(same, 120)).toMatchObject({ id: 'r120', title: 'x' });
  });

  it('reads live events: created enters, deleted or match leave goes, updated patches', () => {
    const data = rec(1);
    expect(toChange({ type: 'record.created', data })).toEqual({
      kind: 'enter',
      record: data,
      created: true,
    });
    expect(toChange({ type: 'record.updated', data, match: 'stay' })).toEqual({
      kind: 'patch',
      record: data,
    });
    expect(toChange({ type: 'record.updated', data, match: 'enter' })).toEqual({
      kind: 'enter',
      record: data,
    });
    expect(toChange({ type: 'record.updated', data, match: 'leave' })).toMatchObject({
      kind: 'leave',
      id: 'r1',
      deleted: false,
    });
    expect(toChange({ type: 'record.deleted', record_id: 'r1', data })).toMatchObject({
      kind: 'leave',
      deleted: true,
    });
  });
});
