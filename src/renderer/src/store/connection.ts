/**
 * Connectivity, from the SDK's `onState` (no polling of our own): whether the realtime connection is open,
 * reconnecting or closed, plus the server's health (version, uptime), read once and again after each
 * reconnect.
 */
import type { StateCreator } from 'zustand';
import type { Health } from '../../../shared/admin';
import type { ConnectionState } from '../../../shared/client';
import { call, connection, sdk } from '../sdk';
import { idle, track, type Resource } from './resource';
import { patch, useAppStore, type AppState } from './index';

export interface ConnectionInfo {
  /** Base URL of the server, or null when there is none (the build opened from disk). */
  serverUrl: string | null;
  /** The SDK's connection state. */
  state: ConnectionState;
  health: Resource<Health>;
  /** When health was last read (ms since epoch), to count uptime on. */
  healthAt: number | null;
}

export interface ConnectionSlice {
  connection: ConnectionInfo;
}

export const createConnectionSlice: StateCreator<AppState, [], [], ConnectionSlice> = () => ({
  connection: { serverUrl: connection.serverUrl, state: sdk.state, health: idle(), healthAt: null },
});

/** Reads `/api/v1/health` once. */
export async function loadHealth(): Promise<void> {
  await track(
    () => useAppStore.getState().connection.health,
    (health) =>
      patch('connection', { health, ...(health.status === 'ready' ? { healthAt: Date.now() } : {}) }),
    () => call((sb) => sb.admin.health()),
  );
}

/** Mirrors the SDK's state into the store and re-reads health whenever the connection (re)opens. */
export function startConnectivity(): () => void {
  let wasOpen = false;
  void loadHealth();
  return sdk.onState((state) => {
    patch('connection', { state });
    const open = state.status === 'open' || state.status === 'polling';
    if (open && !wasOpen) void loadHealth();
    wasOpen = open;
  });
}
