/**
 * The open records table: which query its page cache holds, the cache itself (pages, total), the selection,
 * the rows to highlight after a live change, and the open record's newest version from elsewhere.
 */
import type { StateCreator } from 'zustand';
import type { RecordData } from '../../../../shared/schema';
import type { ResourceError } from '../../store/resource';
import type { AppState } from '../../store';
import { emptyCache, type PageCache } from './page-cache';

/** Checked rows: some ids, or every record the filter matches (`all`). */
export interface Selection {
  ids: ReadonlySet<string>;
  all: boolean;
  /** The row index last clicked, for shift-click ranges. */
  anchor: number | null;
}

export interface RecordsState {
  /** The query the cache holds: collection, filter and sort (see `queryKey`). */
  key: string;
  cache: PageCache;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: ResourceError | null;
  /** Ids changed by the last live batch, and a counter so a row can tell a new flash from an old one. */
  flash: { ids: ReadonlySet<string>; seq: number };
  selection: Selection;
  /** The open record as another writer left it (null: nothing new); `deleted` when it was deleted. */
  remote: { record: RecordData | null; deleted: boolean } | null;
}

export interface RecordsSlice {
  records: RecordsState;
}

export const emptySelection: Selection = { ids: new Set(), all: false, anchor: null };

export const initialRecords: RecordsState = {
  key: '',
  cache: emptyCache,
  status: 'idle',
  error: null,
  flash: { ids: new Set(), seq: 0 },
  selection: emptySelection,
  remote: null,
};

export const createRecordsSlice: StateCreator<AppState, [], [], RecordsSlice> = () => ({
  records: initialRecords,
});
