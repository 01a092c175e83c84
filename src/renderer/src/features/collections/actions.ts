/**
 * Collections: load (with record counts), create, rename, delete, save the schema or the rules, and the
 * rule dry run. Mutations resolve to an `Outcome` so the form that asked can put the server's messages on
 * its fields; the list is patched in place on success (the `collection.*` event reloads it too).
 */
import type {
  CollectionInput,
  CollectionListItem,
  CollectionPatch,
  RuleCheckInput,
  RuleCheckResult,
} from '../../../../shared/admin';
import type { RecordData } from '../../../../shared/schema';
import { attempt, type Outcome } from '../../lib/outcome';
import { call } from '../../sdk';
import { patch, useAppStore } from '../../store';
import { ready, track } from '../../store/resource';
import { navigate } from '../../store/route';
import { toast } from '../../store/toasts';

let inFlight: Promise<void> | undefined;
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
const current = () => useAppStore.getState().collections.list;
const setList = (fn: (list: CollectionListItem[]) => CollectionListItem[]) =>
  patch('collections', { list: ready(fn(current().data ?? []).sort(byName)) });

/** Reads the collections (concurrent callers share one request). */
export function loadCollections(): Promise<void> {
  inFlight ??= track(
    current,
    (list) => patch('collections', { list }),
    async () => (await call((sb) => sb.admin.collections.list())).sort(byName),
  )
    .then(() => undefined)
    .finally(() => {
      inFlight = undefined;
    });
  return inFlight;
}

/** Creates a collection and opens its schema. */
export async function createCollection(input: CollectionInput): Promise<Outcome<CollectionListItem>> {
  const r = await attempt(() => call((sb) => sb.admin.collections.create(input)));
  if (r.ok) {
    setList((list) => [...list.filter((c) => c.name !== r.value.name), { ...r.value, count: 0 }]);
    toast(`Collection ${r.value.name} created.`);
  }
  return r;
}

/** Changes a collection (name, fields, rules); a rename moves the screen to the new name. */
export async function updateCollection(
  name: string,
  change: CollectionPatch,
  message: string,
): Promise<Outcome<CollectionListItem>> {
  const r = await attempt(() => call((sb) => sb.admin.collections.update(name, change)));
  if (r.ok) {
    setList((list) => list.map((c) => (c.name === name ? { ...r.value, count: c.count } : c)));
    toast(message);
    const route = useAppStore.getState().route;
    if (r.value.name !== name && route.screen === 'collection' && route.params.name === name)
      navigate(`/collections/${encodeURIComponent(r.value.name)}`, route.query);
  }
  return r;
}

/** Drops a collection and its records. */
export async function deleteCollection(name: string): Promise<Outcome> {
  const r = await attempt(() => call((sb) => sb.admin.collections.delete(name)));
  if (r.ok) {
    setList((list) => list.filter((c) => c.name !== name));
    toast(`Collection ${name} deleted.`);
    const route = useAppStore.getState().route;
    if (route.screen === 'collection' && route.params.name === name) navigate('/collections');
  }
  return r as Outcome;
}

/**
 * How many records hold a value in each of `fields` (to say what dropping them loses). A field whose
 * count cannot be read (the list rule refuses, say) maps to null.
 */
export async function countValues(
  collection: string,
  fields: string[],
): Promise<Record<string, number | null>> {
  const counts = await Promise.all(
    fields.map(async (f) => {
      try {
        const page = await call((sb) =>
          sb.records(collection).list({ filter: { [f]: { $null: false } }, per_page: 1 }),
        );
        return [f, page.total_items] as const;
      } catch {
        return [f, null] as const;
      }
    }),
  );
  return Object.fromEntries(counts);
}

/** Loads the users and keys a dry run may check as (the account's; everyone's for the superuser). */
export async function loadPrincipals(): Promise<void> {
  await track(
    () => useAppStore.getState().collections.principals,
    (principals) => patch('collections', { principals }),
    async () => {
      const [users, keys] = await Promise.all([
        call((sb) => sb.admin.users.list()),
        call((sb) => sb.admin.keys.list()).catch(() => []),
      ]);
      return { users, keys };
    },
  );
}

/** A few recent records of a collection, to pick one for a dry run. */
export async function recentRecords(collection: string): Promise<RecordData[]> {
  const page = await call((sb) => sb.records(collection).list({ sort: '-created_at', per_page: 20 }));
  return page.items;
}

/** Runs a rule dry run. */
export function checkRule(collection: string, input: RuleCheckInput): Promise<Outcome<RuleCheckResult>> {
  return attempt(() => call((sb) => sb.admin.collections.checkRule(collection, input)));
}
