import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Relay } from '../../src/main/cluster/relay';
import { StreamSource } from '../../src/main/cluster/stream-source';
import type { HubEvent } from '../../src/shared/events';
import { startRedis, type TestRedis } from '../helpers/redis';
import { FAST_BACKOFF, commit, eventually, logSink, openStore, range, writeEvents } from './fixtures';

let redis: TestRedis;
const cleanups: (() => unknown)[] = [];
let keyNo = 0;

beforeAll(async () => {
  redis = await startRedis({ aof: true });
});
afterAll(() => redis.cleanup());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Store -> relay -> Redis -> stream source, on a fresh key. */
async function pipeline() {
  const s = openStore();
  cleanups.push(() => s.close());
  const key = `pipeline-${++keyNo}`;
  const logs = logSink();
  const relay = new Relay({
    url: redis.url,
    key,
    log: s.store.events,
    source: s.store.bus,
    backoff: FAST_BACKOFF,
    onLog: logs.onLog,
    pollMs: 50,
  });
  const source = new StreamSource({
    url: redis.url,
    key,
    backoff: FAST_BACKOFF,
    onLog: logs.onLog,
    blockMs: 1000,
  });
  const batches: HubEvent[][] = [];
  source.subscribe((evs) => void batches.push([...evs]));
  await relay.start();
  await source.start();
  cleanups.push(
    () => relay.stop(),
    () => source.stop(),
  );
  return { ...s, relay, source, batches, logs };
}

/** The outbox and the stream, as EventHistory answers them, side by side. */
async function histories(
  store: ReturnType<typeof openStore>['store'],
  source: StreamSource,
  probes: number[],
) {
  const outbox = {
    oldest: store.events.oldestSeq(),
    last: store.events.lastSeq(),
    gaps: probes.map((p) => store.events.hasGapAfter(p)),
    since: probes.map((p) => store.events.since(p, 50)),
  };
  const stream = {
    oldest: await source.oldestSeq(),
    last: await source.lastSeq(),
    gaps: await Promise.all(probes.map((p) => source.hasGapAfter(p))),
    since: await Promise.all(probes.map((p) => source.since(p, 50))),
  };
  return { outbox, stream };
}

describe('outbox -> relay -> Redis Stream -> edge reader', () => {
  test('2,000 events written while Redis restarts once reach the edge exactly once, in order, per commit', async () => {
    const { store, relay, source, batches } = await pipeline();
    let restarted: Promise<void> | undefined;
    let deliveredBefore = 0;
    let writtenWhileDown = 0;
    // note: 1,000 commits of 1-3 events, paced (a 2 ms pause every 10 commits) so the restart
    // lands mid-stream: some events delivered before it, some committed while Redis is down.
    for (let i = 0; store.events.lastSeq() < 2000 && i < 5000; i++) {
      commit(store, Math.min((i % 3) + 1, 2000 - store.events.lastSeq()));
      if (restarted && !redis.running()) writtenWhileDown++;
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
      if (!restarted && store.events.lastSeq() >= 800) {
        deliveredBefore = source.status().deliveredSeq;
        restarted = redis.restart();
      }
    }
    await restarted;
    expect(store.events.lastSeq()).toBe(2000);
    expect(deliveredBefore).toBeGreaterThan(0);
    expect(writtenWhileDown).toBeGreaterThan(0);
    await eventually(
      async () => source.status().deliveredSeq,
      (s) => s === 2000,
      15_000,
    );

    const got = batches.flat();
    expect(got.map((e) => e.seq)).toEqual(range(1, 2000));
    expect(got).toEqual(store.events.since(0, 5000));
    // Every array is one commit: one trace id, consecutive seqs.
    for (const b of batches) {
      expect(new Set(b.map((e) => e.trace_id)).size).toBe(1);
      expect(b.map((e) => e.seq)).toEqual(range(b[0]!.seq, b[0]!.seq + b.length - 1));
    }
    expect(relay.status()).toMatchObject({ relayedSeq: 2000, lag: 0, reconnects: 1 });
    expect(source.status()).toMatchObject({ deliveredSeq: 2000, delivered: 2000, gaps: 0, reconnects: 1 });
  });

  test('the edge’s history agrees with the outbox, before and after retention trims both', async () => {
    const { store, relay, source } = await pipeline();
    writeEvents(store, 120, 4);
    await eventually(
      async () => relay.status().relayedSeq,
      (s) => s === 120,
    );
    const probes = [0, 1, 39, 40, 41, 99, 119, 120];
    let h = await histories(store, source, probes);
    expect(h.stream).toEqual(h.outbox);

    store.trim({ maxEvents: 80, maxAgeMs: 365 * 24 * 3600_000 });
    expect(store.events.oldestSeq()).toBe(41);
    await eventually(
      async () => source.oldestSeq(),
      (o) => o === 41,
    );
    h = await histories(store, source, probes);
    expect(h.stream).toEqual(h.outbox);
    expect(h.stream.gaps).toEqual([true, true, true, false, false, false, false, false]);
  });
});
