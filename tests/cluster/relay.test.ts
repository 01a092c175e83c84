import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Relay, type RelayOptions } from '../../src/main/cluster/relay';
import { freePort, startRedis, type TestRedis } from '../helpers/redis';
import {
  FAST_BACKOFF,
  commit,
  eventually,
  inspector,
  logSink,
  openStore,
  range,
  writeEvents,
} from './fixtures';

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

/** A store and a relay on a fresh stream key; both are cleaned up after the test. */
function setup(over: Partial<RelayOptions> = {}) {
  const s = openStore();
  cleanups.push(() => s.close());
  const logs = logSink();
  const key = `relay-test-${++keyNo}`;
  const make = (o: Partial<RelayOptions> = {}) => {
    const relay = new Relay({
      url: redis.url,
      key,
      log: s.store.events,
      source: s.store.bus,
      backoff: FAST_BACKOFF,
      onLog: logs.onLog,
      ...over,
      ...o,
    });
    cleanups.push(() => relay.stop());
    return relay;
  };
  return { ...s, key, logs, make };
}

async function streamOf(key: string) {
  const ins = await inspector(redis.url);
  try {
    return await ins.entries(key);
  } finally {
    ins.close();
  }
}

const caughtUp = (relay: Relay, seq: number) =>
  eventually(
    async () => relay.status().relayedSeq,
    (s) => s >= seq,
  );

