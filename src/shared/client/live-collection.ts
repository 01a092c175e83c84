/**
 * `liveCollection`: a REST list kept current by a subscription, without a missed or doubled change.
 *
 * The list endpoint does not say which seq its snapshot reflects, so a load goes:
 * 1. subscribe, and wait for `ready` (from then on every later event arrives);
 * 2. buffer events; read the event log's `last_seq` (L0), load the list, read `last_seq` again (L1);
 * 3. if L0 = L1 nothing committed meanwhile, so the snapshot is exactly "up to L0": apply buffered events
 *    above L0. If they differ (a write raced the load), try again a few times; then accept the snapshot as
 *    "at least L0" and apply everything above L0 — safe because an event the snapshot already reflects
 *    changes nothing (see `LiveList`). A list response that carries `last_seq` itself is used as is.
 *
 * Afterwards the SDK resumes the subscription across reconnects (`since`), a retention gap reloads,
 * and a window that lost records to deletes or leaves (`limit`) reloads to refill.
 */
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';
import type { SwitchboardClient, Unsubscribe } from './client';
import { LiveList } from './live-list';
import { ApiError, type ListResult } from './rest';
import type { ClientEvent, ConnectionStatus, SubscribeOptions } from './types';
import type { RecordData } from '../schema';

/** What to keep live: a filter in the filter language, the list's `sort`, and the window size. */
export interface LiveQuery {
  filter?: Record<string, unknown>;
  sort?: string;
  limit?: number;
}

/** `loading` until the first snapshot; then `live` or `reconnecting` with the connection; `error` when refused. */
export type LiveStatus = 'loading' | 'live' | 'reconnecting' | 'error';

/** A snapshot of a live collection. `items` is a new array after every change. */
export interface LiveCollectionState<T> {
  items: readonly T[];
  /** How many records match in all (more than `items.length` when `limit` cuts the window). */
  total: number;
  status: LiveStatus;
  /** The last error: a refused subscription, a failed load (retried unless permanent). */
  error: Error | undefined;
}

/** A live collection: read `state`, listen with `onChange`, `close` when done. */
export interface LiveCollection<T> {
  readonly state: LiveCollectionState<T>;
  /** Calls `listener` after every change of `state`; returns a function that stops it. */
  onChange(listener: () => void): () => void;
  /** Reloads the snapshot (events keep flowing meanwhile). */
  refresh(): void;
  /** Unsubscribes and stops reloading. */
  close(): void;
}

/** The part of a client a live collection uses (a `SwitchboardClient` has it). */
export type LiveClient = Pick<SwitchboardClient, 'subscribe' | 'onState' | 'onGap' | 'records' | 'admin'>;

/** Internal: the record mode of `useRecord` (subscribe by id, load with `get`). */
export interface LiveOptions {
  id?: string;
}

// note: three racing writes in a row means a busy server; the fallback is correct, only `total` may lag.
const EXACT_ATTEMPTS = 3;
// note: the server's largest page.
const MAX_PAGE = 500;

const LIVE: ReadonlySet<ConnectionStatus> = new Set(['open', 'polling']);

