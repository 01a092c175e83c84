/** API keys: load, create (the secret comes back once, to the dialog only, never to the store), delete. */
import type { ApiKey, ApiKeyInput, CreatedApiKey } from '../../../../shared/admin';
import { call } from '../../sdk';
import { patch, useAppStore } from '../../store';
import { ready, track } from '../../store/resource';
import { toast } from '../../store/toasts';
import { attempt, type Outcome } from '../../lib/outcome';

const current = () => useAppStore.getState().keys.list;
const setList = (fn: (keys: ApiKey[]) => ApiKey[]) =>
  patch('keys', { list: ready(fn(current().data ?? [])) });

export async function loadKeys(): Promise<void> {
  await track(
    current,
    (list) => patch('keys', { list }),
    () => call((sb) => sb.admin.keys.list()),
  );
}

/** Creates a key; the outcome holds the secret for the dialog to show once. */
export async function createKey(input: ApiKeyInput): Promise<Outcome<CreatedApiKey>> {
  const r = await attempt(() => call((sb) => sb.admin.keys.create(input)));
  if (r.ok) {
    const { key: _secret, ...listed } = r.value;
    setList((keys) => [...keys, listed]);
  }
  return r;
}

export async function deleteKey(key: ApiKey): Promise<Outcome> {
  const r = await attempt(() => call((sb) => sb.admin.keys.delete(key.id)));
  if (r.ok) {
    setList((keys) => keys.filter((k) => k.id !== key.id));
    toast(`Key ${key.name} deleted.`);
  }
  return r as Outcome;
}