describe('relay', () => {
  test('publishes every committed event in seq order with entry id = seq, live after a commit', async () => {
    // note: a 60 s poll proves that live events are relayed on the commit trigger, not by polling.
    const { store, key, make } = setup({ pollMs: 60_000 });
    writeEvents(store, 12, 3);
    const relay = make();
    await relay.start();
    await caughtUp(relay, 12);
    commit(store, 2);
    commit(store, 1);
    await caughtUp(relay, 15);

    const entries = await streamOf(key);
    expect(entries.map((e) => e.id)).toEqual(range(1, 15).map((s) => `${s}-0`));
    expect(entries.map((e) => e.event)).toEqual(store.events.since(0, 100));
    expect(relay.status()).toMatchObject({
      connected: true,
      relayedSeq: 15,
      lag: 0,
      relayed: 15,
      skipped: 0,
    });
  });

  test('a restarted relay continues after the stream’s last id: nothing skipped, nothing twice', async () => {
    const { store, key, make } = setup();
    writeEvents(store, 10);
    const first = make();
    await first.start();
    await caughtUp(first, 10);
    await first.stop();
    writeEvents(store, 15, 4);
    const second = make();
    await second.start();
    expect(second.status().relayedSeq).toBeGreaterThanOrEqual(10);
    await caughtUp(second, 25);
    expect((await streamOf(key)).map((e) => e.event.seq)).toEqual(range(1, 25));
    expect(second.status()).toMatchObject({ relayed: 15, skipped: 0 });
  });

  test('two relays on one outbox (an overlap during a restart) still write each event once', async () => {
    const { store, key, make } = setup({ batch: 7 });
    writeEvents(store, 300, 5);
    const a = make();
    const b = make();
    await Promise.all([a.start(), b.start()]);
    writeEvents(store, 100, 2);
    await Promise.all([caughtUp(a, 400), caughtUp(b, 400)]);
    expect((await streamOf(key)).map((e) => e.event.seq)).toEqual(range(1, 400));
    expect(a.status().relayed + b.status().relayed).toBe(400);
  });

  test('events committed while Redis is down are relayed once it is back (same port, AOF)', async () => {
    const { store, key, make, logs } = setup();
    writeEvents(store, 5);
    const relay = make();
    await relay.start();
    await caughtUp(relay, 5);

    await redis.stop();
    writeEvents(store, 40, 4);
    await eventually(
      async () => relay.status(),
      (s) => !s.connected && s.lag === 40,
    );
    await redis.start();
    await caughtUp(relay, 45);

    expect((await streamOf(key)).map((e) => e.event.seq)).toEqual(range(1, 45));
    expect(relay.status()).toMatchObject({ connected: true, lag: 0, reconnects: 1 });
    expect(logs.codes()).toContain('redis_disconnected');
    expect(logs.codes()).toContain('redis_reconnected');
    // Many reconnect attempts while it was down; the same failure is logged once.
    expect(logs.codes().filter((c) => c === 'redis_unavailable').length).toBeLessThanOrEqual(1);
    expect(logs.entries.find((e) => e.code === 'redis_disconnected')?.message).toMatch(
      /^redis relay: link down \(.+\); the outbox holds events until it is back$/,
    );
  });

  test('the stream is trimmed to what the outbox retains, and MAXLEN caps it', async () => {
    const { store, key, make } = setup({ pollMs: 50 });
    writeEvents(store, 50, 5);
    const relay = make();
    await relay.start();
    await caughtUp(relay, 50);
    store.trim({ maxEvents: 20, maxAgeMs: 365 * 24 * 3600_000 });
    expect(store.events.oldestSeq()).toBe(31);
    const ins = await inspector(redis.url);
    cleanups.push(() => ins.close());
    await eventually(
      async () => (await ins.entries(key)).map((e) => e.event.seq),
      (seqs) => seqs[0] === 31 && seqs.length === 20,
    );

    const capped = setup({ maxLen: 100 });
    writeEvents(capped.store, 1000, 10);
    const r2 = capped.make();
    await r2.start();
    await caughtUp(r2, 1000);
    const len = await ins.client.xLen(capped.key);
    // note: `~` trims whole radix-tree nodes (100 entries each by default), so up to one node more.
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThanOrEqual(200);
  });

  test('events trimmed from the outbox while Redis was away: relays what exists, reports the gap once', async () => {
    const { store, key, make, logs } = setup();
    writeEvents(store, 10);
    const first = make();
    await first.start();
    await caughtUp(first, 10);
    await first.stop();
    writeEvents(store, 30);
    store.trim({ maxEvents: 5, maxAgeMs: 365 * 24 * 3600_000 });
    const second = make();
    await second.start();
    await caughtUp(second, 40);
    await new Promise((r) => setTimeout(r, 200));

    const gap = logs.entries.filter((e) => e.code === 'relay_gap');
    expect(gap).toHaveLength(1);
    expect(gap[0]!.details).toEqual({ from: 11, to: 35 });
    expect((await streamOf(key)).map((e) => e.event.seq)).toEqual(range(36, 40));
    expect(second.status()).toMatchObject({ relayedSeq: 40, lag: 0, gaps: 1, relayed: 5 });
  });

  test('bad configuration fails start with one clear line', async () => {
    const { store, key, make } = setup({ connectTimeoutMs: 1000 });
    const port = await freePort();
    const unreachable = make({ url: `redis://:secret@127.0.0.1:${port}` });
    const err = await unreachable.start().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      new RegExp(`^redis relay: cannot use redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: `),
    );
    expect(err?.message).not.toContain('secret');
    expect(err?.message).not.toContain('\n');

    const ins = await inspector(redis.url);
    cleanups.push(() => ins.close());
    await ins.client.xAdd(key, '500-0', { event: '{}' });
    writeEvents(store, 3);
    await expect(make().start()).rejects.toThrow(/ahead of the outbox \(last id 500, last seq 3\)/);

    const wrongType = setup();
    await ins.client.set(wrongType.key, 'not a stream');
    await expect(wrongType.make().start()).rejects.toThrow(/^redis relay: cannot use .*WRONGTYPE/);
  });

  test('stop() is prompt while idle and while waiting to reconnect', async () => {
    const { store, make } = setup({ pollMs: 60_000 });
    writeEvents(store, 3);
    const idle = make();
    await idle.start();
    await caughtUp(idle, 3);
    let t = Date.now();
    await idle.stop();
    expect(Date.now() - t).toBeLessThan(200);
    expect(idle.status()).toMatchObject({ running: false, connected: false });

    const down = make({ backoff: { baseMs: 10_000, maxMs: 10_000 } });
    await down.start();
    await redis.stop();
    try {
      await eventually(
        async () => down.status().connected,
        (c) => !c,
      );
      t = Date.now();
      await down.stop();
      expect(Date.now() - t).toBeLessThan(200);
    } finally {
      await redis.start();
    }
  });

  test('throughput: a backlog of 20,000 events', async () => {
    const { store, key, make } = setup();
    writeEvents(store, 20_000, 100);
    const relay = make();
    const t = performance.now();
    await relay.start();
    await eventually(
      async () => relay.status().relayedSeq,
      (s) => s === 20_000,
      30_000,
    );
    const ms = performance.now() - t;
    console.log(
      `relay backlog: 20000 events in ${ms.toFixed(0)} ms = ${Math.round(20_000 / (ms / 1000))} events/s`,
    );
    const ins = await inspector(redis.url);
    cleanups.push(() => ins.close());
    expect(await ins.client.xLen(key)).toBe(20_000);
  });
});
