/**
 * The shell's live wiring: once signed in, subscribe to schema events (so the sidebar follows collections
 * created or dropped anywhere) — which is also what opens the realtime connection the status shows — and
 * reload after a gap. Signing out unsubscribes.
 */
import { loadCollections } from '../features/collections/actions';
import type { Unsubscribe } from '../../../shared/client';
import { sdk } from '../sdk';
import { useAppStore } from '../store';

/** Starts following the session; returns a function that stops. */
export function startLive(): () => void {
  let off: Unsubscribe | undefined;
  const offGap = sdk.onGap(() => void loadCollections());
  const follow = (signedIn: boolean): void => {
    if (signedIn && !off) {
      void loadCollections();
      off = sdk.subscribe(
        '*',
        { events: ['collection.created', 'collection.updated', 'collection.deleted'] },
        () => void loadCollections(),
      );
      off.ready.catch(() => undefined);
    } else if (!signedIn && off) {
      off();
      off = undefined;
    }
  };
  follow(useAppStore.getState().auth.status === 'signed-in');
  const offStore = useAppStore.subscribe((s, prev) => {
    if (s.auth.status !== prev.auth.status) follow(s.auth.status === 'signed-in');
  });
  return () => {
    offStore();
    offGap();
    off?.();
  };
}
