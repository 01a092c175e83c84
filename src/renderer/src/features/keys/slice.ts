/** API keys of the signed-in admin's account; the secret of a new key is shown once, then forgotten. */
import type { StateCreator } from 'zustand';
import type { ApiKey } from '../../../../shared/admin';
import { idle, type Resource } from '../../store/resource';
import type { AppState } from '../../store';

export interface KeysState {
  list: Resource<ApiKey[]>;
}

export interface KeysSlice {
  keys: KeysState;
}

export const initialKeys: KeysState = { list: idle() };

export const createKeysSlice: StateCreator<AppState, [], [], KeysSlice> = () => ({ keys: initialKeys });
