/** Reading and changing the instance settings through the SDK. */
import { call } from '../../sdk';
import { patch, useAppStore } from '../../store';
import type { SettingsPatch } from '../../../../shared/admin';
import { attempt, type Outcome } from '../../lib/outcome';
import { ready, toResourceError, track } from '../../store/resource';
import { toast } from '../../store/toasts';

let loading: Promise<void> | undefined;

/** Reads the settings; concurrent callers share one request. */
export function loadSettings(): Promise<void> {
  loading ??= track(
    () => useAppStore.getState().settings.instance,
    (instance) => patch('settings', { instance }),
    () => call((sb) => sb.admin.settings.get()),
  )
    .then(() => undefined)
    .finally(() => {
      loading = undefined;
    });
  return loading;
}

/**
 * Sets the Redis URL (null: back to a single process) and resolves true once the server has applied it.
 * On failure it resolves false and `settings.saveError` holds the reason; one change at a time.
 */
export async function setRedisUrl(redisUrl: string | null): Promise<boolean> {
  if (useAppStore.getState().settings.saving) return false;
  patch('settings', { saving: redisUrl === null ? 'disconnect' : 'connect', saveError: null });
  try {
    const instance = await call((sb) => sb.admin.settings.patch({ redis_url: redisUrl }));
    patch('settings', { instance: ready(instance), saving: null });
    return true;
  } catch (e) {
    const err = toResourceError(e);
    patch('settings', { saving: null, saveError: err.fields?.redis_url ?? err.message });
    return false;
  }
}

/** Saves the event retention (applied at once; the server trims the log now). */
export async function saveRetention(retention: NonNullable<SettingsPatch['retention']>): Promise<Outcome> {
  patch('settings', { savingRetention: true });
  const r = await attempt(() => call((sb) => sb.admin.settings.patch({ retention })));
  patch('settings', r.ok ? { instance: ready(r.value), savingRetention: false } : { savingRetention: false });
  if (r.ok) toast('Retention saved; the log was trimmed to it.');
  return r.ok ? { ok: true, value: undefined } : r;
}
