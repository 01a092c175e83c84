/**
 * FastSchema has no acknowledgement: a client knows it is subscribed when a frame it sent comes
 * back. So the echo must only come once the subscription is registered, on an edge too (where
 * the token check and the schema take a round trip): every event written after the echo arrives.
 */
import { describe, expect, it } from 'vitest';
import { createCollection, useCluster } from '../helpers/cluster';
import { Client } from '../helpers/server';
import { native, openWs, subscribe, wsUrl, type Frame, type WsClient } from '../helpers/ws';
import { eventually } from '../helpers/ws';

const env = useCluster({ edges: 1 });

const recs = (name: string) => `/api/v1/collections/${name}/records`;

describe('FastSchema on an edge, right after the collection is created', () => {
  it('delivers create, update and delete written after the echo', async () => {
    const { admin } = env.c;
    const edge = env.c.edges[0]!.url;
    for (let round = 0; round < 3; round++) {
      const name = `fs_edge_${round}_${Math.random().toString(36).slice(2, 7)}`;
      await createCollection(admin, name);
      // the edge learns the schema from the stream; wait until it knows it
      const probe = await native(edge, { token: admin.token });
      await eventually(
        () => subscribe(probe, { collection: name }),
        (f: Frame) => f.type === 'subscribed',
      );
      await probe.close();
      const ws: WsClient = await openWs(wsUrl(edge, `/api/realtime/content?schema=${name}`, admin.token));
      ws.send('hello');
      expect(await ws.next()).toEqual({ raw: 'hello' });
      // the echo came after the subscription was registered on this edge
      const stats = await new Client(edge, admin.token).get('/api/v1/stats');
      expect(
        stats.body.subscriptions_by_collection?.[name],
        JSON.stringify(stats.body),
      ).toBeGreaterThanOrEqual(1);
      const created = await admin.post(recs(name), { title: 'a' });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect((await admin.patch(`${recs(name)}/${id}`, { title: 'b' })).status).toBe(200);
      expect((await admin.del(`${recs(name)}/${id}`)).status).toBe(204);
      const frames = await ws.take(3, (f) => typeof f.event === 'string');
      expect(frames.map((f) => f.event)).toEqual(['create', 'update', 'delete']);
      expect(frames[0]!.data).toMatchObject({ id, title: 'a' });
      await ws.close();
    }
  });
});
