import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { StreamSource, type StreamSourceOptions } from '../../src/main/cluster/stream-source';
import type { HubEvent } from '../../src/shared/events';
import { freePort, startRedis, type TestRedis } from '../helpers/redis';
import { FAST_BACKOFF, eventually, inspector, logSink, range } from './fixtures';

let redis: TestRedis;
let ins: Awaited<ReturnType<typeof inspector>>;
const cleanups: (() => unknown)[] = [];
let keyNo = 0;

beforeAll(async () => {
  redis = await startRedis({ aof: true });
  ins = await inspector(redis.url);
});
afterAll(async () => {
  ins.close();
  await redis.cleanup();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function event(seq: number, trace?: string): HubEvent {
  return {
    seq,
    type: 'record.updated',
    collection: 'posts',
    record_id: `r${seq}`,
    data: { id: `r${seq}`, n: seq },
    previous: { id: `r${seq}`, n: seq - 1 },
    account: 'default',
    timestamp: new Date(1_700_000_000_000 + seq).toISOString(),
    ...(trace ? { trace_id: trace } : {}),
  };
}

/** Appends events the way the relay does (one pipeline, so one XREAD sees them together). */
async function append(key: string, events: HubEvent[]): Promise<void> {
  await Promise.all(events.map((e) => ins.client.xAdd(key, `${e.seq}-0`, { event: JSON.stringify(e) })));
}

/** A source on a fresh key that records what it delivers; stopped after the test. */
function setup(over: Partial<StreamSourceOptions> = {}) {
  const key = `source-test-${++keyNo}`;
  const logs = logSink();
  const batches: HubEvent[][] = [];
  const source = new StreamSource({ url: redis.url, key, backoff: FAST_BACKOFF, onLog: logs.onLog, ...over });
  source.subscribe((evs) => void batches.push([...evs]));
  cleanups.push(() => source.stop());
  const seqs = () => batches.flat().map((e) => e.seq);
  const received = (n: number) =>
    eventually(
      async () => seqs().length,
      (l) => l >= n,
    );
  return { key, logs, source, batches, seqs, received };
}

describe('stream source', () => {
  test('delivers in seq order, the events of one commit in one array', async () => {
    const { key, source, batches, received } = setup();
    const evs = [
      event(1, 'a'),
      event(2, 'a'),
      event(3, 'a'),
      event(4, 'b'),
      event(5),
      event(6),
      event(7, 'c'),
    ];
    await append(key, evs);
    await source.start(0);
    await received(7);
    expect(batches.map((b) => b.map((e) => e.seq))).toEqual([[1, 2, 3], [4], [5], [6], [7]]);
    expect(batches.flat()).toEqual(evs);
    expect(source.status()).toMatchObject({
      running: true,
      connected: true,
      deliveredSeq: 7,
      delivered: 7,
      gaps: 0,
    });
  });

  test('by default starts after the stream’s last id', async () => {
    const { key, source, seqs, received } = setup();
    await append(
      key,
      range(1, 5).map((s) => event(s)),
    );
    await source.start();
    expect(source.status().deliveredSeq).toBe(5);
    await append(key, [event(6), event(7)]);
    await received(2);
    expect(seqs()).toEqual([6, 7]);
  });

  test('history (since, hasGapAfter, oldestSeq, lastSeq) reads the stream', async () => {
    const { key, source } = setup();
    await source.start();
    expect(await source.since(0, 10)).toEqual([]);
    expect([await source.oldestSeq(), await source.lastSeq(), await source.hasGapAfter(0)]).toEqual([
      1,
      0,
      false,
    ]);

    const evs = range(1, 30).map((s) => event(s, `t${s}`));
    await append(key, evs);
    expect(await source.since(0, 100)).toEqual(evs);
    expect(await source.since(10, 5)).toEqual(evs.slice(10, 15));
    expect(await source.since(30, 5)).toEqual([]);
    expect([await source.oldestSeq(), await source.lastSeq()]).toEqual([1, 30]);

    await ins.client.xTrim(key, 'MINID', '21-0');
    expect([await source.oldestSeq(), await source.lastSeq()]).toEqual([21, 30]);
    expect(await source.hasGapAfter(19)).toBe(true);
    expect(await source.hasGapAfter(20)).toBe(false);
    expect(await source.hasGapAfter(30)).toBe(false);
    expect((await source.since(5, 100)).map((e) => e.seq)).toEqual(range(21, 30));

    await ins.client.xTrim(key, 'MINID', '31-0');
    expect([await source.oldestSeq(), await source.lastSeq()]).toEqual([31, 30]);
    expect(await source.hasGapAfter(29)).toBe(true);
    expect(await source.hasGapAfter(30)).toBe(false);
  });

  test('continues after the last delivered id across a Redis restart: nothing lost, nothing twice', async () => {
    const { key, source, seqs, received, logs } = setup();
    await source.start(0);
    await append(
      key,
      range(1, 10).map((s) => event(s)),
    );
    await received(10);
    await redis.restart();
    await append(
      key,
      range(11, 20).map((s) => event(s)),
    );
    await received(20);
    expect(seqs()).toEqual(range(1, 20));
    await eventually(
      async () => source.status(),
      (s) => s.connected && s.reconnects === 1,
    );
    expect(logs.codes()).toEqual(expect.arrayContaining(['redis_disconnected', 'redis_reconnected']));
    // The history connection reconnected by itself too.
    expect(await source.lastSeq()).toBe(20);
  });

  test('a stream trimmed past the last delivered id: delivers what exists and reports the gap', async () => {
    const { key, source, seqs, received, logs } = setup();
    await append(
      key,
      range(1, 30).map((s) => event(s)),
    );
    await ins.client.xTrim(key, 'MINID', '21-0');
    await source.start(10);
    await received(10);
    expect(seqs()).toEqual(range(21, 30));
    const gap = logs.entries.filter((e) => e.code === 'stream_gap');
    expect(gap.map((e) => e.details)).toEqual([{ from: 11, to: 20 }]);
    expect(source.status().gaps).toBe(1);
  });

  test('a listener that throws and an entry that is not ours affect nothing else', async () => {
    const { key, source, seqs, received, logs } = setup();
    source.subscribe(() => {
      throw new Error('boom');
    });
    await source.start(0);
    await append(key, [event(1)]);
    await ins.client.xAdd(key, '2-0', { other: 'x' });
    await append(key, [event(3)]);
    await received(2);
    expect(seqs()).toEqual([1, 3]);
    expect(logs.codes()).toContain('listener_failed');
    expect(logs.codes()).toContain('bad_entry');
    expect(source.status().deliveredSeq).toBe(3);
  });

  test('stop() is prompt while a blocking read is pending and while waiting to reconnect', async () => {
    const blocked = setup({ blockMs: 5000 });
    await blocked.source.start();
    await new Promise((r) => setTimeout(r, 50));
    let t = Date.now();
    await blocked.source.stop();
    expect(Date.now() - t).toBeLessThan(200);
    expect(blocked.source.status()).toMatchObject({ running: false, connected: false });

    const waiting = setup({ backoff: { baseMs: 10_000, maxMs: 10_000 } });
    await waiting.source.start();
    await redis.stop();
    try {
      await eventually(
        async () => waiting.source.status().connected,
        (c) => !c,
      );
      t = Date.now();
      await waiting.source.stop();
      expect(Date.now() - t).toBeLessThan(200);
    } finally {
      await redis.start();
    }
  });

  test('Redis unreachable at start fails with one clear line', async () => {
    const port = await freePort();
    const { source } = setup({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1000 });
    await expect(source.start()).rejects.toThrow(
      new RegExp(`^redis stream reader: cannot use redis://127\\.0\\.0\\.1:${port}: `),
    );
    expect(source.status().running).toBe(false);
    await expect(source.lastSeq()).rejects.toThrow('stream source is not started');
  });
});
