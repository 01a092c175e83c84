import { describe, expect, it, vi } from 'vitest';
import { liveCollection, type LiveClient } from './live-collection';
import { ApiError, type ListParams } from './rest';
import { SubscriptionError } from './subscriptions';
import type { ClientEvent, ConnectionState, EventHandler, GapInfo } from './types';
import type { RecordData } from '../schema';

type Slide = RecordData & { rank: number };

/** An in-memory server: records, a seq, and the subscribers its writes are delivered to. */
class FakeServer {
  seq = 0;
  records = new Map<string, Slide>();
  handlers = new Set<EventHandler>();
  listCalls = 0;
  /** Runs inside each list call, before (`before`) or after (`after`) the snapshot is read. */
  during: { before?: () => void; after?: () => void } = {};
  failNextList: Error | undefined;
  private clock = 0;

  write(type: 'created' | 'updated' | 'deleted', id: string, rank = 0): void {
    const t = new Date(Date.UTC(2025, 0, 1, 0, 0, this.clock++)).toISOString();
    const prev = this.records.get(id);
    const data: Slide = { id, created_at: prev?.created_at ?? t, updated_at: t, rank };
    if (type === 'deleted') this.records.delete(id);
    else this.records.set(id, data);
    const event: ClientEvent = {
      seq: ++this.seq,
      type: `record.${type}`,
      collection: 'slides',
      record_id: id,
      data: type === 'deleted' ? prev : data,
      timestamp: t,
    };
    // note: delivered on a later task, as a socket would
    setTimeout(() => this.handlers.forEach((h) => h(event)), 0);
  }

  list(params: ListParams): {
    items: Slide[];
    total_items: number;
    page: number;
    per_page: number;
    total_pages: number;
  } {
    this.listCalls++;
    if (this.failNextList) {
      const e = this.failNextList;
      this.failNextList = undefined;
      throw e;
    }
    this.during.before?.();
    const all = [...this.records.values()].sort((a, b) => a.rank - b.rank);
    this.during.after?.();
    const per = params.per_page ?? 30;
    return { items: all.slice(0, per), total_items: all.length, page: 1, per_page: per, total_pages: 1 };
  }
}

function fakeClient(server: FakeServer, opts: { refuse?: boolean } = {}) {
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const gapListeners = new Set<(g: GapInfo) => void>();
  let state: ConnectionState = { status: 'open', transport: 'websocket', attempt: 0 };
  const client = {
    subscribe(_collection: string, _options: unknown, handler: EventHandler) {
      const fn: EventHandler = (e) => handler(e); // note: one entry per subscribe, as the SDK's subscription book
      server.handlers.add(fn);
      const ready = opts.refuse
        ? Promise.reject(new SubscriptionError('forbidden', 'no', 'slides'))
        : Promise.resolve();
      ready.catch(() => {});
      return Object.assign(() => void server.handlers.delete(fn), { ready });
    },
    onState(l: (s: ConnectionState) => void) {
      l(state);
      stateListeners.add(l);
      return () => void stateListeners.delete(l);
    },
    onGap(l: (g: GapInfo) => void) {
      gapListeners.add(l);
      return () => void gapListeners.delete(l);
    },
    records: () => ({ list: async (p: ListParams) => server.list(p) }),
    admin: { events: async () => ({ events: [], next_since: 0, last_seq: server.seq }) },
  };
  return {
    client: client as unknown as LiveClient,
    setState(status: ConnectionState['status']) {
      state = { ...state, status };
      stateListeners.forEach((l) => l(state));
    },
    gap: (g: GapInfo) => gapListeners.forEach((l) => l(g)),
  };
}

const ids = (items: readonly Slide[]): string[] => items.map((r) => r.id);

