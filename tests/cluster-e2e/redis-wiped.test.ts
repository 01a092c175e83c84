import { describe, expect, it } from 'vitest';
import {
  clusterConnected,
  createCollection,
  eventLog,
  Follower,
  lastSeq,
  pause,
  subscribeWhenKnown,
  useCluster,
} from '../helpers/cluster';
import { event, native } from '../helpers/ws';

// No persistence: a restart brings Redis back empty (the stream, keys and schemas gone).
const env = useCluster({ edges: 2, aof: false });

describe('redis-server restarted empty (no persistence) mid-stream', () => {
  it('the outbox refills the stream: edge subscribers still get every event once, and new clients work', async () => {
    const name = await createCollection(env.c.admin, 'wiped');
    const token = env.c.admin.token!;
    const before = await lastSeq(env.c.admin);
    const followers = env.c.edges.map((e) => ({ f: new Follower(name, token, before), url: e.url }));
    for (const { f, url } of followers) await f.connect(url);

    // note: 2 writers x 100 creates, paced; Redis is down ~0.5 s a quarter of the way in.
    const WRITES = 200;
    let written = 0;
    let restart: Promise<void> | undefined;
    await Promise.all(
      Array.from({ length: 2 }, async (_, w) => {
        for (let i = 0; i < WRITES / 2; i++) {
          const r = await env.c.admin.post(`/api/v1/collections/${name}/records`, { title: `w${w}`, n: i });
          expect(r.status).toBe(201);
          written++;
          if (!restart && written >= WRITES / 4)
            restart = (async () => {
              await env.c.redis.stop();
              await pause(500);
              await env.c.redis.start();
            })();
          if (i % 10 === 0) await pause(5);
        }
      }),
    );
    await restart;

    const log = await eventLog(env.c.admin, before, name);
    expect(log).toHaveLength(WRITES);
    const want = log.map((e) => e.seq as number);
    for (const { f } of followers) {
      await f.reach(want[want.length - 1]!, 20_000);
      expect(f.seqs()).toEqual(want);
      expect(f.drops).toEqual([]);
    }

    // The primary wrote its key, API keys and schemas again: a new key works on every edge.
    await clusterConnected(env.c);
    const k = await env.c.admin.post('/api/v1/keys', { name: 'after wipe', role: 'viewer' });
    expect(k.status).toBe(201);
    for (const e of env.c.edges) {
      const ws = await native(e.url, { token: k.body.key });
      await subscribeWhenKnown(ws, { collection: name });
      const r = await env.c.admin.post(`/api/v1/collections/${name}/records`, { title: 'after', n: 0 });
      expect((await ws.next(event('record.created', name))).data.record_id).toBe(r.body.id);
    }
  }, 90_000);
});
