import { afterEach, describe, expect, it } from 'vitest';
import { FlowRecorder, flowFor, withFlow } from './flow';
import { posts, principal, recordEvent, spec, sub, testHub, transport } from './test-kit';

const hubs: { stop(): void }[] = [];
afterEach(() => {
  for (const h of hubs.splice(0)) h.stop();
});

/** A hub whose `posts` need `published` to be viewed, with one subscriber per outcome. */
async function fourWays() {
  const { hub, bus } = testHub(posts({ published: true } as never), { maxBufferedBytes: 100 });
  hubs.push(hub);
  const delivered = hub.attach(transport(), principal({ id: 'a', role: 'admin' }));
  await sub(hub, delivered, spec());
  const filtered = hub.attach(transport(), principal({ id: 'b', role: 'admin' }));
  await sub(hub, filtered, spec({ filter: { n: { $gt: 5 } } }));
  const denied = hub.attach(transport(), principal({ id: 'c' }));
  await sub(hub, denied, spec());
  const elsewhere = hub.attach(transport(), principal({ id: 'd', role: 'admin', account: 'acct_b' }));
  await sub(hub, elsewhere, spec());
  const slowT = transport();
  const slow = hub.attach(slowT, principal({ id: 'e', role: 'admin' }));
  await sub(hub, slow, spec());
  slowT.buffered = 1000;
  const ev = () => recordEvent({ data: { id: 'x', title: 't', n: 1, published: false } });
  return { hub, bus, ev, ids: { delivered, filtered, denied, elsewhere, slow } };
}

describe('FlowRecorder', () => {
  it('records nothing, and the hub has no per-delivery listener, until someone acquires it', async () => {
    const { hub, bus, ev } = await fourWays();
    const rec = new FlowRecorder(hub.hooks);
    expect(hub.hooks.has('on_delivery')).toBe(false);
    bus.publish([ev()]);
    expect(rec.take()).toBeUndefined();
  });

  it("lists each subscription's outcome by connection, and cuts the list to a watcher's account", async () => {
    const { hub, bus, ev, ids } = await fourWays();
    const rec = new FlowRecorder(hub.hooks);
    const release = rec.acquire();
    expect(hub.hooks.has('on_delivery')).toBe(true);
    const e = ev();
    bus.publish([e]);
    const r = rec.take()!;
    expect(r.total).toBe(5);
    expect(flowFor(r, null)).toEqual({
      delivered: [ids.delivered.id],
      filtered: [ids.filtered.id],
      denied: [ids.denied.id, ids.elsewhere.id],
      dropped: [ids.slow.id],
      capped: false,
    });
    // The figures the hub counted agree with the list.
    expect(hub.outcomes.get(e.seq)).toMatchObject({
      sent: 1,
      skipped_filter: 1,
      skipped_rule: 2,
      dropped: 1,
    });
    expect(flowFor(r, 'default').denied).toEqual([ids.denied.id]);
    expect(flowFor(r, 'acct_b')).toEqual({
      delivered: [],
      filtered: [],
      denied: [ids.elsewhere.id],
      dropped: [],
      capped: false,
    });
    // take() starts afresh; an event with no subscriber is recorded as an empty list.
    bus.publish([recordEvent({ collection: 'other' })]);
    expect(rec.take()).toEqual({ ids: [], outcomes: [], accounts: [], total: 0 });
    release();
    release();
    expect(hub.hooks.has('on_delivery')).toBe(false);
    bus.publish([ev()]);
    expect(rec.take()).toBeUndefined();
  });

  it('keeps the first `max` and says it was capped', async () => {
    const { hub, bus, ev, ids } = await fourWays();
    const rec = new FlowRecorder(hub.hooks, 2);
    rec.acquire();
    bus.publish([ev()]);
    const r = rec.take()!;
    expect(r.ids).toEqual([ids.delivered.id, ids.filtered.id]);
    expect(r.total).toBe(5);
    expect(flowFor(r, null).capped).toBe(true);
  });

  it("records while another instance's watchers hold it, and stops when they stop saying so", async () => {
    const { hub } = await fourWays();
    const rec = new FlowRecorder(hub.hooks);
    rec.holdFor(60);
    rec.holdFor(60);
    const local = rec.acquire();
    expect(rec.active).toBe(true);
    local();
    expect(hub.hooks.has('on_delivery')).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    expect(rec.active).toBe(false);
    expect(hub.hooks.has('on_delivery')).toBe(false);
  });
});

describe('withFlow', () => {
  it('adds the flow for a watcher that wants it, only to events that have one', () => {
    const summary = { seq: 1 } as never;
    const flow = { ids: ['c1'], outcomes: [1], accounts: ['default'], total: 1 };
    const batch = [{ summary, flow }, { summary }];
    expect(withFlow(batch, null, false)).toEqual([summary, summary]);
    expect(withFlow(batch, 'default', true)).toEqual([
      { seq: 1, flow: { delivered: [], filtered: ['c1'], denied: [], dropped: [], capped: false } },
      summary,
    ]);
  });
});
