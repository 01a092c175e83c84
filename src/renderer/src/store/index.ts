/**
 * The console's one store, built from typed slices (zustand's slices pattern). Middleware, if any, goes
 * here at the root only. Components select narrowly with `useShallow`; I/O lives in module-level actions.
 */
import { create } from 'zustand';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice';
import { createHealthSlice, type HealthSlice } from './health-slice';
import { createSettingsSlice, type SettingsSlice } from './settings-slice';

/** Everything the console keeps. */
export type AppState = ConnectionSlice & HealthSlice & SettingsSlice;

export const useAppStore = create<AppState>()((...a) => ({
  ...createConnectionSlice(...a),
  ...createHealthSlice(...a),
  ...createSettingsSlice(...a),
}));
