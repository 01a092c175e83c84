import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCollection,
  redisClientNames,
  startEdge,
  subscribeWhenKnown,
  type NodeProc,
} from '../helpers/cluster';
import { freePort, startRedis, type TestRedis } from '../helpers/redis';
import { adminClient, Client, startServer, tempDir, userClient, type TestServer } from '../helpers/server';
import { closeAll, event, eventually, native } from '../helpers/ws';

// The console's Redis setting: a primary started without --redis joins and leaves a
// cluster at runtime, remembers the setting across restarts, and never loses its footing
// over a bad URL.

let redis: TestRedis;
let dead: string;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  redis = await startRedis();
  dead = `redis://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  await closeAll();
  for (const c of cleanups.reverse()) await c();
  await redis?.cleanup();
});

const settings = (c: Client) => c.get('/api/v1/settings');
const setRedis = (c: Client, redis_url: unknown) => c.patch('/api/v1/settings', { redis_url });
const backend = async (c: Client) => (await c.get('/api/v1/stats')).body.pubsub_backend as string;

describe("the console's Redis setting", () => {
  let primary: TestServer;
  let admin: Client;
  let edge: NodeProc | undefined;
  const dataDir = tempDir('sb-settings-');

  beforeAll(async () => {
    primary = await startServer({ dataDir });
    cleanups.push(() => primary.stop());
    admin = await adminClient(primary);
  });

  it('starts single-process, and only the superuser may read or change settings', async () => {
    const r = await settings(admin);
    expect(r.status).toBe(200);
    expect(r.body.scale_out).toEqual({ redis_url: null, source: null, state: 'off', editable: true });
    expect(r.body.retention.max_events).toEqual({ value: 100_000, applies: 'live' });
    expect(await backend(admin)).toBe('memory');

    const accountAdmin = await userClient(admin, 'tenant-admin@test.local', 'admin', 'tenant');
    const editor = await userClient(admin, 'editor@test.local', 'editor');
    for (const c of [accountAdmin, editor]) {
      expect((await settings(c)).status).toBe(403);
      expect((await setRedis(c, redis.url)).status).toBe(403);
    }
    expect((await settings(new Client(primary.url))).status).toBe(401);
  });

  it('rejects bad input with the field and the reason, and changes nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [42, /expected a string or null, got number/],
      ['not a url', /is not a URL/],
      ['http://127.0.0.1:6379', /must start with redis:\/\/ or rediss:\/\//],
      [`redis://x/${'a'.repeat(3000)}`, /at most 2048 characters/],
      [dead, /could not be used: .*ECONNREFUSED/],
    ];
    for (const [value, reason] of cases) {
      const r = await setRedis(admin, value);
      expect(r.status, JSON.stringify(value).slice(0, 40)).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      expect(r.body.error.details.redis_url).toMatch(reason);
    }
    const unknown = await admin.patch('/api/v1/settings', { redis: redis.url });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual({
      redis: 'is not a setting (settable: redis_url, retention)',
    });
    expect((await settings(admin)).body.scale_out.state).toBe('off');
    expect(await backend(admin)).toBe('memory');
  });

  it('joins the cluster at once: an edge serves writes made on the primary', async () => {
    const r = await setRedis(admin, redis.url);
    expect(r.status).toBe(200);
    expect(r.body.scale_out).toEqual({
      redis_url: redis.url,
      source: 'setting',
      state: 'connected',
      editable: true,
    });
    expect(await backend(admin)).toBe('redis');
    // Saving the same URL again is a no-op, not a second link.
    expect((await setRedis(admin, redis.url)).body.scale_out.state).toBe('connected');

    await createCollection(admin, 'notes');
    edge = await startEdge({ redisUrl: redis.url, primaryUrl: primary.url });
    cleanups.push(() => edge?.stop());
    const c = await native(edge.url, { token: admin.token });
    expect((await subscribeWhenKnown(c, { collection: 'notes' })).type).toBe('subscribed');
    const w = await admin.post('/api/v1/collections/notes/records', { title: 'via the setting' });
    expect(w.status).toBe(201);
    const f = await c.next(event('record.created'));
    expect(f.data.data.title).toBe('via the setting');
    const stats = (await admin.get('/api/v1/stats')).body;
    expect(stats.instances.map((i: { role: string }) => i.role).sort()).toEqual(['edge', 'primary']);
  });

  it('remembers the setting across a restart', async () => {
    await primary.stop({ keepData: true });
    primary = await startServer({ dataDir, port: Number(new URL(primary.url).port) });
    admin = await adminClient(primary);
    expect((await settings(admin)).body.scale_out).toMatchObject({ state: 'connected', source: 'setting' });
    expect(await backend(admin)).toBe('redis');
  });

  it('leaves the cluster with null and stays single-process after a restart', async () => {
    const r = await setRedis(admin, null);
    expect(r.status).toBe(200);
    expect(r.body.scale_out).toEqual({ redis_url: null, source: null, state: 'off', editable: true });
    expect(await backend(admin)).toBe('memory');
    expect((await admin.get('/api/v1/stats')).body.instances).toBeUndefined();
    await primary.stop({ keepData: true });
    primary = await startServer({ dataDir });
    admin = await adminClient(primary);
    expect((await settings(admin)).body.scale_out.state).toBe('off');
  });

  it('starts anyway when the saved Redis is unreachable, and says so', async () => {
    // Save a reachable URL, then take that Redis away before the restart.
    const other = await startRedis();
    cleanups.push(() => other.cleanup());
    expect((await setRedis(admin, other.url)).status).toBe(200);
    await primary.stop({ keepData: true });
    await other.stop();
    primary = await startServer({ dataDir });
    admin = await adminClient(primary);
    const s = (await settings(admin)).body.scale_out;
    expect(s).toMatchObject({ redis_url: other.url, source: 'setting', state: 'error' });
    expect(s.error).toMatch(/ECONNREFUSED/);
    expect(primary.logs.some((l) => /saved Redis .* is unreachable, running single-process/.test(l))).toBe(
      true,
    );
    expect(await backend(admin)).toBe('memory');
    // Saving a working URL recovers without a restart.
    expect((await setRedis(admin, redis.url)).body.scale_out.state).toBe('connected');
  });
});

