/**
 * The console's one store, built from typed slices (zustand's slices pattern). Each slice owns one key of
 * the state (`users`, `keys`, …) and is declared in its feature's `slice.ts`; its `actions.ts` does the I/O
 * through the SDK and writes with {@link patch}. Middleware, if any, goes here at the root only.
 * Components select narrowly (`useAppStore(useShallow((s) => …))`).
 *
 * To add a feature: write `features/<name>/slice.ts` exporting `<Name>Slice` and `create<Name>Slice`, then
 * add both below (and to `SESSION_KEYS` if its data belongs to the signed-in user).
 */
import { create } from 'zustand';
import { createAuthSlice, type AuthSlice } from '../features/auth/slice';
import { createCollectionsSlice, type CollectionsSlice } from '../features/collections/slice';
import { createDisplaysSlice, type DisplaysSlice } from '../features/displays/slice';
import { createKeysSlice, type KeysSlice } from '../features/keys/slice';
import { createMonitorSlice, type MonitorSlice } from '../features/monitor/slice';
import { createRecordsSlice, type RecordsSlice } from '../features/records/slice';
import { createSettingsSlice, type SettingsSlice } from '../features/settings/slice';
import { createSharingSlice, type SharingSlice } from '../features/sharing/slice';
import { createUsersSlice, type UsersSlice } from '../features/users/slice';
import { createConnectionSlice, type ConnectionSlice } from './connection';
import { createPrefsSlice, type PrefsSlice } from './prefs';
import { createRouteSlice, type RouteSlice } from './route';
import { createToastsSlice, type ToastsSlice } from './toasts';

/** Everything the console keeps. */
export type AppState = ConnectionSlice &
  RouteSlice &
  PrefsSlice &
  ToastsSlice &
  AuthSlice &
  CollectionsSlice &
  UsersSlice &
  KeysSlice &
  RecordsSlice &
  SettingsSlice &
  MonitorSlice &
  DisplaysSlice &
  SharingSlice;

export const useAppStore = create<AppState>()((...a) => ({
  ...createConnectionSlice(...a),
  ...createRouteSlice(...a),
  ...createPrefsSlice(...a),
  ...createToastsSlice(...a),
  ...createAuthSlice(...a),
  ...createCollectionsSlice(...a),
  ...createUsersSlice(...a),
  ...createKeysSlice(...a),
  ...createRecordsSlice(...a),
  ...createSettingsSlice(...a),
  ...createMonitorSlice(...a),
  ...createDisplaysSlice(...a),
  ...createSharingSlice(...a),
}));

/** Merges `update` into one slice's state (an object, or a function of the current one). */
export function patch<K extends keyof AppState>(
  key: K,
  update: Partial<AppState[K]> | ((current: AppState[K]) => Partial<AppState[K]>),
): void {
  useAppStore.setState((s) => {
    const next = typeof update === 'function' ? update(s[key]) : update;
    return { [key]: { ...s[key], ...next } } as unknown as Partial<AppState>;
  });
}

/** The slices that hold the signed-in user's data: emptied when the session ends. */
const SESSION_KEYS = [
  'collections',
  'users',
  'keys',
  'settings',
  'records',
  'monitor',
  'displays',
  'sharing',
] as const satisfies (keyof AppState)[];
const initial = useAppStore.getState();

/** Forgets the signed-in user's data (after sign-out), so the next user never sees it. */
export function resetSessionData(): void {
  useAppStore.setState(Object.fromEntries(SESSION_KEYS.map((k) => [k, initial[k]])) as Partial<AppState>);
}
