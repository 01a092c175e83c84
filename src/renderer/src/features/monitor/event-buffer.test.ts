import { describe, expect, it } from 'vitest';
import type { MonitorEventSummary } from '../../../../shared/monitor';
import { EventBuffer, eventMatches } from './event-buffer';

const ev = (seq: number, over: Partial<MonitorEventSummary> = {}): MonitorEventSummary => ({
  seq,
  type: 'record.created',
  collection: 'posts',
  record_id: `r${seq}`,
  account: 'default',
  actor: null,
  trace_id: null,
  timestamp: new Date(1_000_000 + seq * 1000).toISOString(),
  instance: 'local',
  fanout: { candidates: 1, matched: 1, sent: 1, skipped_rule: 0, skipped_filter: 0, dropped: 0, micros: 10 },
  ...over,
});

describe('EventBuffer', () => {
  it('shows an event once when several instances of a cluster report their fan-out of it, with the figures summed', () => {
    const b = new EventBuffer(100);
    const fig = (sent: number, micros: number) => ({
      ...ev(0).fanout,
      candidates: sent,
      matched: sent,
      sent,
      micros,
    });
    b.add([ev(1, { instance: 'primary@h:1', fanout: fig(1, 40) }), ev(2, { instance: 'primary@h:1' })]);
    b.add([ev(1, { instance: 'edge@h:2', fanout: fig(3, 90) })]);
    b.pause();
    b.add([ev(3, { instance: 'primary@h:1' }), ev(2, { instance: 'edge@h:2', fanout: fig(2, 5) })]);
    b.add([
      ev(3, { instance: 'edge@h:2', fanout: fig(4, 5) }),
      ev(1, { instance: 'edge@h:2', fanout: fig(3, 90) }),
    ]);
    b.resume();
    expect(b.size).toBe(3);
    expect([b.find(1)?.fanout.sent, b.find(2)?.fanout.sent, b.find(3)?.fanout.sent]).toEqual([4, 3, 5]);
    expect(b.find(1)?.fanout.micros).toBe(90);
    expect(b.find(3)?.instances).toEqual(['primary@h:1', 'edge@h:2']);
  });

  it('lists newest first and keeps only its capacity', () => {
    const b = new EventBuffer(3);
    b.add([ev(1), ev(2), ev(3), ev(4)]);
    expect(b.size).toBe(3);
    expect(b.row(0)?.seq).toBe(4);
    expect(b.row(2)?.seq).toBe(2);
    expect(b.find(3)?.seq).toBe(3);
    expect(b.find(1)).toBeUndefined();
  });

  it('keeps buffering while paused and shows everything on resume', () => {
    const b = new EventBuffer(100);
    b.add([ev(1)]);
    b.pause();
    b.add([ev(2), ev(3)]);
    expect(b.size).toBe(1);
    expect(b.newCount).toBe(2);
    expect(b.find(3)?.seq).toBe(3);
    b.resume();
    expect(b.size).toBe(3);
    expect(b.newCount).toBe(0);
    expect(b.row(0)?.seq).toBe(3);
  });

  it('filters by collection, type, account, text and time, also for later events', () => {
    const b = new EventBuffer(100);
    b.add([ev(1), ev(2, { collection: 'menu' }), ev(3, { type: 'record.deleted' })]);
    b.setFilter({ collection: 'posts' });
    expect(b.size).toBe(2);
    b.add([ev(4), ev(5, { collection: 'menu' })]);
    expect(b.size).toBe(3);
    b.setFilter({ text: 'r5' });
    expect(b.row(0)?.seq).toBe(5);
    b.setFilter({});
    expect(b.size).toBe(5);
    expect(eventMatches({ account: 'acct_b' }, ev(1))).toBe(false);
    expect(eventMatches({ from: 1_000_000 + 2000, to: 1_000_000 + 3000 }, ev(2))).toBe(true);
    expect(eventMatches({ from: 1_000_000 + 2000 }, ev(1))).toBe(false);
  });

  it('appends older pages from the event log after the ring', () => {
    const b = new EventBuffer(100);
    b.add([ev(10), ev(11)]);
    b.addOlder([ev(8), ev(9, { collection: 'menu' }), ev(11)]);
    expect([0, 1, 2, 3].map((i) => b.row(i)?.seq)).toEqual([11, 10, 9, 8]);
    expect(b.oldestSeq).toBe(8);
    b.setFilter({ collection: 'posts' });
    expect(b.size).toBe(3);
    expect(b.find(9)?.collection).toBe('menu');
  });
});

