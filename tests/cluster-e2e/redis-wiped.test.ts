import { describe, expect, it } from 'vitest';
import {
  clusterConnected,
  eventLog,
  followOnEdges,
  redisOutage,
  subscribeWhenKnown,
  useCluster,
  writePaced,
} from '../helpers/cluster';
import { event, is, openWs, wsUrl } from '../helpers/ws';

// No persistence: a restart brings Redis back empty (the stream, keys and schemas gone).
const env = useCluster({ edges: 2, aof: false });

describe('redis-server restarted empty (no persistence) mid-stream', () => {
  it('the outbox refills the stream: edge subscribers still get every event once, and new clients work', async () => {
    const { name, before, followers } = await followOnEdges(env.c, 'wiped');

    // note: 2 writers x 100 creates, paced; Redis is down ~0.5 s a quarter of the way in.
    const WRITES = 200;
    let restart: Promise<void> | undefined;
    await writePaced(env.c, name, {
      writers: 2,
      each: WRITES / 2,
      onWrite: (written) => {
        if (!restart && written >= WRITES / 4) restart = redisOutage(env.c, 500);
      },
    });
    await restart;

    const log = await eventLog(env.c.admin, before, name);
    expect(log).toHaveLength(WRITES);
    const want = log.map((e) => e.seq as number);
    for (const f of followers) {
      await f.reach(want[want.length - 1]!, 20_000);
      expect(f.seqs()).toEqual(want);
      expect(f.drops).toEqual([]);
    }

    // The primary wrote its key, API keys and schemas again: a new key works on every edge.
    await clusterConnected(env.c);
    const k = await env.c.admin.post('/api/v1/keys', { name: 'after wipe', role: 'viewer' });
    expect(k.status).toBe(201);
    for (const e of env.c.edges) {
      // The key's first use on this edge: the edge looks it up in Redis, waiting (bounded) for
      // its state connection if that is still coming back; a key it cannot find closes the
      // socket (4001), which no longer wait would change.
      const ws = await openWs(wsUrl(e.url, '/api/v1/ws/realtime', k.body.key));
      // note: 15 s: past the edge's own bound on a key lookup (the longest reconnect backoff
      // step plus a connect, 8 s), on a loaded box.
      const answer = await Promise.race([
        ws.next(is('authenticated'), 15_000),
        ws.waitClose(15_000).catch(() => ({ type: 'no answer' })),
      ]);
      expect(answer, `the new key on the edge at ${e.url}`).toMatchObject({ type: 'authenticated' });
      await subscribeWhenKnown(ws, { collection: name });
      const r = await env.c.admin.post(`/api/v1/collections/${name}/records`, { title: 'after', n: 0 });
      expect((await ws.next(event('record.created', name))).data.record_id).toBe(r.body.id);
    }
  }, 90_000);
});
