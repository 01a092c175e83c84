import { describe, expect, it } from 'vitest';
import { compareValues, LiveList, membership, parseSort } from './live-list';
import type { ClientEvent, MatchKind } from './types';
import type { RecordData } from '../schema';

type Slide = RecordData & { title: string; rank: number | null };

let clock = 0;
const rec = (id: string, rank: number | null, title = id): Slide => {
  const t = new Date(Date.UTC(2025, 0, 1, 0, 0, clock++)).toISOString();
  return { id, created_at: t, updated_at: t, title, rank };
};

let seq = 0;
function ev(
  type: 'created' | 'updated' | 'deleted',
  data: Slide,
  match?: MatchKind,
  at?: number,
): ClientEvent {
  const e: ClientEvent = {
    seq: at ?? ++seq,
    type: `record.${type}`,
    collection: 'slides',
    record_id: data.id,
    data,
    timestamp: data.updated_at,
  };
  if (match) e.match = match;
  return e;
}

const ids = (l: LiveList<Slide>): string[] => l.items.map((r) => r.id);

describe('parseSort and compareValues', () => {
  it('reads the REST sort and defaults to created_at ascending', () => {
    expect(parseSort('-rank, title')).toEqual([
      { field: 'rank', desc: true },
      { field: 'title', desc: false },
    ]);
    expect(parseSort(undefined)).toEqual([{ field: 'created_at', desc: false }]);
  });

  it('orders as SQLite does: NULL, then numbers and bools, then text', () => {
    const values = ['b', 2, null, true, 'a', -1, false];
    expect([...values].sort(compareValues)).toEqual([null, -1, false, true, 2, 'a', 'b']);
  });
});

describe('membership', () => {
  it('reads the live-query match first, else the event type', () => {
    const r = rec('a', 1);
    expect(membership(ev('updated', r, 'enter'))).toEqual({ before: false, after: true });
    expect(membership(ev('updated', r, 'leave'))).toEqual({ before: true, after: false });
    expect(membership(ev('updated', r, 'stay'))).toEqual({ before: true, after: true });
    expect(membership(ev('created', r))).toEqual({ before: false, after: true });
    expect(membership(ev('deleted', r))).toEqual({ before: true, after: false });
    expect(membership({ type: 'user.joined', timestamp: '' })).toBeNull();
  });
});