describe('liveCollection', () => {
  it('loads, then follows creates, updates and deletes in sort order', async () => {
    const server = new FakeServer();
    server.write('created', 'b', 2);
    server.write('created', 'a', 1);
    const { client } = fakeClient(server);
    const live = liveCollection<Slide>(client, 'slides', { sort: 'rank' });
    expect(live.state.status).toBe('loading');
    await vi.waitFor(() => expect(live.state.status).toBe('live'));
    expect(ids(live.state.items)).toEqual(['a', 'b']);
    server.write('created', 'c', 1.5);
    server.write('updated', 'a', 3);
    server.write('deleted', 'b');
    await vi.waitFor(() => expect(ids(live.state.items)).toEqual(['c', 'a']));
    expect(live.state.total).toBe(2);
    live.close();
  });

  it('applies a write that races the load exactly once (the load is retried until nothing raced it)', async () => {
    const server = new FakeServer();
    server.write('created', 'a', 1);
    const { client } = fakeClient(server);
    let raced = false;
    server.during.before = () => {
      if (raced) return;
      raced = true;
      server.write('created', 'x', 0); // in the snapshot, and its event reaches the buffer too
    };
    const live = liveCollection<Slide>(client, 'slides', { sort: 'rank' });
    await vi.waitFor(() => expect(live.state.status).toBe('live'));
    expect(server.listCalls).toBe(2);
    expect(ids(live.state.items)).toEqual(['x', 'a']);
    expect(live.state.total).toBe(2);
    live.close();
  });

  it('converges without doubles when every load races a write', async () => {
    const server = new FakeServer();
    server.write('created', 'a', 1);
    const { client } = fakeClient(server);
    let n = 0;
    server.during.before = () => server.write('created', `in${n++}`, 10 + n); // reflected
    server.during.after = () => server.write('created', `out${n}`, 20 + n); // not reflected
    const live = liveCollection<Slide>(client, 'slides', { sort: 'rank' });
    await vi.waitFor(() => expect(live.state.status).toBe('live'));
    server.during = {};
    await vi.waitFor(() => expect(live.state.items).toHaveLength(server.records.size));
    const shown = ids(live.state.items);
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toEqual([...server.records.values()].sort((a, b) => a.rank - b.rank).map((r) => r.id));
    expect(live.state.total).toBe(server.records.size);
    live.close();
  });

  it('keeps the window of `limit` records and refills it after a delete', async () => {
    const server = new FakeServer();
    for (const [id, rank] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      server.write('created', id, rank);
    const { client } = fakeClient(server);
    const live = liveCollection<Slide>(client, 'slides', { sort: 'rank', limit: 2 });
    await vi.waitFor(() => expect(ids(live.state.items)).toEqual(['a', 'b']));
    expect(live.state.total).toBe(3);
    server.write('deleted', 'a');
    await vi.waitFor(() => expect(ids(live.state.items)).toEqual(['b', 'c']));
    expect(live.state.total).toBe(2);
    live.close();
  });

  it('reloads after a retention gap', async () => {
    const server = new FakeServer();
    server.write('created', 'a', 1);
    const fake = fakeClient(server);
    const live = liveCollection<Slide>(fake.client, 'slides', { sort: 'rank' });
    await vi.waitFor(() => expect(live.state.status).toBe('live'));
    // events lost: the records change without any event reaching the subscriber
    server.records.set('lost', { id: 'lost', created_at: 'z', updated_at: 'z', rank: 0 });
    fake.gap({ collection: 'slides', oldest_seq: 5, last_seq: 9 });
    await vi.waitFor(() => expect(ids(live.state.items)).toEqual(['lost', 'a']));
    expect(server.handlers.size).toBe(1);
    live.close();
    expect(server.handlers.size).toBe(0);
  });

  it('reports reconnecting while the connection is down, keeping the list', async () => {
    const server = new FakeServer();
    server.write('created', 'a', 1);
    const fake = fakeClient(server);
    const live = liveCollection<Slide>(fake.client, 'slides');
    await vi.waitFor(() => expect(live.state.status).toBe('live'));
    const seen: string[] = [];
    live.onChange(() => seen.push(live.state.status));
    fake.setState('reconnecting');
    expect(live.state.status).toBe('reconnecting');
    expect(ids(live.state.items)).toEqual(['a']);
    fake.setState('open');
    expect(seen).toEqual(['reconnecting', 'live']);
    live.close();
  });

  it('retries a failed load and reports a refused subscription as an error', async () => {
    const server = new FakeServer();
    server.failNextList = new ApiError(503, 'unavailable', 'busy');
    const live = liveCollection<Slide>(fakeClient(server).client, 'slides');
    await vi.waitFor(() => expect(live.state.status).toBe('live'), { timeout: 5000 });
    expect(live.state.error).toBeUndefined();
    live.close();

    const refused = liveCollection<Slide>(fakeClient(new FakeServer(), { refuse: true }).client, 'slides');
    await vi.waitFor(() => expect(refused.state.status).toBe('error'));
    expect(refused.state.error).toBeInstanceOf(SubscriptionError);
    refused.close();
  });
});
