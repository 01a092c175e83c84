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
