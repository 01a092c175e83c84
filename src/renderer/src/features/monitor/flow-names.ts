/**
 * Names for the Flow view's nodes. A writer is an event's actor id (a user's or an API key's): shown as
 * the user's email or the key's name, looked up once per id (the keys' list once, then one user at a
 * time, at most a few hundred per session). A connection shows its user's email (or "key" /
 * "anonymous") and dialect, from the monitor's connection table.
 */
import { call } from '../../sdk';
import { ANONYMOUS, OTHERS } from './flow-model';
import { live } from './live-data';

const names = new Map<string, string>();
const queue = new Set<string>();
let keysLoaded = false;
let running = false;
// note: a busy venue has a handful of writers; past this many lookups the ids are shown as they are.
const MAX_LOOKUPS = 300;
let lookups = 0;
const listeners = new Set<() => void>();

/** Calls `fn` whenever names were resolved (the Flow tab redraws its labels); returns the unsubscribe. */
export function onNames(fn: () => void): () => void {
  listeners.add(fn);
  return () => void listeners.delete(fn);
}

const short = (id: string) => (id.length > 8 ? `${id.slice(0, 8)}…` : id);

/** A writer's label: an email, `key <name>`, `anonymous`, or the id while it is being looked up. */
export function writerLabel(key: string, others?: number): string {
  if (key === OTHERS) return `${others ?? 0} others`;
  if (key === ANONYMOUS) return 'anonymous';
  const known = names.get(key);
  if (known) return known;
  for (const c of live.connections.values()) {
    if (c.user_id === key && c.email) {
      names.set(key, c.email);
      return c.email;
    }
  }
  if (lookups < MAX_LOOKUPS && !queue.has(key)) {
    queue.add(key);
    void resolve();
  }
  return short(key);
}

async function resolve(): Promise<void> {
  if (running) return;
  running = true;
  try {
    if (!keysLoaded) {
      keysLoaded = true;
      lookups++;
      const keys = await call((sb) => sb.admin.keys.list()).catch(() => []);
      for (const k of keys) names.set(k.id, `key ${k.name}`);
    }
    for (const id of queue) {
      queue.delete(id);
      if (names.has(id) || lookups >= MAX_LOOKUPS) continue;
      lookups++;
      const user = await call((sb) => sb.admin.users.get(id)).catch(() => undefined);
      // note: an id that is neither a user nor a key we may see stays as it is, and is not asked again.
      names.set(id, user?.email ?? short(id));
    }
  } finally {
    running = false;
    for (const fn of listeners) fn();
  }
}

/** A connection's label: who (email, key or anonymous) and its dialect. */
export function connectionLabel(id: string, others?: number): string {
  if (id === OTHERS) return `${others ?? 0} others`;
  const c = live.connections.get(id);
  if (!c) return `closed · ${short(id)}`;
  const who = c.email ?? (c.kind === 'key' ? 'key' : c.user_id ? short(c.user_id) : 'anonymous');
  return `${who} · ${c.dialect} · ${id.slice(0, 6)}`;
}

/** A collection's label. */
export function collectionLabel(name: string, others?: number): string {
  return name === OTHERS ? `${others ?? 0} others` : name;
}
