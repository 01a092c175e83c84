import { describe, expect, it } from 'vitest';
import {
  optimisticUpdate,
  patchQueryData,
  syncQueries,
  type QueryClientLike,
  type QueryKey,
} from './query-sync';
import type { ClientEvent, EventHandler, GapInfo } from './types';

/** The structural QueryClient: a cache by key, and a log of invalidations. */
class FakeQueryClient implements QueryClientLike {
  data = new Map<string, unknown>();
  invalidated: string[] = [];
  getQueryData(key: QueryKey): unknown {
    return this.data.get(JSON.stringify(key));
  }
  setQueryData(key: QueryKey, updater: unknown): unknown {
    const k = JSON.stringify(key);
    const next =
      typeof updater === 'function' ? (updater as (o: unknown) => unknown)(this.data.get(k)) : updater;
    this.data.set(k, next);
    return next;
  }
  invalidateQueries(filters: { queryKey: QueryKey }): Promise<void> {
    this.invalidated.push(JSON.stringify(filters.queryKey));
    return Promise.resolve();
  }
}

function fakeClient() {
  const handlers = new Set<EventHandler>();
  const gaps = new Set<(g: GapInfo) => void>();
  return {
    handlers,
    emit: (e: ClientEvent) => handlers.forEach((h) => h(e)),
    gap: (g: GapInfo) => gaps.forEach((l) => l(g)),
    subscribe(_c: string, _o: unknown, fn: EventHandler) {
      handlers.add(fn);
      return Object.assign(() => void handlers.delete(fn), { ready: Promise.resolve() });
    },
    onGap(l: (g: GapInfo) => void) {
      gaps.add(l);
      return () => void gaps.delete(l);
    },
  };
}

const rec = (id: string, rank: number) => ({ id, rank, created_at: 't', updated_at: 't' });
let seq = 0;
const ev = (
  type: 'created' | 'updated' | 'deleted',
  data: ReturnType<typeof rec>,
  match?: 'leave',
): ClientEvent => ({
  seq: ++seq,
  type: `record.${type}`,
  collection: 'gifts',
  record_id: data.id,
  data,
  timestamp: 't',
  ...(match ? { match } : {}),
});

describe('patchQueryData', () => {
  it('patches arrays, list pages and single records', () => {
    const list = [rec('a', 1), rec('c', 3)];
    expect(patchQueryData(list, ev('created', rec('b', 2)), 'rank')).toEqual([
      rec('a', 1),
      rec('b', 2),
      rec('c', 3),
    ]);
    expect(patchQueryData(list, ev('created', rec('b', 2)))).toEqual([rec('a', 1), rec('c', 3), rec('b', 2)]);
    expect(patchQueryData(list, ev('updated', rec('a', 9)))).toEqual([rec('a', 9), rec('c', 3)]);
    expect(patchQueryData(list, ev('updated', rec('a', 1), 'leave'))).toEqual([rec('c', 3)]);
    const page = { items: list, total_items: 2, page: 1 };
    expect(patchQueryData(page, ev('deleted', rec('a', 1)))).toEqual({
      items: [rec('c', 3)],
      total_items: 1,
      page: 1,
    });
    expect(patchQueryData(rec('a', 1), ev('updated', rec('a', 2)))).toEqual(rec('a', 2));
    expect(patchQueryData(rec('a', 1), ev('deleted', rec('a', 1)))).toBeNull();
    expect(patchQueryData(undefined, ev('created', rec('a', 1)))).toBeUndefined();
  });
});

describe('syncQueries', () => {
  it('invalidates once per burst of events, and on a gap', async () => {
    const client = fakeClient();
    const qc = new FakeQueryClient();
    const stop = syncQueries(client, qc, { collection: 'gifts', queryKey: ['gifts', 1] });
    client.emit(ev('created', rec('a', 1)));
    client.emit(ev('created', rec('b', 2)));
    await Promise.resolve();
    expect(qc.invalidated).toEqual(['["gifts",1]']);
    client.gap({ collection: 'gifts' });
    await Promise.resolve();
    expect(qc.invalidated).toHaveLength(2);
    stop();
    expect(client.handlers.size).toBe(0);
  });

  it('patches the cached data without a request', () => {
    const client = fakeClient();
    const qc = new FakeQueryClient();
    qc.setQueryData(['gifts'], [rec('a', 1)]);
    syncQueries(client, qc, { collection: 'gifts', queryKey: ['gifts'], mode: 'patch', sort: 'rank' });
    client.emit(ev('created', rec('b', 0)));
    expect(qc.getQueryData(['gifts'])).toEqual([rec('b', 0), rec('a', 1)]);
    expect(qc.invalidated).toEqual([]);
  });

  it('puts a new record among its ties where the server lists it: last ascending, first descending', () => {
    const list = [rec('a', 1), rec('b', 1)];
    expect(patchQueryData(list, ev('created', rec('c', 1)), 'rank')).toEqual([...list, rec('c', 1)]);
    expect(patchQueryData(list, ev('created', rec('c', 1)), '-rank')).toEqual([rec('c', 1), ...list]);
  });
});

describe('optimisticUpdate', () => {
  it('shows the change at once and rolls it back when the write fails', async () => {
    const qc = new FakeQueryClient();
    qc.setQueryData(['gifts'], [rec('a', 1)]);
    const update = (old: ReturnType<typeof rec>[] | undefined) => (old ?? []).map((r) => ({ ...r, rank: 5 }));
    let seen: unknown;
    const failing = optimisticUpdate(qc, {
      queryKey: ['gifts'],
      update,
      mutate: async () => {
        seen = qc.getQueryData(['gifts']);
        throw new Error('refused');
      },
    });
    await expect(failing).rejects.toThrow('refused');
    expect(seen).toEqual([rec('a', 5)]);
    expect(qc.getQueryData(['gifts'])).toEqual([rec('a', 1)]);
    expect(qc.invalidated).toEqual(['["gifts"]']);

    await expect(
      optimisticUpdate(qc, { queryKey: ['gifts'], update, mutate: async () => 'ok' }),
    ).resolves.toBe('ok');
    expect(qc.getQueryData(['gifts'])).toEqual([rec('a', 5)]);
  });
});
