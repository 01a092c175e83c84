/** Display pages of the signed-in admin's account, with how many screens watch each now. */
import type { StateCreator } from 'zustand';
import type { Display } from '../../../../shared/displays';
import { idle, type Resource } from '../../store/resource';
import type { AppState } from '../../store';

export interface DisplaysState {
  list: Resource<Display[]>;
}

export interface DisplaysSlice {
  displays: DisplaysState;
}

export const createDisplaysSlice: StateCreator<AppState, [], [], DisplaysSlice> = () => ({
  displays: { list: idle() },
});
