/** The current route, mirrored from the URL's hash; navigating writes the hash (see lib/router.ts). */
import type { StateCreator } from 'zustand';
import { formatHash, HOME, parseRoute, type Route } from '../lib/router';
import { useAppStore, type AppState } from './index';

export interface RouteSlice {
  route: Route;
}

export const createRouteSlice: StateCreator<AppState, [], [], RouteSlice> = () => ({
  route: parseRoute(globalThis.location?.hash ?? ''),
});

/** Goes to `path` with `query` (a new history entry, so Back returns). */
export function navigate(path: string, query: Record<string, string | number | undefined> = {}): void {
  const hash = formatHash(path, query);
  if (location.hash === hash) return;
  location.hash = hash;
}

/**
 * Changes some query values of the current screen (undefined or '' removes one) without a new history
 * entry: a filter being typed should not fill the Back button.
 */
export function setQuery(update: Record<string, string | number | undefined>): void {
  const { route } = useAppStore.getState();
  const hash = formatHash(route.path, { ...route.query, ...update });
  history.replaceState(history.state, '', hash);
  useAppStore.setState({ route: parseRoute(hash) });
}

/** Follows the hash from now on; an empty hash becomes the home screen. */
export function startRouter(): () => void {
  const sync = (): void => useAppStore.setState({ route: parseRoute(location.hash) });
  if (!location.hash || location.hash === '#' || location.hash === '#/') {
    history.replaceState(history.state, '', `#${HOME}`);
  }
  sync();
  window.addEventListener('hashchange', sync);
  return () => window.removeEventListener('hashchange', sync);
}
