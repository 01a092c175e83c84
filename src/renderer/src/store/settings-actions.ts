/** Loading and changing the instance settings; they write to the store, components only read it. */
import { fetchScaleOut, saveRedisUrl, SettingsApiError } from '../lib/settings-api';
import { useAppStore } from './index';

let loading: Promise<void> | undefined;

/** The server and the admin token to send, or null when the console has no admin rights. */
function target(): { serverUrl: string; token: string } | null {
  const { serverUrl, adminToken } = useAppStore.getState().connection;
  return serverUrl && adminToken ? { serverUrl, token: adminToken } : null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function runLoad(): Promise<void> {
  const t = target();
  if (!t) return;
  useAppStore.getState().settingsLoading();
  try {
    useAppStore.getState().settingsLoaded(await fetchScaleOut(t.serverUrl, t.token));
  } catch (err) {
    useAppStore.getState().settingsLoadFailed(messageOf(err));
  }
}

/** Reads the settings now (does nothing without an admin token); concurrent callers share one request. */
export function loadSettings(): Promise<void> {
  loading ??= runLoad().finally(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * Sets the Redis URL (null: back to a single process) and resolves true once the server has applied it.
 * On failure it resolves false and the store holds the reason; one change at a time.
 */
export async function setRedisUrl(redisUrl: string | null): Promise<boolean> {
  const t = target();
  const store = useAppStore.getState();
  if (!t || store.settings.saving) return false;
  store.settingsSaving(redisUrl === null ? 'disconnect' : 'connect');
  try {
    useAppStore.getState().settingsSaved(await saveRedisUrl(t.serverUrl, t.token, redisUrl));
    return true;
  } catch (err) {
    const reason = err instanceof SettingsApiError && err.field ? err.field : messageOf(err);
    useAppStore.getState().settingsSaveFailed(reason);
    return false;
  }
}
