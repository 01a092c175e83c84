/** LAN sharing: whether the server also listens on the LAN, and the URLs other machines open. */
import type { StateCreator } from 'zustand';
import type { SharingStatus } from '../../../../shared/displays';
import { idle, type Resource } from '../../store/resource';
import type { AppState } from '../../store';

export interface SharingState {
  status: Resource<SharingStatus>;
}

export interface SharingSlice {
  sharing: SharingState;
}

export const createSharingSlice: StateCreator<AppState, [], [], SharingSlice> = () => ({
  sharing: { status: idle() },
});