/** Errors a retry will not fix: the request itself is wrong or not allowed. */
function permanent(e: unknown): boolean {
  if (e instanceof ApiError) return e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429;
  return (e as { name?: string })?.name === 'SubscriptionError';
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * Keeps `query` over `collection` live. Starts at once; `close` it when done.
 *
 * ```ts
 * const live = liveCollection(client, 'slides', { filter: { shown: true }, sort: 'rank', limit: 10 });
 * live.onChange(() => render(live.state.items));
 * ```
 */
export function liveCollection<T extends RecordData = RecordData>(
  client: LiveClient,
  collection: string,
  query: LiveQuery = {},
  options: LiveOptions = {},
): LiveCollection<T> {
  const list = new LiveList<T>({ sort: query.sort, limit: options.id !== undefined ? 1 : query.limit });
  const listeners = new Set<() => void>();
  let conn: ConnectionStatus = 'idle';
  let loaded = false;
  let fatal: Error | undefined;
  let error: Error | undefined;
  let state: LiveCollectionState<T> = { items: [], total: 0, status: 'loading', error: undefined };
  let sub: Unsubscribe | undefined;
  let buffer: ClientEvent[] | null = null; // events since the running load began
  let loadGen = 0; // bumped by every new load, so a superseded one does nothing
  let retries = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let confirmed = false; // the subscription is up: loads may run

  const emit = (): void => {
    const status: LiveStatus = fatal
      ? 'error'
      : !loaded
        ? error
          ? 'error'
          : 'loading'
        : LIVE.has(conn)
          ? 'live'
          : conn === 'closed'
            ? 'error'
            : 'reconnecting';
    const next = { items: list.items, total: list.total, status, error: fatal ?? error };
    if (
      next.items === state.items &&
      next.total === state.total &&
      next.status === state.status &&
      next.error === state.error
    )
      return;
    state = next;
    for (const l of [...listeners]) l();
  };

  const subscribeOptions: SubscribeOptions = {};
  if (query.filter) subscribeOptions.filter = query.filter;
  if (options.id !== undefined) subscribeOptions.id = options.id;

  const onEvent = (event: ClientEvent): void => {
    if (closed || event.collection !== collection) return;
    buffer?.push(event);
    // note: applied to the shown window too, so changes show while a refill loads.
    if (loaded && list.apply(event)) {
      emit();
      if (list.needsRefill) schedule(0);
    }
  };

  const lastSeq = async (): Promise<number | undefined> => {
    try {
      return (await client.admin.events({ limit: 1 })).last_seq;
    } catch {
      return undefined; // note: no event log for this caller: fall back to "at least"
    }
  };

  const fetchItems = async (): Promise<{ items: T[]; total: number; seq?: number }> => {
    const api = client.records<T>(collection);
    if (options.id !== undefined) {
      try {
        return { items: [await api.get(options.id)], total: 1 };
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return { items: [], total: 0 };
        throw e;
      }
    }
    const want = query.limit ?? Infinity;
    const perPage = Math.min(want, MAX_PAGE);
    const byId = new Map<string, T>();
    let total = 0;
    let seq: number | undefined;
    for (let page = 1; ; page++) {
      const res: ListResult<T> & { last_seq?: unknown } = await api.list({
        ...(query.filter ? { filter: query.filter } : {}),
        ...(query.sort ? { sort: query.sort } : {}),
        page,
        per_page: perPage,
      });
      for (const r of res.items) if (byId.size < want) byId.set(r.id, r);
      total = res.total_items;
      if (typeof res.last_seq === 'number')
        seq = seq === undefined ? res.last_seq : Math.min(seq, res.last_seq);
      if (byId.size >= want || page >= res.total_pages || res.items.length === 0) break;
    }
    return { items: [...byId.values()], total, seq };
  };

  /** One load: bracketed by the event log's last seq until nothing raced it (see the module comment). */
  const load = async (gen: number): Promise<void> => {
    buffer = [];
    let snapshot: Awaited<ReturnType<typeof fetchItems>> | undefined;
    let from = 0;
    for (let attempt = 0; attempt < EXACT_ATTEMPTS; attempt++) {
      const l0 = await lastSeq();
      snapshot = await fetchItems();
      if (gen !== loadGen) return;
      if (snapshot.seq !== undefined) {
        from = snapshot.seq;
        break;
      }
      const l1 = l0 === undefined ? undefined : await lastSeq();
      from = l0 ?? 0;
      if (l0 === undefined || l0 === l1) break;
    }
    if (gen !== loadGen || !snapshot) return;
    list.reset(snapshot.items, snapshot.total, from);
    // note: a snapshot that is short by itself would be short again: only events trigger a refill.
    const short = list.needsRefill;
    for (const ev of buffer) list.apply(ev);
    buffer = null;
    loaded = true;
    error = undefined;
    retries = 0;
    emit();
    if (list.needsRefill && !short) schedule(0);
  };

  /** Starts a load now (superseding one in flight); failures retry with backoff unless permanent. */
  const reload = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (closed || fatal || !confirmed) return;
    const gen = ++loadGen;
    load(gen).catch((e: unknown) => {
      if (gen !== loadGen || closed) return;
      buffer = null;
      error = asError(e);
      if (permanent(e)) fatal = error;
      else schedule(backoffDelay(retries++, DEFAULT_BACKOFF));
      emit();
    });
  };

  function schedule(ms: number): void {
    if (closed || fatal || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      reload();
    }, ms);
  }

  /** A fresh subscription, then a load once the server confirmed it. */
  const start = (): void => {
    const previous = sub;
    const next = client.subscribe(collection, subscribeOptions, onEvent);
    sub = next;
    // note: the new handler joins before the old one leaves, so the wire subscription stays up.
    previous?.();
    loadGen++;
    confirmed = false;
    clearTimeout(timer);
    timer = undefined;
    next.ready.then(
      () => {
        if (sub !== next || closed) return;
        confirmed = true;
        reload();
      },
      (e: unknown) => {
        if (sub !== next || closed) return;
        fatal = error = asError(e);
        emit();
      },
    );
  };

  const offState = client.onState((s) => {
    conn = s.status;
    if (loaded || conn === 'closed') emit();
  });
  const offGap = client.onGap((gap) => {
    const c = gap.collection;
    // note: events were lost; after the SDK's own resubscribe settles, start over with a fresh snapshot.
    if (c === undefined || c === collection || c === '*') setTimeout(() => !closed && start(), 0);
  });
  start();

  return {
    get state() {
      return state;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    refresh: () => reload(),
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      loadGen++;
      offState();
      offGap();
      sub?.();
      listeners.clear();
    },
  };
}
