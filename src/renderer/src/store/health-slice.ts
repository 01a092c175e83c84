import type { StateCreator } from 'zustand';
import type { HealthInfo } from '../lib/health-api';
import type { AppState } from './index';

/** `loading` until the first answer; then `up` or `error` after each check. */
export type HealthStatus = 'loading' | 'up' | 'error';

/** The server's health as last seen. */
export interface HealthState {
  status: HealthStatus;
  /** The last successful response (kept while the server is down, to show what was running). */
  info: HealthInfo | null;
  /** Why the last check failed; null when it succeeded. */
  error: string | null;
  /** When the last check finished (ms since epoch). */
  checkedAt: number | null;
  /** A check is in flight. */
  checking: boolean;
}

/** The health slice: state plus the setters the health actions call. */
export interface HealthSlice {
  health: HealthState;
  healthChecking(): void;
  healthUp(info: HealthInfo, at: number): void;
  healthDown(error: string, at: number): void;
}

/** The state before the first check. */
export const initialHealth: HealthState = {
  status: 'loading',
  info: null,
  error: null,
  checkedAt: null,
  checking: false,
};

export const createHealthSlice: StateCreator<AppState, [], [], HealthSlice> = (set) => ({
  health: initialHealth,
  healthChecking: () => set((s) => ({ health: { ...s.health, checking: true } })),
  healthUp: (info, at) =>
    set({ health: { status: 'up', info, error: null, checkedAt: at, checking: false } }),
  healthDown: (error, at) =>
    set((s) => ({ health: { ...s.health, status: 'error', error, checkedAt: at, checking: false } })),
});