describe('changes that race or name the same Redis twice', () => {
  let own: TestRedis;
  let s: TestServer;
  let admin: Client;
  beforeAll(async () => {
    own = await startRedis();
    s = await startServer();
    admin = await adminClient(s);
  });
  afterAll(async () => {
    await s?.stop();
    await own?.cleanup();
  });
  const relays = async () => (await redisClientNames(own.url)).filter((n) => n === 'switchboard-relay');

  it('two saves of one URL at once make one link', async () => {
    const [a, b] = await Promise.all([setRedis(admin, own.url), setRedis(admin, own.url)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await relays()).toHaveLength(1);
  });

  it('another spelling of the same Redis keeps this primary in the registry and its users present', async () => {
    const me = await native(s.url, { token: admin.token });
    await eventually(
      async () => (await admin.get('/api/v1/presence')).body.users.length,
      (n) => n === 1,
    );
    const other = own.url.replace('127.0.0.1', 'localhost');
    const r = await setRedis(admin, other);
    expect(r.status).toBe(200);
    expect(r.body.scale_out).toMatchObject({ state: 'connected', redis_url: other });
    expect(await relays()).toHaveLength(1);
    const stats = await eventually(
      async () => (await admin.get('/api/v1/stats')).body,
      (b) => b.instances?.length === 1,
    );
    expect(stats.instances[0].role).toBe('primary');
    expect((await admin.get('/api/v1/presence')).body.users).toHaveLength(1);
    await me.close();
  });

  it('a URL and null sent together apply in order, and the end state is consistent', async () => {
    const [a, b] = await Promise.all([setRedis(admin, own.url), setRedis(admin, null)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body.scale_out.state).toBe('off');
    expect((await settings(admin)).body.scale_out.state).toBe('off');
    expect(await backend(admin)).toBe('memory');
    await eventually(relays, (r) => r.length === 0);
  });
});

describe('with --redis (or SWITCHBOARD_REDIS_URL) the console cannot change it', () => {
  it('reports the flag and refuses changes', async () => {
    // Its own Redis: the stream of the other primary is ahead of this fresh one's outbox.
    const own = await startRedis();
    cleanups.push(() => own.cleanup());
    const s = await startServer({ redisUrl: own.url });
    cleanups.push(() => s.stop());
    const admin = await adminClient(s);
    expect((await settings(admin)).body.scale_out).toEqual({
      redis_url: own.url,
      source: 'flag',
      state: 'connected',
      editable: false,
    });
    const r = await setRedis(admin, null);
    expect(r.status).toBe(400);
    expect(r.body.error.details.redis_url).toMatch(/set by --redis or SWITCHBOARD_REDIS_URL/);
    expect(await backend(admin)).toBe('redis');
  });
});
