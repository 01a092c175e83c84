/**
 * React bindings of the Switchboard SDK, a separate entry so the core SDK carries no React: served as
 * `/sdk/switchboard-react.js` (it imports `react` — a peer, resolved by your bundler or an import map —
 * and `./switchboard.js` beside it), or imported from source in a bundled app.
 *
 * - `SwitchboardProvider client={…}` puts a client in context; every hook also takes one explicitly.
 * - `useCollection([client,] name, {filter, sort, limit})` -> `{items, total, status, error}`: a list that
 *   stays live (see `liveCollection`: REST load, subscription with resume, no missed or doubled change).
 * - `useRecord([client,] name, id)` -> `{record, status, error}`: one record, live; null once deleted.
 * - `useRealtime(baseUrl, token)`: FastCMS's hook, same signature and semantics.
 * - `syncQueries`, `optimisticUpdate`, `optimisticHandlers`: the React Query state-sync helpers.
 */
import { createContext, createElement, useContext, useEffect, useState, type ReactNode } from 'react';
import {
  liveCollection,
  type LiveCollectionState,
  type LiveQuery,
  type LiveStatus,
  type SwitchboardClient,
} from './index';
import type { RecordData } from '../schema';

export { useRealtime, type RealtimeHook } from './react-realtime';
export {
  optimisticHandlers,
  optimisticUpdate,
  patchQueryData,
  syncQueries,
  type OptimisticOptions,
  type QueryClientLike,
  type QueryKey,
  type SyncQueriesOptions,
} from './query-sync';
export type { LiveCollectionState, LiveQuery, LiveStatus } from './index';

const ClientContext = createContext<SwitchboardClient | null>(null);

/** Makes `client` the one the hooks use when none is passed. */
export function SwitchboardProvider(props: { client: SwitchboardClient; children?: ReactNode }): ReactNode {
  return createElement(ClientContext.Provider, { value: props.client }, props.children);
}

/** The client of the nearest `SwitchboardProvider`; throws outside one. */
export function useSwitchboard(): SwitchboardClient {
  const client = useContext(ClientContext);
  if (!client)
    throw new Error('useSwitchboard: no client; wrap the tree in <SwitchboardProvider client={…}>');
  return client;
}

/** What {@link useCollection} returns. */
export type CollectionState<T> = LiveCollectionState<T>;

/** What {@link useRecord} returns: the record, or null when it does not exist (or was deleted). */
export interface RecordState<T> {
  record: T | null;
  status: LiveStatus;
  error: Error | undefined;
}

const LOADING: LiveCollectionState<never> = { items: [], total: 0, status: 'loading', error: undefined };

/** Reads the overloads' `[client,] name, …rest` arguments. */
function useArgs<R extends unknown[]>(
  args: [SwitchboardClient | string, ...unknown[]],
): [SwitchboardClient, string, ...R] {
  const fromContext = useContext(ClientContext);
  if (typeof args[0] === 'string') {
    if (!fromContext)
      throw new Error('no client: pass one or wrap the tree in <SwitchboardProvider client={…}>');
    return [fromContext, ...args] as [SwitchboardClient, string, ...R];
  }
  return args as [SwitchboardClient, string, ...R];
}

/** Runs a live collection while mounted and its inputs stay the same (compared by value). */
function useLive<T extends RecordData>(
  client: SwitchboardClient,
  name: string,
  query: LiveQuery,
  id: string | undefined,
): LiveCollectionState<T> {
  const [state, setState] = useState<LiveCollectionState<T>>(LOADING);
  // note: by value, so an inline `{ filter: {…} }` does not resubscribe on every render.
  const key = JSON.stringify([
    name,
    query.filter ?? null,
    query.sort ?? null,
    query.limit ?? null,
    id ?? null,
  ]);
  useEffect(() => {
    const live = liveCollection<T>(client, name, query, id === undefined ? {} : { id });
    setState(live.state);
    const off = live.onChange(() => setState(live.state));
    return () => {
      off();
      live.close();
    };
  }, [client, key]);
  return state;
}

/**
 * A live list: the first `limit` records of `name` matching `filter`, in `sort` order, and `total`.
 * `status` is `loading` until the first load, then `live` or `reconnecting` with the connection
 * (the list stays on screen and catches up on reconnect), `error` when refused.
 */
export function useCollection<T extends RecordData = RecordData>(
  name: string,
  query?: LiveQuery,
): CollectionState<T>;
export function useCollection<T extends RecordData = RecordData>(
  client: SwitchboardClient,
  name: string,
  query?: LiveQuery,
): CollectionState<T>;
export function useCollection<T extends RecordData = RecordData>(
  ...args: [SwitchboardClient | string, ...unknown[]]
): CollectionState<T> {
  const [client, name, query] = useArgs<[LiveQuery | undefined]>(args);
  return useLive<T>(client, name, query ?? {}, undefined);
}

/** One record, live: `record` follows every update and becomes null when it is deleted. */
export function useRecord<T extends RecordData = RecordData>(name: string, id: string): RecordState<T>;
export function useRecord<T extends RecordData = RecordData>(
  client: SwitchboardClient,
  name: string,
  id: string,
): RecordState<T>;
export function useRecord<T extends RecordData = RecordData>(
  ...args: [SwitchboardClient | string, ...unknown[]]
): RecordState<T> {
  const [client, name, id] = useArgs<[string]>(args);
  const state = useLive<T>(client, name, {}, id);
  return { record: state.items[0] ?? null, status: state.status, error: state.error };
}
