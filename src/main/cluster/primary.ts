import type { Tokens } from '../auth/tokens';
import type { Store } from '../store';
import { PrimarySync } from './primary-sync';
import { Relay } from './relay';

/**
 * The primary's part of a cluster: the relay (outbox -> stream) and the sync of keys,
 * schemas and revocations. Fails at start with one line when Redis is not reachable.
 */
export async function startPrimaryCluster(
  url: string,
  store: Store,
  tokens: Tokens,
  log: (line: string) => void,
): Promise<{ stop(): Promise<void> }> {
  // The relay first: it refuses a stream that is ahead of this outbox (another primary's),
  // before the sync would overwrite that primary's key, API keys and schemas in Redis.
  const relay = new Relay({
    url,
    log: store.events,
    source: store.bus,
    onLog: (e) => log(`relay: ${e.message}`),
  });
  await relay.start();
  const sync = new PrimarySync(url, store, tokens, log);
  try {
    await sync.start();
  } catch (e) {
    // note: the sync's link may be open (e.g. a read-only replica refused the writes): close it too.
    await sync.stop().catch(() => undefined);
    await relay.stop();
    throw e;
  }
  return {
    async stop() {
      await relay.stop();
      await sync.stop();
    },
  };
}
