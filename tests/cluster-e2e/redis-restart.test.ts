import { describe, expect, it } from 'vitest';
import { Client, userClient } from '../helpers/server';
import {
  clusterConnected,
  createCollection,
  eventLog,
  followOnEdges,
  redisOutage,
  subscribeOnEdges,
  useCluster,
  writePaced,
  type TestCluster,
} from '../helpers/cluster';
import { event, native, openWs, wsUrl, type WsClient } from '../helpers/ws';

// Append-only file, fsynced on every write: the stream survives the restart.
const env = useCluster({ edges: 2, aof: true });

/** What an edge says about its stream reader. */
async function streamStatus(base: string) {
  const r = await new Client(base).get('/api/v1/edge/health');
  expect(r.status).toBe(200);
  return r.body.stream as { connected: boolean; deliveredSeq: number; reconnects: number; gaps: number };
}

// note: long enough for writes to pile up in the outbox and for edges to back off a few times.
const OUTAGE_MS = 1000;

/** A new collection `name` and a new viewer key, subscribed to it on each edge. */
async function keyOnEdges(c: TestCluster, name: string, keyName: string) {
  await createCollection(c.admin, name);
  const k = await c.admin.post('/api/v1/keys', { name: keyName, role: 'viewer' });
  expect(k.status).toBe(201);
  return {
    id: k.body.id as string,
    key: k.body.key as string,
    subs: await subscribeOnEdges(c, name, k.body.key),
  };
}

describe('redis-server restarted mid-stream', () => {
  it('nothing lost, nothing duplicated at edge subscribers; edges recover by themselves', async () => {
    const { name, before, followers } = await followOnEdges(env.c, 'redis_restart', 2);
    const token = env.c.admin.token!;
    // A SnackBase client on each edge too: a dialect without seq must not see a duplicate either.
    const snack: WsClient[] = [];
    for (const e of env.c.edges) {
      const ws = await openWs(wsUrl(e.url, '/api/v1/realtime/ws', token));
      ws.send({ action: 'subscribe', collection: name });
      await ws.next((f) => f.type === 'subscribed');
      snack.push(ws);
    }

    // note: 2 writers x 200 creates, paced so the restart lands mid-stream; bounded in count.
    const WRITES = 400;
    let writtenWhileDown = 0;
    let restart: Promise<void> | undefined;
    await writePaced(env.c, name, {
      writers: 2,
      each: WRITES / 2,
      onWrite: (written) => {
        if (restart && !env.c.redis.running()) writtenWhileDown++;
        if (!restart && written >= WRITES / 4) restart = redisOutage(env.c, OUTAGE_MS);
      },
    });
    await restart;
    expect(writtenWhileDown, 'no write landed while Redis was down').toBeGreaterThan(0);

    const log = await eventLog(env.c.admin, before, name);
    expect(log).toHaveLength(WRITES);
    const want = log.map((e) => e.seq as number);
    const last = want[want.length - 1]!;
    for (const f of followers) {
      await f.reach(last, 20_000);
      expect(f.seqs()).toEqual(want);
      // The clients kept their sockets: the edges rode out the outage.
      expect(f.drops).toEqual([]);
    }
    for (const ws of snack) {
      const got = await ws.take(WRITES, (f) => f.type === `${name}.create`, 10_000);
      expect(got.map((f) => f.data.id)).toEqual(log.map((e) => e.record_id));
      expect(ws.pending((f) => f.type === `${name}.create`)).toEqual([]);
    }

    // Every process reconnected by itself; each edge's reader with no gap.
    await clusterConnected(env.c);
    for (const e of env.c.edges) {
      const s = await streamStatus(e.url);
      expect(s).toMatchObject({ connected: true, gaps: 0 });
      expect(s.deliveredSeq).toBeGreaterThanOrEqual(last);
      expect(s.reconnects).toBeGreaterThanOrEqual(1);
    }
  }, 90_000);

  it('after the restart, edges still learn new keys and revocations at once', async () => {
    const k = await keyOnEdges(env.c, 'after_restart', 'after restart');
    const t0 = Date.now();
    const closed = k.subs.map((ws) => ws.waitClose(1000));
    expect((await env.c.admin.del(`/api/v1/keys/${k.id}`)).status).toBe(204);
    expect(await Promise.all(closed)).toEqual(closed.map(() => ({ code: 4001, reason: 'token revoked' })));
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('a key revoked while Redis is away closes its edge connections once Redis is back', async () => {
    const k = await keyOnEdges(env.c, 'revoked_while_down', 'revoked while down');
    await env.c.redis.stop();
    // While Redis is away, edges still take new connections with a JWT (verified locally).
    for (const e of env.c.edges) await (await native(e.url, { token: env.c.admin.token })).close();
    expect((await env.c.admin.del(`/api/v1/keys/${k.id}`)).status).toBe(204);
    const closed = k.subs.map((ws) => ws.waitClose(10_000));
    await env.c.redis.start();
    expect(await Promise.all(closed)).toEqual(closed.map(() => ({ code: 4001, reason: 'token revoked' })));
    await clusterConnected(env.c);
    for (const e of env.c.edges) {
      const ws = await openWs(wsUrl(e.url, '/api/v1/ws/realtime', k.key));
      expect(await ws.waitClose()).toEqual({ code: 4001, reason: 'invalid token' });
    }
  }, 30_000);

  it('a rule changed while Redis is away holds on edges once it is back (not the copy Redis kept)', async () => {
    const name = await createCollection(
      env.c.admin,
      'rule_while_down',
      { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' },
      [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'text' },
      ],
    );
    const u1 = await userClient(env.c.admin, 'rule-u1@test.local', 'viewer');
    const u2 = await userClient(env.c.admin, 'rule-u2@test.local', 'viewer');
    const subs = await subscribeOnEdges(env.c, name, u1.token!);
    await env.c.redis.stop();
    const rule = { owner: '@user.id' };
    const p = await env.c.admin.patch(`/api/v1/collections/${name}`, { rules: { list: rule, view: rule } });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    await env.c.redis.start();
    await clusterConnected(env.c);
    // The edges have the rule change from the stream; u1 sees only their own records now.
    const theirs = await env.c.admin.post(`/api/v1/collections/${name}/records`, {
      title: 'x',
      owner: u2.userId,
    });
    const mine = await env.c.admin.post(`/api/v1/collections/${name}/records`, {
      title: 'y',
      owner: u1.userId,
    });
    expect([theirs.status, mine.status]).toEqual([201, 201]);
    for (const ws of subs) {
      expect((await ws.next(event('record.created', name))).data.record_id).toBe(mine.body.id);
      expect(ws.pending(event())).toEqual([]);
    }
  }, 30_000);
});