describe('LiveList', () => {
  it('inserts a created record at its place in the sort order', () => {
    const list = new LiveList<Slide>({ sort: 'rank' });
    list.reset([rec('a', 1), rec('c', 3)], 2, 0);
    expect(list.apply(ev('created', rec('b', 2)))).toBe(true);
    expect(list.apply(ev('created', rec('d', 4)))).toBe(true);
    expect(list.apply(ev('created', rec('z', null)))).toBe(true);
    expect(ids(list)).toEqual(['z', 'a', 'b', 'c', 'd']);
    expect(list.total).toBe(5);
  });

  it('keeps descending order with NULL last, and ties newest first as the server does', () => {
    const list = new LiveList<Slide>({ sort: '-rank' });
    list.reset([rec('a', 2), rec('b', 1)], 2, 0);
    list.apply(ev('created', rec('n', null)));
    list.apply(ev('created', rec('c', 2)));
    expect(ids(list)).toEqual(['c', 'a', 'b', 'n']);
  });

  it("keeps a snapshot's ties in its order and puts a record created in the same millisecond where the server would", () => {
    const at = '2025-02-01T00:00:00.000Z';
    const same = (id: string): Slide => ({ id, created_at: at, updated_at: at, title: id, rank: 1 });
    const desc = new LiveList<Slide>({ sort: '-created_at' });
    desc.reset([same('c'), same('b'), same('a')], 3, 0);
    desc.apply(ev('created', same('d')));
    expect(ids(desc)).toEqual(['d', 'c', 'b', 'a']);
    const asc = new LiveList<Slide>({ sort: 'rank' });
    asc.reset([same('a'), same('b'), same('c')], 3, 0);
    asc.apply(ev('created', same('d')));
    expect(ids(asc)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('moves an updated record to its new place', () => {
    const list = new LiveList<Slide>({ sort: 'rank' });
    const a = rec('a', 1);
    list.reset([a, rec('b', 2), rec('c', 3)], 3, 0);
    list.apply(ev('updated', { ...a, rank: 9 }, 'stay'));
    expect(ids(list)).toEqual(['b', 'c', 'a']);
    expect(list.items[2]!.rank).toBe(9);
    expect(list.total).toBe(3);
  });

  it('adds a record that enters the filter and drops one that leaves it', () => {
    const list = new LiveList<Slide>({ sort: 'rank' });
    const b = rec('b', 2);
    list.reset([rec('a', 1), b], 2, 0);
    list.apply(ev('updated', rec('x', 1.5), 'enter'));
    expect(ids(list)).toEqual(['a', 'x', 'b']);
    list.apply(ev('updated', b, 'leave'));
    expect(ids(list)).toEqual(['a', 'x']);
    expect(list.total).toBe(2);
  });

  it('removes deleted records and ignores deletes of records it never had', () => {
    const list = new LiveList<Slide>();
    const a = rec('a', 1);
    list.reset([a], 1, 0);
    expect(list.apply(ev('deleted', rec('ghost', 1)))).toBe(false);
    expect(list.apply(ev('deleted', a))).toBe(true);
    expect(list.items).toEqual([]);
    expect(list.total).toBe(0);
  });

  describe('with a limit', () => {
    it('keeps the first `limit` records and counts the rest', () => {
      const list = new LiveList<Slide>({ sort: 'rank', limit: 2 });
      list.reset([rec('a', 1), rec('c', 3)], 2, 0);
      list.apply(ev('created', rec('b', 2)));
      expect(ids(list)).toEqual(['a', 'b']);
      expect(list.total).toBe(3);
      // past the end of a full window: counted, not shown
      list.apply(ev('created', rec('d', 4)));
      expect(ids(list)).toEqual(['a', 'b']);
      expect(list.total).toBe(4);
      expect(list.needsRefill).toBe(false);
    });

    it('asks for a refill when a record leaves a full window with more behind it', () => {
      const list = new LiveList<Slide>({ sort: 'rank', limit: 2 });
      const a = rec('a', 1);
      list.reset([a, rec('b', 2)], 5, 0);
      list.apply(ev('deleted', a));
      expect(ids(list)).toEqual(['b']);
      expect(list.total).toBe(4);
      expect(list.needsRefill).toBe(true);
      // a record past the window's end cannot be placed until the refill says what lies between
      list.apply(ev('created', rec('e', 50)));
      expect(ids(list)).toEqual(['b']);
      expect(list.total).toBe(5);
    });

    it('fills a window that is not full when all members are known', () => {
      const list = new LiveList<Slide>({ sort: 'rank', limit: 3 });
      list.reset([rec('a', 1)], 1, 0);
      list.apply(ev('created', rec('b', 2)));
      expect(ids(list)).toEqual(['a', 'b']);
      expect(list.needsRefill).toBe(false);
    });

    it('counts a record outside the window that leaves', () => {
      const list = new LiveList<Slide>({ sort: 'rank', limit: 1 });
      list.reset([rec('a', 1)], 3, 0);
      list.apply(ev('updated', rec('far', 9), 'leave'));
      expect(ids(list)).toEqual(['a']);
      expect(list.total).toBe(2);
    });
  });

  describe('dedupe by seq', () => {
    it('skips events the snapshot reflects (seq at or below its seq) and repeats', () => {
      const list = new LiveList<Slide>({ sort: 'rank' });
      const a = rec('a', 1);
      list.reset([a], 1, 10);
      expect(list.apply(ev('deleted', a, undefined, 9))).toBe(false);
      expect(list.apply(ev('created', rec('a2', 2), undefined, 10))).toBe(false);
      const b = ev('created', rec('b', 3), undefined, 11);
      expect(list.apply(b)).toBe(true);
      expect(list.apply(b)).toBe(false);
      expect(ids(list)).toEqual(['a', 'b']);
      expect(list.total).toBe(2);
    });

    it('converges when the snapshot may or may not reflect the buffered events', () => {
      // Events 11-14 race the load; the snapshot reflects 11-12 (not 13-14), but only "at least 10" is known.
      const a = rec('a', 1);
      const b = rec('b', 2);
      const c = rec('c', 3);
      const events = [
        ev('created', c, undefined, 11),
        ev('updated', { ...a, rank: 5 }, undefined, 12),
        ev('deleted', b, undefined, 13),
        ev('updated', { ...a, rank: 0.5, title: 'A' }, undefined, 14),
      ];
      const list = new LiveList<Slide>({ sort: 'rank' });
      list.reset([b, c, { ...a, rank: 5 }], 3, 10);
      for (const e of events) list.apply(e);
      expect(ids(list)).toEqual(['a', 'c']);
      expect(list.items[0]!.title).toBe('A');
      expect(list.total).toBe(2);
    });

    it('gives the same window whether the buffered events are replayed on a snapshot before or after them', () => {
      const a = rec('a', 1);
      const b = rec('b', 2);
      const x = rec('x', 1.5);
      const events = [
        ev('updated', x, 'enter', 21),
        ev('updated', b, 'leave', 22),
        ev('deleted', a, 'leave', 23),
      ];
      const early = new LiveList<Slide>({ sort: 'rank' });
      early.reset([a, b], 2, 20);
      const late = new LiveList<Slide>({ sort: 'rank' });
      late.reset([x], 1, 20);
      for (const e of events) {
        early.apply(e);
        late.apply(e);
      }
      expect(ids(early)).toEqual(['x']);
      expect(ids(late)).toEqual(['x']);
      expect(early.total).toBe(1);
      expect(late.total).toBe(1);
    });
  });

  it('makes a new items array on every change (React compares by identity)', () => {
    const list = new LiveList<Slide>();
    list.reset([rec('a', 1)], 1, 0);
    const before = list.items;
    list.apply(ev('created', rec('b', 2)));
    expect(list.items).not.toBe(before);
    expect(before.map((r) => r.id)).toEqual(['a']);
  });
});
