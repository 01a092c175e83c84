/**
 * The console's routes as plain data, kept in the URL's hash so that a deep link (a collection, its filter,
 * sort, page and open record) survives a reload and works when the console is served statically:
 * `#/collections/posts?filter=…&sort=-created_at&page=2&record=abc`. Pure: parse and format only; the store
 * (store/route.ts) listens to `hashchange` and navigates.
 */

/** Every screen of the console. Add a screen here, in `parseRoute`, and in app.tsx's screen map. */
export type Screen =
  'collections' | 'collection' | 'users' | 'keys' | 'settings' | 'monitor' | 'displays' | 'not-found';

/** Where the console is: a screen, its path parameters and its query (filter, sort, page, record, …). */
export interface Route {
  screen: Screen;
  /** The path after `#`, e.g. `/collections/posts`. */
  path: string;
  /** Path parameters, e.g. `{ name: 'posts' }` for a collection. */
  params: Record<string, string>;
  /** The query string's values. */
  query: Record<string, string>;
}

/** Screens whose path is one fixed segment. */
const FIXED: Partial<Record<string, Screen>> = {
  collections: 'collections',
  users: 'users',
  keys: 'keys',
  settings: 'settings',
  monitor: 'monitor',
  displays: 'displays',
};

/** The screen the console opens on. */
export const HOME = '/collections';

/** `#/collections/posts?page=2` -> a Route; an empty hash is the home screen. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || HOME;
  const q = raw.indexOf('?');
  const pathPart = q === -1 ? raw : raw.slice(0, q);
  const path = pathPart.startsWith('/') ? pathPart : `/${pathPart}`;
  const query = Object.fromEntries(new URLSearchParams(q === -1 ? '' : raw.slice(q + 1)));
  const parts = path.split('/').filter(Boolean).map(safeDecode);
  const [first, second, ...rest] = parts;
  let screen: Screen = 'not-found';
  const params: Record<string, string> = {};
  if (parts.length === 0) screen = 'collections';
  else if (first === 'collections' && second !== undefined && rest.length === 0) {
    screen = 'collection';
    params.name = second;
  } else if (first !== undefined && parts.length === 1) screen = FIXED[first] ?? 'not-found';
  return { screen, path, params, query };
}

/** A path and query -> the hash to put in the URL (empty query values are left out). */
export function formatHash(
  path: string,
  query: Record<string, string | number | undefined | null> = {},
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

/** The hash of a collection's screen, e.g. `collectionHref('posts', { sort: '-created_at' })`. */
export function collectionHref(
  name: string,
  query: Record<string, string | number | undefined> = {},
): string {
  return formatHash(`/collections/${encodeURIComponent(name)}`, query);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
