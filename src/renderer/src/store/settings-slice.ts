import type { StateCreator } from 'zustand';
import type { ScaleOutStatus } from '../lib/settings-api';
import type { AppState } from './index';

/** `idle` until the first load starts; `loading` while one runs; then `ready` or `error`. */
export type SettingsStatus = 'idle' | 'loading' | 'ready' | 'error';

/** Which change is being saved: a new Redis URL or going back to a single process. */
export type SettingsSaving = 'connect' | 'disconnect' | null;

/** The instance settings as last read, and the state of a change in progress. */
export interface SettingsState {
  status: SettingsStatus;
  /** The last successful answer (kept while a reload fails). */
  scaleOut: ScaleOutStatus | null;
  /** Why the last load failed; null when it succeeded. */
  error: string | null;
  saving: SettingsSaving;
  /** Why the last save failed (the server's reason for a rejected URL, or the request's error). */
  saveError: string | null;
}

/** The settings slice: state plus the setters the settings actions call. */
export interface SettingsSlice {
  settings: SettingsState;
  settingsLoading(): void;
  settingsLoaded(scaleOut: ScaleOutStatus): void;
  settingsLoadFailed(error: string): void;
  settingsSaving(saving: Exclude<SettingsSaving, null>): void;
  settingsSaved(scaleOut: ScaleOutStatus): void;
  settingsSaveFailed(error: string): void;
}

/** The state before the first load. */
export const initialSettings: SettingsState = {
  status: 'idle',
  scaleOut: null,
  error: null,
  saving: null,
  saveError: null,
};

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = (set) => ({
  settings: initialSettings,
  settingsLoading: () => set((s) => ({ settings: { ...s.settings, status: 'loading', error: null } })),
  settingsLoaded: (scaleOut) =>
    set((s) => ({ settings: { ...s.settings, status: 'ready', scaleOut, error: null } })),
  settingsLoadFailed: (error) => set((s) => ({ settings: { ...s.settings, status: 'error', error } })),
  settingsSaving: (saving) => set((s) => ({ settings: { ...s.settings, saving, saveError: null } })),
  settingsSaved: (scaleOut) =>
    set((s) => ({ settings: { ...s.settings, status: 'ready', scaleOut, saving: null, saveError: null } })),
  settingsSaveFailed: (error) =>
    set((s) => ({ settings: { ...s.settings, saving: null, saveError: error } })),
});
