import { rmSync } from 'node:fs';
import { createClient } from 'redis';
import type { ClusterLog } from '../../src/main/cluster/redis-link';
import { Store } from '../../src/main/store';
import type { HubEvent } from '../../src/shared/events';
import { tempDir } from '../helpers/server';

export { eventually, within } from '../helpers/ws';

/** Fast reconnects, so outage tests take a fraction of a second. */
export const FAST_BACKOFF = { baseMs: 20, maxMs: 200 };

/** A real Store in a temp dir (NORMAL sync: the tests write thousands of commits). */
export function openStore(): { store: Store; dir: string; close(): void } {
  const dir = tempDir('sb-cluster-');
  const store = new Store(dir, { synchronous: 'NORMAL' });
  return {
    store,
    dir,
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** One commit of `n` record events sharing a trace id (the outbox gives them consecutive seqs). */
export function commit(store: Store, n = 1): HubEvent[] {
  const trace = `t${++counter}`;
  return store.mutateNow((emit) =>
    Array.from({ length: n }, (_, i) =>
      emit({
        type: 'record.created',
        collection: 'posts',
        record_id: `${trace}-${i}`,
        data: { id: `${trace}-${i}`, title: `post ${trace}/${i}`, n: i },
        account: 'default',
        actor: 'u1',
        timestamp: new Date().toISOString(),
        trace_id: trace,
      }),
    ),
  );
}

/** `total` events, `perCommit` to a commit. */
export function writeEvents(store: Store, total: number, perCommit = 1): void {
  for (let left = total; left > 0; left -= perCommit) commit(store, Math.min(perCommit, left));
}

/** A plain client for looking at (or tampering with) the stream from outside. */
export async function inspector(url: string) {
  // Reconnects by itself and queues commands meanwhile: tests restart Redis under it.
  const c = createClient({ url });
  c.on('error', () => {});
  await c.connect();
  return {
    client: c,
    /** Every entry: seq from the id, and the parsed event. */
    async entries(key = 'switchboard:events'): Promise<{ id: string; event: HubEvent }[]> {
      const all = await c.xRange(key, '-', '+');
      return (all ?? []).map((e) => ({ id: e.id, event: JSON.parse(e.message.event!) as HubEvent }));
    },
    close: () => c.destroy(),
  };
}

/** Collects log entries; `codes()` lists their codes in order. */
export function logSink() {
  const entries: ClusterLog[] = [];
  return { entries, onLog: (e: ClusterLog) => void entries.push(e), codes: () => entries.map((e) => e.code) };
}

/** 1..n */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
