/** Native WebSocket subscribers for the monitor and monitor-console sections: viewer API keys, 50 connections each. */
import { PER_KEY } from './feed';
import { openMany, type Tally, WsClient } from './ws-clients';

const HANDSHAKE_MS = 15_000;
// note: handshakes in flight at once; more only queue in the server's accept loop on two cores.
const CONCURRENCY = 50;

/**
 * Opens `count` subscribers on `wsBase` into `pool` (so the caller can close them whatever
 * happens), connection i with key i/50 subscribed to `collectionOf(i)`; resolves once every one
 * is subscribed. Bounded by `deadlineMs`.
 */
export async function openSubscribers(
  wsBase: string,
  keys: string[],
  count: number,
  collectionOf: (i: number) => string,
  tally: Tally,
  pool: WsClient[],
  deadlineMs: number,
): Promise<void> {
  await openMany(
    count,
    CONCURRENCY,
    deadlineMs,
    async (i) => {
      const c = await WsClient.open(
        `${wsBase}/api/v1/ws/realtime?token=${keys[Math.floor(i / PER_KEY)]}`,
        tally,
        HANDSHAKE_MS,
      );
      try {
        c.send(JSON.stringify({ action: 'subscribe', collection: collectionOf(i) }));
        await c.waitFor('authenticated', HANDSHAKE_MS);
        await c.waitFor('subscribed', HANDSHAKE_MS);
      } catch (e) {
        c.terminate();
        throw e;
      }
      return c;
    },
    pool,
  );
}
