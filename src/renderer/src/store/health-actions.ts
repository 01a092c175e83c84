/** Health checks and polling; they write to the store, components only read it. */
import { fetchHealth } from '../lib/health-api';
import { useAppStore } from './index';

/** note: often enough to notice a stopped server quickly, rare enough to be invisible in the server log. */
export const HEALTH_POLL_MS = 3000;

let inFlight: Promise<void> | undefined;

async function runCheck(): Promise<void> {
  const store = useAppStore.getState();
  const { serverUrl } = store.connection;
  if (!serverUrl) {
    store.healthDown(
      'No server to talk to: open the console from the desktop app or from a running server.',
      Date.now(),
    );
    return;
  }
  store.healthChecking();
  try {
    const info = await fetchHealth(serverUrl);
    useAppStore.getState().healthUp(info, Date.now());
  } catch (err) {
    useAppStore.getState().healthDown(err instanceof Error ? err.message : String(err), Date.now());
  }
}

/** Checks the server now; concurrent callers share one request. */
export function checkHealth(): Promise<void> {
  inFlight ??= runCheck().finally(() => {
    inFlight = undefined;
  });
  return inFlight;
}

/** Checks now and then every `intervalMs` after each check finishes; returns a function that stops it. */
export function startHealthPolling(intervalMs = HEALTH_POLL_MS): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = (): void => {
    void checkHealth().then(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