describe('EventBuffer: pages of the event log', () => {
  const seqs = (b: EventBuffer) =>
    Array.from({ length: b.size }, (_, i) => {
      const g = b.gapAt(i);
      return g ? `gap ${g.from}-${g.to}` : b.row(i)!.seq;
    });

  it('a prefill below the live events meets them: no duplicates, no gap', () => {
    const b = new EventBuffer(100);
    b.lastSeq = 20; // the snapshot's last seq
    b.add([ev(21), ev(22)]); // live batches that came while the prefill was in flight
    b.addRange(17, 20, [ev(18), ev(19), ev(20), ev(21)]); // 17 is another account's: not in the page
    expect(seqs(b)).toEqual([22, 21, 20, 19, 18]);
    expect(b.oldestSeq).toBe(17);
    expect(b.covers(17)).toBe(true);
    expect(b.find(17)).toBeUndefined();
    expect(b.hasHistory).toBe(true);
  });

  it('a far page shows a gap row until the seqs between are loaded; pages merge', () => {
    const b = new EventBuffer(100);
    b.add([ev(100), ev(101)]);
    b.addRange(90, 99, [ev(95), ev(99)]);
    b.addRange(10, 20, [ev(10), ev(15), ev(20)]);
    expect(seqs(b)).toEqual([101, 100, 99, 95, 'gap 21-89', 20, 15, 10]);
    expect(b.covers(50)).toBe(false);
    expect(b.loadedAbove(15)).toBe(90);
    expect(b.indexOf(15)).toBe(6);
    expect(b.indexOf(50)).toBe(-1);
    b.addRange(21, 60, [ev(30)]);
    expect(seqs(b)).toEqual([101, 100, 99, 95, 'gap 61-89', 30, 20, 15, 10]);
    b.addRange(61, 89, []);
    expect(seqs(b)).toEqual([101, 100, 99, 95, 30, 20, 15, 10]);
    // "Older" goes on below the lowest page.
    b.addOlder([ev(8), ev(9)]);
    expect(b.oldestSeq).toBe(8);
    expect(seqs(b).slice(-2)).toEqual([9, 8]);
  });

  it('says what went missing between the ring and the pages when the ring moved on', () => {
    const b = new EventBuffer(3);
    b.add([ev(10), ev(11)]);
    b.addRange(5, 9, [ev(5), ev(9)]);
    expect(seqs(b)).toEqual([11, 10, 9, 5]);
    b.add([ev(12), ev(13)]); // the ring (capacity 3) drops 10
    expect(seqs(b)).toEqual([13, 12, 11, 'gap 10-10', 9, 5]);
  });

  it('keeps the filter on pages (gap rows stay) and at most its capacity of paged events', () => {
    const b = new EventBuffer(4);
    b.add([ev(50)]);
    b.addRange(40, 49, [ev(41, { collection: 'menu' }), ev(45)]);
    b.addRange(1, 10, [ev(2), ev(3, { collection: 'menu' }), ev(4)]);
    b.setFilter({ collection: 'menu' });
    expect(seqs(b)).toEqual([41, 'gap 11-39', 3]);
    expect(b.indexOf(45)).toBe(-1);
    expect(b.find(45)?.seq).toBe(45);
    b.setFilter({});
    // Capacity 4: the oldest paged event (2) went, and its page now starts at 3.
    expect(seqs(b)).toEqual([50, 45, 41, 'gap 11-39', 4, 3]);
    expect(b.oldestSeq).toBe(3);
    expect(b.between(3, 45).map((e) => e.seq)).toEqual([3, 4, 41, 45]);
  });

  it('forgets the pages on clear', () => {
    const b = new EventBuffer(10);
    b.add([ev(5)]);
    b.addRange(1, 4, [ev(1)]);
    b.clear();
    expect(b.size).toBe(0);
    expect(b.hasHistory).toBe(false);
    expect(b.oldestSeq).toBe(0);
  });
});
