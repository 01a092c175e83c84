/** Instance settings (the superuser's): scale-out (Redis), limits, heartbeat and retention, and a change in progress. */
import type { StateCreator } from 'zustand';
import type { InstanceSettings } from '../../../../shared/admin';
import { idle, type Resource } from '../../store/resource';
import type { AppState } from '../../store';

export interface SettingsState {
  instance: Resource<InstanceSettings>;
  /** Which change is being saved: a new Redis URL or going back to a single process. */
  saving: 'connect' | 'disconnect' | null;
  /** Why the last save failed (the server's reason for a rejected URL, or the request's error). */
  saveError: string | null;
  /** A retention change is being saved. */
  savingRetention: boolean;
}

export interface SettingsSlice {
  settings: SettingsState;
}

export const initialSettings: SettingsState = {
  instance: idle(),
  saving: null,
  saveError: null,
  savingRetention: false,
};

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = () => ({
  settings: initialSettings,
});
