import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { membershipKeys } from '../../src/main/cluster/membership-keys';
import { Registry, clusterTotals, type RegistryOptions } from '../../src/main/cluster/registry';
import { freePort, startRedis, type TestRedis } from '../helpers/redis';
import { FAST_BACKOFF, eventually, inspector, logSink } from './fixtures';

// Short timings so expiry and outages take a fraction of a second.
const REFRESH_MS = 100;
const DEAD_MS = 500;

let redis: TestRedis;
let ins: Awaited<ReturnType<typeof inspector>>;
const cleanups: (() => unknown)[] = [];
let prefixNo = 0;

beforeAll(async () => {
  redis = await startRedis();
  ins = await inspector(redis.url);
});
afterAll(async () => {
  ins.close();
  await redis.cleanup();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A fresh cluster (its own key prefix) whose instances the test can add. */
function cluster() {
  const prefix = `reg-test-${++prefixNo}`;
  const logs = logSink();
  let port = 9000;
  const add = (id: string, over: Partial<RegistryOptions> = {}) => {
    const load = { connections: 0, events_per_s: 0 };
    const registry = new Registry({
      url: redis.url,
      id,
      role: 'edge',
      address: `http://127.0.0.1:${++port}`,
      load: () => load,
      prefix,
      refreshMs: REFRESH_MS,
      deadAfterMs: DEAD_MS,
      backoff: FAST_BACKOFF,
      onLog: logs.onLog,
      ...over,
    });
    cleanups.push(() => registry.stop());
    return { registry, load };
  };
  const ids = async (r: Registry) => (await r.list()).map((i) => i.id);
  return { prefix, keys: membershipKeys(prefix), logs, add, ids };
}

describe('instance registry', () => {
  test('lists live instances with their current figures, and totals them', async () => {
    const c = cluster();
    const a = c.add('primary-1', { role: 'primary', address: 'http://10.0.0.1:8090' });
    const b = c.add('edge-1');
    a.load.connections = 3;
    a.load.events_per_s = 10;
    await a.registry.start();
    await b.registry.start();

    const list = await b.registry.list();
    expect(list.map((i) => i.id)).toEqual(['primary-1', 'edge-1']);
    expect(list[0]).toMatchObject({
      id: 'primary-1',
      role: 'primary',
      address: 'http://10.0.0.1:8090',
      connections: 3,
      events_per_s: 10,
    });
    for (const i of list) {
      expect(Date.now() - Date.parse(i.last_seen)).toBeLessThan(2000);
      expect(Date.parse(i.started_at)).toBeLessThanOrEqual(Date.parse(i.last_seen));
    }

    // Figures are read at every refresh.
    b.load.connections = 5;
    b.load.events_per_s = 7;
    const now = await eventually(
      () => a.registry.list(),
      (l) => l.find((i) => i.id === 'edge-1')?.connections === 5,
    );
    expect(clusterTotals(now)).toEqual({ instances: 2, connections: 8, events_per_s: 17 });
    expect(a.registry.status()).toMatchObject({ running: true, connected: true });
  });

  test('stop() deregisters at once', async () => {
    const c = cluster();
    const a = c.add('a');
    const b = c.add('b');
    await a.registry.start();
    await b.registry.start();
    expect(await c.ids(a.registry)).toEqual(['a', 'b']);
    await b.registry.stop();
    expect(await c.ids(a.registry)).toEqual(['a']);
    expect(await ins.client.hKeys(c.keys.instances)).toEqual(['a']);
  });

  test('an instance that stops refreshing is dead after the timeout, and its entry is removed', async () => {
    const c = cluster();
    const a = c.add('a');
    const b = c.add('b');
    await a.registry.start();
    await b.registry.start();
    // Wait out the start-up grace, so a's refreshes expire dead entries.
    await new Promise((r) => setTimeout(r, DEAD_MS));
    const died = Date.now();
    await b.registry.stop({ deregister: false });
    expect(await c.ids(a.registry)).toEqual(['a', 'b']);

    await eventually(
      () => c.ids(a.registry),
      (ids) => ids.length === 1,
      DEAD_MS + 2000,
    );
    const gone = Date.now() - died;
    expect(gone).toBeGreaterThanOrEqual(DEAD_MS - REFRESH_MS - 50);
    expect(gone).toBeLessThan(DEAD_MS + 1000);
    await eventually(
      () => ins.client.hKeys(c.keys.instances),
      (k) => k.length === 1,
      2000,
    );
    expect(await ins.client.zRange(c.keys.heartbeats, 0, -1)).toEqual(['a']);
    expect(c.logs.entries.find((e) => e.code === 'instance_expired')).toMatchObject({
      level: 'info',
      details: { instances: ['b'] },
    });
  });

  test('Redis unreachable at start: one clear line', async () => {
    const port = await freePort();
    const r = new Registry({
      url: `redis://:secret@127.0.0.1:${port}`,
      id: 'x',
      role: 'edge',
      address: 'http://127.0.0.1:1',
      load: () => ({ connections: 0, events_per_s: 0 }),
      connectTimeoutMs: 500,
    });
    const err = await r.start().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      /^cluster registry: cannot use redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: connect/,
    );
    expect(err?.message).not.toContain('\n');
    expect(r.status().running).toBe(false);
  });

  test('rejects settings that cannot work', () => {
    const base = {
      url: redis.url,
      id: 'x',
      role: 'edge' as const,
      address: '',
      load: () => ({ connections: 0, events_per_s: 0 }),
    };
    expect(() => new Registry({ ...base, id: '' })).toThrow(/id/);
    expect(() => new Registry({ ...base, refreshMs: 1000, deadAfterMs: 1000 })).toThrow(/deadAfterMs/);
  });

  test('Redis restarted: each instance lists itself meanwhile and re-registers with backoff', async () => {
    const c = cluster();
    const a = c.add('a');
    const b = c.add('b');
    await a.registry.start();
    await b.registry.start();
    await redis.stop();
    await eventually(
      async () => a.registry.status().connected,
      (up) => !up,
    );
    expect(await c.ids(a.registry)).toEqual(['a']);
    await redis.start();
    await eventually(
      () => c.ids(b.registry),
      (ids) => ids.length === 2,
    );
    expect(await c.ids(a.registry)).toEqual(['a', 'b']);
    expect(a.registry.status().reconnects).toBeGreaterThanOrEqual(1);
    expect(c.logs.codes()).toContain('redis_disconnected');
    expect(c.logs.codes()).toContain('redis_reconnected');
  });
});
