import { describe, expect, it } from 'vitest';
import type { FanoutTally } from './hooks';
import { posts, principal, recordEvent, spec, sub, testHub, transport } from './test-kit';

describe('Hub fan-out', () => {
  it('counts each outcome per event into the ring and tells the on_fanout observers', async () => {
    const { hub, bus } = testHub(posts({ published: true } as never));
    try {
      const seen: FanoutTally[] = [];
      const off = hub.hooks.on('on_fanout', (ev, f) => void (ev.seq !== undefined && seen.push({ ...f })));
      let batches = 0;
      hub.hooks.on('on_batch_end', () => void batches++);
      const admin = hub.attach(transport(), principal({ id: 'a', role: 'admin' }));
      await sub(hub, admin, spec());
      const matching = hub.attach(transport(), principal({ id: 'b', role: 'admin' }));
      await sub(hub, matching, spec({ filter: { title: 't' } }));
      const filtered = hub.attach(transport(), principal({ id: 'c', role: 'admin' }));
      await sub(hub, filtered, spec({ filter: { n: { $gt: 5 } } }));
      const ruled = hub.attach(transport(), principal({ id: 'd' }));
      await sub(hub, ruled, spec());
      const ops = hub.attach(transport(), principal({ id: 'e', role: 'admin' }));
      await sub(hub, ops, spec({ events: new Set(['record.deleted']) }));

      const ev = recordEvent({ data: { id: 'x', title: 't', n: 1, published: false } });
      bus.publish([ev]);
      const expected = { candidates: 5, matched: 2, sent: 2, skipped_rule: 1, skipped_filter: 2, dropped: 0 };
      expect(seen).toEqual([{ ...expected, micros: expect.any(Number) }]);
      expect(hub.outcomes.get(ev.seq)).toEqual({ ...expected, micros: expect.any(Number) });
      expect(batches).toBe(1);
      expect(hub.lastSeq).toBe(ev.seq);
      off();
      bus.publish([recordEvent()]);
      expect(seen).toHaveLength(1);
    } finally {
      hub.stop();
    }
  });

  it('closes a slow consumer instead of sending, and records it against the event', async () => {
    const { hub, bus } = testHub(posts(), { maxBufferedBytes: 100 });
    try {
      const t = transport();
      const conn = hub.attach(t);
      await sub(hub, conn, spec());
      t.buffered = 1000;
      const ev = recordEvent();
      bus.publish([ev]);
      expect(t.closed).toEqual({ code: 1013, reason: 'slow consumer' });
      expect(hub.outcomes.get(ev.seq)).toMatchObject({ matched: 1, sent: 0, dropped: 1 });
      expect(hub.outcomes.droppedAt(ev.seq)).toEqual([conn.id]);
      expect(hub.counters.slowConsumers).toBe(1);
      expect(hub.connections.has(conn.id)).toBe(false);
    } finally {
      hub.stop();
    }
  });

  it("keeps an event's figures whole when closing a slow consumer makes its user leave mid-fan-out", async () => {
    const { hub, bus } = testHub(posts(), { maxBufferedBytes: 100 });
    try {
      const order: string[] = [];
      hub.hooks.on('on_fanout', (ev, f) => void order.push(`${ev.type}:${f.candidates}:${ev.actor}`));
      const t = transport();
      const slow = hub.attach(t, principal({ id: 'slow' }));
      await sub(hub, slow, spec());
      const ok = hub.attach(transport(), principal({ id: 'ok' }));
      await sub(hub, ok, spec());
      t.buffered = 1000;
      order.length = 0;
      const ev = recordEvent();
      bus.publish([ev]);
      expect(hub.outcomes.get(ev.seq)).toMatchObject({ candidates: 2, matched: 2, sent: 1, dropped: 1 });
      // The leave is fanned out after the event, not inside it.
      expect([...order]).toEqual(['record.created:2:undefined', 'user.left:0:slow']);
    } finally {
      hub.stop();
    }
  });

  it('encodes once per shape and corks each transport once per turn', async () => {
    const { hub, bus } = testHub();
    try {
      let encoded = 0;
      const ts = [transport(), transport(), transport()];
      for (const t of ts) await sub(hub, hub.attach(t), spec({ encode: (ev) => (encoded++, `e${ev.seq}`) }));
      bus.publish([recordEvent(), recordEvent()]);
      expect(encoded).toBe(2);
      for (const t of ts) expect(t.sent).toHaveLength(2);
      expect(ts.map((t) => t.corks)).toEqual([1, 1, 1]);
      expect(ts.map((t) => t.uncorks)).toEqual([0, 0, 0]);
      await Promise.resolve();
      expect(ts.map((t) => t.uncorks)).toEqual([1, 1, 1]);
    } finally {
      hub.stop();
    }
  });

  it('shows frames in and out to a tap, and only while one is set', async () => {
    const { hub, bus } = testHub();
    try {
      const conn = hub.attach(transport());
      await sub(hub, conn, spec());
      const tapped: [string, string][] = [];
      conn.tap = (d, f) => void tapped.push([d, String(f)]);
      hub.received(conn, 4, 'ping');
      const ev = recordEvent();
      bus.publish([ev]);
      conn.tap = undefined;
      hub.received(conn, 4, 'ping');
      bus.publish([recordEvent()]);
      expect(tapped).toEqual([
        ['in', 'ping'],
        ['out', `${ev.seq}:`],
      ]);
      expect(conn.messagesIn).toBe(2);
    } finally {
      hub.stop();
    }
  });

  it('replays from the history after `since`, then goes live; hooks see subscribe, unsubscribe and disconnect', async () => {
    const log = [1, 2, 3].map((seq) => recordEvent({ seq: 1000 + seq }));
    const { hub, bus } = testHub();
    (hub as unknown as { deps: { history: unknown } }).deps.history = {
      since: (s: number, limit: number) => log.filter((e) => e.seq > s).slice(0, limit),
      hasGapAfter: () => false,
      oldestSeq: () => 1001,
      lastSeq: () => 1003,
    };
    try {
      const calls: string[] = [];
      hub.hooks.on('on_realtime_subscribe', (_c, s) => void calls.push(`sub ${s.key}`));
      hub.hooks.on('on_realtime_unsubscribe', (_c, k) => void calls.push(`unsub ${k}`));
      hub.hooks.on('on_realtime_disconnect', (_c, code) => void calls.push(`closed ${code}`));
      const t = transport();
      const conn = hub.attach(t);
      let replayed = -1;
      await sub(hub, conn, spec({ since: 1001, onReplayed: (n) => (replayed = n) }));
      await new Promise((r) => setTimeout(r, 10));
      expect(t.sent).toEqual(['1002:', '1003:']);
      expect(replayed).toBe(1003);
      bus.publish([recordEvent({ seq: 1004 })]);
      expect(t.sent.at(-1)).toBe('1004:');
      hub.unsubscribe(conn, 'posts');
      hub.close(conn, 4010, 'bye');
      expect(t.closed).toEqual({ code: 4010, reason: 'bye' });
      expect(calls).toEqual(['sub posts', 'unsub posts', 'closed 4010']);
    } finally {
      hub.stop();
    }
  });

  it('refuses past the subscription limit, an unknown collection and a denied view rule', async () => {
    const { hub } = testHub(posts('admin'), { maxSubscriptions: 1 });
    try {
      const admin = hub.attach(transport(), principal({ role: 'admin' }));
      await sub(hub, admin, spec());
      expect(await hub.subscribe(admin, spec({ key: 'two' }))).toMatchObject({
        ok: false,
        code: 'too_many_subscriptions',
      });
      const anon = hub.attach(transport());
      expect(await hub.subscribe(anon, spec({ collection: 'nope' }))).toMatchObject({
        ok: false,
        code: 'not_found',
      });
      expect(await hub.subscribe(anon, spec())).toMatchObject({ ok: false, code: 'forbidden' });
      expect(hub.subscriptionCounts()).toEqual({ posts: 1 });
    } finally {
      hub.stop();
    }
  });
});
