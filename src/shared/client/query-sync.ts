/**
 * React Query state sync (websocket-realtime-patterns.txt, "State Synchronization Pattern"): load with
 * REST through `useQuery`, then let events invalidate or patch the cached query, and update
 * optimistically with rollback. Written against the few `QueryClient` methods it calls, so it works with
 * TanStack Query v4/v5 (or anything shaped like it) without depending on it.
 */
import type { SwitchboardClient } from './client';
import { compareRecords, compareValues, membership, parseSort } from './live-list';
import type { ClientEvent, SubscribeOptions } from './types';

/** A query key, as TanStack Query takes it. */
export type QueryKey = readonly unknown[];

/** The methods of TanStack Query's `QueryClient` these helpers use. */
export interface QueryClientLike {
  getQueryData(queryKey: QueryKey): unknown;
  setQueryData(queryKey: QueryKey, updater: unknown): unknown;
  invalidateQueries(filters: { queryKey: QueryKey }): unknown;
  cancelQueries?(filters: { queryKey: QueryKey }): unknown;
}

/** Options of {@link syncQueries}. */
export interface SyncQueriesOptions {
  collection: string;
  queryKey: QueryKey;
  /**
   * `invalidate` (default): mark the query stale on each event (bursts coalesce into one refetch).
   * `patch`: write the change into the cached data — a record array, a list page `{items, total_items}`, or
   * one record — without a request.
   */
  mode?: 'invalidate' | 'patch';
  /** Subscription filter (a live query: records leave the cached list when they stop matching). */
  filter?: Record<string, unknown>;
  /** Only events of this record (for a query that holds one record). */
  id?: string;
  /** `patch` mode: the list's sort, so a new record goes where the server would put it (else at the end). */
  sort?: string;
  /** `patch` mode: your own patch instead of the built-in one. */
  patch?: (old: unknown, event: ClientEvent) => unknown;
}

type Rec = Record<string, unknown> & { id?: unknown };

function patchArray(old: readonly Rec[], event: ClientEvent, sort: string | undefined): Rec[] {
  const m = membership(event);
  if (!m) return old as Rec[];
  const next = old.filter((r) => r.id !== event.record_id);
  if (m.after && event.data) {
    const i = old.findIndex((r) => r.id === event.record_id);
    if (sort === undefined && i >= 0) next.splice(i, 0, event.data);
    else {
      const keys = parseSort(sort);
      const d = event.data;
      // Ties go by creation in the direction of the last key, as the server's rowid does; the event's is the newest.
      const dir = keys.at(-1)?.desc ? -1 : 1;
      const after = (r: Rec) =>
        (compareRecords(keys, r, d) || dir * (compareValues(r.created_at, d.created_at) || -1)) > 0;
      const at = sort === undefined ? -1 : next.findIndex(after);
      next.splice(at < 0 ? next.length : at, 0, event.data);
    }
  }
  return next;
}

/** The built-in patch: an array of records, a list page (`items` + `total_items`), or one record. */
export function patchQueryData(old: unknown, event: ClientEvent, sort?: string): unknown {
  if (old === undefined || old === null) return old;
  if (Array.isArray(old)) return patchArray(old as Rec[], event, sort);
  const page = old as { items?: unknown; total_items?: unknown };
  if (Array.isArray(page.items)) {
    const items = patchArray(page.items as Rec[], event, sort);
    const out: Record<string, unknown> = { ...page, items };
    if (typeof page.total_items === 'number')
      out.total_items = page.total_items + items.length - page.items.length;
    return out;
  }
  if ((old as Rec).id === event.record_id) {
    const m = membership(event);
    return m?.after ? event.data : null;
  }
  return old;
}

/**
 * Keeps a React Query query in step with a collection: each event invalidates or patches
 * `queryKey`, and a retention gap (events lost) invalidates it. Returns the function that stops it.
 *
 * ```ts
 * useEffect(() => syncQueries(client, queryClient, { collection: 'posts', queryKey: ['posts'] }), []);
 * ```
 */
export function syncQueries(
  client: Pick<SwitchboardClient, 'subscribe' | 'onGap'>,
  queryClient: QueryClientLike,
  options: SyncQueriesOptions,
): () => void {
  const { collection, queryKey, mode = 'invalidate' } = options;
  let pending = false;
  const invalidate = (): void => {
    // note: a burst of events in one task asks for one refetch.
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      void queryClient.invalidateQueries({ queryKey });
    });
  };
  const subscribeOptions: SubscribeOptions = {};
  if (options.filter) subscribeOptions.filter = options.filter;
  if (options.id !== undefined) subscribeOptions.id = options.id;
  const off = client.subscribe(collection, subscribeOptions, (event) => {
    if (mode === 'invalidate') return invalidate();
    const patch = options.patch ?? ((old: unknown, ev: ClientEvent) => patchQueryData(old, ev, options.sort));
    queryClient.setQueryData(queryKey, (old: unknown) => patch(old, event));
  });
  const offGap = client.onGap((gap) => {
    if (gap.collection === undefined || gap.collection === collection || gap.collection === '*') invalidate();
  });
  return () => {
    off();
    offGap();
  };
}

/** Options of {@link optimisticUpdate}. */
export interface OptimisticOptions<TData, TResult> {
  queryKey: QueryKey;
  /** The cached data as it should look if the write succeeds. */
  update: (old: TData | undefined) => TData | undefined;
  /** The write itself, e.g. `() => client.records('gifts').update(id, fields)`. */
  mutate: () => Promise<TResult>;
  /** Refetch the query once the write settled (default true: the server has the last word). */
  invalidate?: boolean;
}

/**
 * Updates the cached query at once, runs the write, and puts the old data back if it fails
 * (rethrowing the error). Outside `useMutation`; for it, spread {@link optimisticHandlers}.
 */
export async function optimisticUpdate<TData, TResult>(
  queryClient: QueryClientLike,
  options: OptimisticOptions<TData, TResult>,
): Promise<TResult> {
  const handlers = optimisticHandlers<TData, void>(queryClient, options.queryKey, () => options.update);
  const context = await handlers.onMutate();
  try {
    return await options.mutate();
  } catch (e) {
    handlers.onError(e, undefined, context);
    throw e;
  } finally {
    if (options.invalidate !== false) handlers.onSettled();
  }
}

/**
 * `onMutate`/`onError`/`onSettled` for `useMutation`, as in the reference's step 4: cancel the query,
 * remember it, apply `update(variables)`, roll back on error, refetch when settled.
 */
export function optimisticHandlers<TData, TVariables>(
  queryClient: QueryClientLike,
  queryKey: QueryKey,
  update: (variables: TVariables) => (old: TData | undefined) => TData | undefined,
): {
  onMutate: (variables: TVariables) => Promise<{ previous: unknown }>;
  onError: (error: unknown, variables: TVariables, context: { previous: unknown } | undefined) => void;
  onSettled: () => void;
} {
  return {
    async onMutate(variables) {
      await queryClient.cancelQueries?.({ queryKey });
      const previous = queryClient.getQueryData(queryKey);
      queryClient.setQueryData(queryKey, update(variables));
      return { previous };
    },
    onError(_error, _variables, context) {
      if (context) queryClient.setQueryData(queryKey, () => context.previous);
    },
    onSettled() {
      void queryClient.invalidateQueries({ queryKey });
    },
  };
}
