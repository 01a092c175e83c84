import { describe, expect, it } from 'vitest';
import type { MonitorEventFlow, MonitorEventSummary } from '../../../../shared/monitor';
import { ANONYMOUS, FLOW_TOP_CONNECTIONS, FlowModel, OTHERS, pairKey } from './flow-model';

let seq = 0;
function ev(collection: string, actor: string | null, flow?: Partial<MonitorEventFlow>): MonitorEventSummary {
  return {
    seq: ++seq,
    type: 'record.created',
    collection,
    record_id: `r${seq}`,
    account: 'default',
    actor,
    trace_id: null,
    timestamp: new Date().toISOString(),
    instance: 'local',
    fanout: { candidates: 0, matched: 0, sent: 0, skipped_rule: 0, skipped_filter: 0, dropped: 0, micros: 1 },
    ...(flow
      ? { flow: { delivered: [], filtered: [], denied: [], dropped: [], capped: false, ...flow } }
      : {}),
  };
}

describe('FlowModel', () => {
  it('sums writers, collections and per-connection outcomes over the last 10 s, and forgets older ones', () => {
    const m = new FlowModel();
    m.ingest([ev('posts', 'u1', { delivered: ['c1'], filtered: ['c2'], denied: ['c3'] })], 1_000);
    m.ingest([ev('posts', null, { delivered: ['c1', 'c1'], dropped: ['c4'] }), ev('posts', 'u1')], 5_500);
    m.ingest([ev('tags', 'u1', { delivered: ['c2'], capped: true })], 9_000);
    const w = m.window(10_500);
    expect(w.events).toBe(3);
    expect(w.capped).toBe(1);
    expect(w.writers).toEqual([
      { key: 'u1', count: 2 },
      { key: ANONYMOUS, count: 1 },
    ]);
    expect(w.collections).toEqual([
      { key: 'posts', count: 2 },
      { key: 'tags', count: 1 },
    ]);
    expect(w.connections.map((c) => [c.key, c.count])).toEqual([
      ['c1', 3],
      ['c2', 2],
      ['c3', 1],
      ['c4', 1],
    ]);
    const edge = (coll: string, conn: string) =>
      w.edges.find((e) => e.collection === coll && e.connection === conn)?.counts;
    expect(edge('posts', 'c1')).toEqual([3, 0, 0, 0]);
    expect(edge('posts', 'c2')).toEqual([0, 1, 0, 0]);
    expect(edge('posts', 'c3')).toEqual([0, 0, 1, 0]);
    expect(edge('posts', 'c4')).toEqual([0, 0, 0, 1]);
    expect(edge('tags', 'c2')).toEqual([1, 0, 0, 0]);
    // 11.5 s later the first second is out of the window.
    const later = m.window(12_000);
    expect(later.events).toBe(2);
    expect(later.edges.find((e) => e.connection === 'c3')).toBeUndefined();
    expect(m.window(30_000).events).toBe(0);
  });

  it('names the busiest connections and folds the rest into one "others" node', () => {
    const m = new FlowModel();
    const ids = Array.from({ length: FLOW_TOP_CONNECTIONS + 5 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    // c00 gets the most traffic, then in order; the last five once each.
    const events = ids.map((_, i) => ev('posts', 'u1', { delivered: ids.slice(0, ids.length - i) }));
    m.ingest(events, 100);
    const w = m.window(200);
    expect(w.connections).toHaveLength(FLOW_TOP_CONNECTIONS + 1);
    expect(w.connections[0]!.key).toBe('c00');
    expect(w.connections.at(-1)).toEqual({ key: OTHERS, count: 5 + 4 + 3 + 2 + 1, others: 5 });
    expect(w.edges.find((e) => e.connection === OTHERS)?.counts).toEqual([15, 0, 0, 0]);
  });

  it('hands what arrived since the last frame to the pulses once', () => {
    const m = new FlowModel();
    const v = m.version;
    m.ingest([ev('posts', 'u1')], 0);
    expect(m.version).toBe(v);
    m.ingest([ev('posts', 'u1', { delivered: ['c1'] }), ev('posts', 'u1', { filtered: ['c1'] })], 0);
    expect(m.version).toBe(v + 1);
    const d = m.drain();
    expect(d.writes.get(pairKey('u1', 'posts'))).toBe(2);
    expect(d.edges.get(pairKey('posts', 'c1'))).toEqual([1, 1, 0, 0]);
    expect(m.drain().writes.size).toBe(0);
  });
});
