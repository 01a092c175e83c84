import { describe, expect, it } from 'vitest';
import { Client } from '../helpers/server';
import { lastSeq, publicSubscriber, useCluster } from '../helpers/cluster';
import { event, type Frame } from '../helpers/ws';

// A primary and one edge, each its own process, on one redis-server.
const env = useCluster({ edges: 1 });

describe('replay across a cluster', () => {
  it("replays the primary's event log into a connection held by an edge, asked on either instance", async () => {
    const edge = env.c.edges[0]!;
    const { name, sub: onEdge } = await publicSubscriber(env.c, 'rep', edge.url);
    const from = (await lastSeq(env.c.admin)) + 1;
    for (const title of ['one', 'two'])
      expect((await env.c.admin.post(`/api/v1/collections/${name}/records`, { title })).status).toBe(201);
    const live: Frame[] = [];
    for (let i = 0; i < 2; i++) live.push(await onEdge.next(event('record.created'), 10_000));

    const body = { connection: onEdge.connectionId, from_seq: from, to_seq: from + 1 };
    // Asked on the primary (which holds the log): the edge that holds the connection sends.
    const r = await env.c.admin.post('/api/v1/monitor/replay', body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      connection: onEdge.connectionId,
      instance: expect.stringMatching(/^edge@/),
      dialect: 'native',
      events: 2,
      sent: 2,
    });
    const again: Frame[] = [];
    for (let i = 0; i < 2; i++) again.push(await onEdge.next(event('record.created'), 10_000));
    expect(again.map((f) => f.data.data)).toEqual(live.map((f) => f.data.data));
    expect(again.every((f) => f.data.seq === undefined)).toBe(true);

    // Asked on the edge: REST is forwarded to the primary, which reaches back to the edge.
    const viaEdge = new Client(edge.url, env.c.admin.token!);
    const r2 = await viaEdge.post('/api/v1/monitor/replay', { ...body, to_seq: from });
    expect(r2.body).toMatchObject({ events: 1, sent: 1 });
    expect((await onEdge.next(event('record.created'), 10_000)).data.data.title).toBe('one');
    // A connection no instance holds.
    expect((await env.c.admin.post('/api/v1/monitor/replay', { ...body, connection: 'nope' })).status).toBe(
      404,
    );
  }, 60_000);
});
