/** Displays: load (and refresh the watching counts), create, edit, new key, revoke, delete. */
import type { Display, DisplayInput, DisplayPatch } from '../../../../shared/displays';
import { call } from '../../sdk';
import { patch, useAppStore } from '../../store';
import { ready, track } from '../../store/resource';
import { toast } from '../../store/toasts';
import { attempt, type Outcome } from '../../lib/outcome';
import { displaysClient } from './api';

const current = () => useAppStore.getState().displays.list;
const setList = (fn: (items: Display[]) => Display[]) =>
  patch('displays', { list: ready(fn(current().data ?? [])) });
const put = (d: Display) =>
  setList((items) =>
    items.some((x) => x.id === d.id) ? items.map((x) => (x.id === d.id ? d : x)) : [...items, d],
  );

export async function loadDisplays(): Promise<void> {
  await track(
    current,
    (list) => patch('displays', { list }),
    async () => (await call(() => displaysClient().list())).items,
  );
}

/** Refreshes quietly (the watching counts) without a loading state. */
export async function refreshDisplays(): Promise<void> {
  try {
    const { items } = await call(() => displaysClient().list());
    patch('displays', { list: ready(items) });
  } catch {
    // the next refresh, or the screen's retry, shows the error
  }
}

export async function createDisplay(input: DisplayInput): Promise<Outcome<Display>> {
  const r = await attempt(() => call(() => displaysClient().create(input)));
  if (r.ok) {
    put(r.value);
    toast(`Display ${r.value.name} created.`);
  }
  return r;
}

export async function updateDisplay(id: string, p: DisplayPatch): Promise<Outcome<Display>> {
  const r = await attempt(() => call(() => displaysClient().update(id, p)));
  if (r.ok) {
    put(r.value);
    toast(`Display ${r.value.name} saved: its screens update now.`);
  }
  return r;
}

export async function revokeDisplayKey(d: Display): Promise<Outcome> {
  const r = await attempt(() => call(() => displaysClient().revokeKey(d.id)));
  if (r.ok) {
    put(r.value);
    toast(`Access of ${d.name} revoked.`);
  }
  return r.ok ? { ok: true, value: undefined } : r;
}

export async function newDisplayKey(d: Display): Promise<Outcome> {
  const r = await attempt(() => call(() => displaysClient().newKey(d.id)));
  if (r.ok) {
    put(r.value);
    toast(`New link for ${d.name}: open it on its screens.`);
  }
  return r.ok ? { ok: true, value: undefined } : r;
}

export async function deleteDisplay(d: Display): Promise<Outcome> {
  const r = await attempt(() => call(() => displaysClient().delete(d.id)));
  if (r.ok) {
    setList((items) => items.filter((x) => x.id !== d.id));
    toast(`Display ${d.name} deleted.`);
  }
  return r as Outcome;
}
