/**
 * The collections (names, fields, rules, record counts): the sidebar lists them, the overview and the
 * collection screen (schema, rules, dry run) build on them. Who a dry run may check as (the account's users
 * and keys) is loaded once the Rules tab asks.
 */
import type { StateCreator } from 'zustand';
import type { ApiKey, CollectionListItem, User } from '../../../../shared/admin';
import { idle, type Resource } from '../../store/resource';
import type { AppState } from '../../store';

export interface CollectionsState {
  list: Resource<CollectionListItem[]>;
  /** The users and keys a rule dry run may check as. */
  principals: Resource<{ users: User[]; keys: ApiKey[] }>;
}

export interface CollectionsSlice {
  collections: CollectionsState;
}

export const initialCollections: CollectionsState = { list: idle(), principals: idle() };

export const createCollectionsSlice: StateCreator<AppState, [], [], CollectionsSlice> = () => ({
  collections: initialCollections,
});
