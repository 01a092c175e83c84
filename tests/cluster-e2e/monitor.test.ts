import { describe, expect, it } from 'vitest';
import { Client } from '../helpers/server';
import { publicSubscriber, useCluster } from '../helpers/cluster';
import { eventually, is, native, openWs, wsUrl, type Frame } from '../helpers/ws';

// A primary and one edge, each its own process, on one redis-server.
const env = useCluster({ edges: 1 });

const monitorOn = async (base: string, token: string) => {
  const m = await openWs(wsUrl(base, '/api/v1/monitor', token));
  const snapshot = await m.next(is('snapshot'), 10_000);
  return Object.assign(m, { snapshot });
};

describe('the monitor across a cluster', () => {
  it("shows every instance's connections and events, and explains and disconnects on the instance that holds the connection", async () => {
    const edge = env.c.edges[0]!;
    const token = env.c.admin.token!;
    const { name, sub: onEdge } = await publicSubscriber(env.c, 'mon', edge.url);
    const onPrimary = await native(env.c.primary.url);

    // A watcher on the primary sees the edge's connection, and one on the edge the primary's.
    const mp = await eventually(
      () => monitorOn(env.c.primary.url, token),
      (m) => m.snapshot.data.connections.some((c: Frame) => c.id === onEdge.connectionId),
      10_000,
    );
    const mine = mp.snapshot.data.connections.find((c: Frame) => c.id === onEdge.connectionId);
    expect(mine).toMatchObject({ instance: expect.stringMatching(/^edge@/), subscriptions: [name] });
    expect(mp.snapshot.data.instances.map((i: Frame) => i.role).sort()).toEqual(['edge', 'primary']);
    const me = await monitorOn(edge.url, token);
    expect(me.snapshot.data.connections.find((c: Frame) => c.id === onPrimary.connectionId)).toMatchObject({
      instance: expect.stringMatching(/^primary@/),
    });

    // A connection opened on the edge reaches the primary's watcher as a delta.
    const late = await native(edge.url);
    const opened = await mp.next(
      (f) => f.type === 'connection.opened' && f.data.id === late.connectionId,
      10_000,
    );
    expect(opened.data.instance).toMatch(/^edge@/);

    // Every instance's fan-out of one event reaches both watchers.
    const r = await env.c.admin.post(`/api/v1/collections/${name}/records`, { title: 'across' });
    expect(r.status).toBe(201);
    const summaries = async (m: typeof mp) =>
      m.frames
        .filter((f) => f.type === 'events')
        .flatMap((f) => f.data.events)
        .filter((e: Frame) => e.record_id === r.body.id);
    for (const m of [mp, me]) {
      const got = await eventually(
        () => summaries(m),
        (l) => l.length === 2,
        10_000,
      );
      const fromEdge = got.find((e: Frame) => e.instance.startsWith('edge@'));
      expect(fromEdge.fanout).toMatchObject({ matched: 1, sent: 1 });
      expect(got.find((e: Frame) => e.instance.startsWith('primary@')).fanout).toMatchObject({ matched: 0 });
    }

    // Explain on the primary reaches the edge's connection (REST on the edge is forwarded too).
    const seq = got0(await summaries(mp)).seq;
    const viaEdge = new Client(edge.url, token);
    const x = await viaEdge.get(`/api/v1/monitor/explain?seq=${seq}&connection=${onEdge.connectionId}`);
    expect(x.status, JSON.stringify(x.body)).toBe(200);
    expect(x.body.connections).toEqual([
      expect.objectContaining({
        connection: onEdge.connectionId,
        instance: expect.stringMatching(/^edge@/),
        delivered: true,
      }),
    ]);
    expect(x.body.recorded.map((f: Frame) => f.instance.split('@')[0]).sort()).toEqual(['edge', 'primary']);

    // The flow: a watcher on the primary that asks for it gets the edge's per-connection outcomes.
    mp.send({ type: 'flow', on: true });
    await mp.next(is('flow'), 10_000);
    // The edge records once it hears through Redis that a watcher wants the flow (within a batch or
    // two): write until a summary from the edge carries it (bounded: 20 writes, ~10 s).
    const edgeFlow = () =>
      mp.frames
        .filter((f) => f.type === 'events')
        .flatMap((f) => f.data.events)
        .find((e: Frame) => e.instance.startsWith('edge@') && e.collection === name && e.flow);
    for (let i = 0; i < 20 && !edgeFlow(); i++) {
      await env.c.admin.post(`/api/v1/collections/${name}/records`, { title: `flow ${i}` });
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(edgeFlow()?.flow).toEqual({
      delivered: [onEdge.connectionId],
      filtered: [],
      denied: [],
      dropped: [],
      capped: false,
    });

    // Inspecting the edge's connection from the primary's watcher streams its frames.
    mp.send({ type: 'inspect', connection: late.connectionId });
    expect((await mp.next(is('inspecting'), 10_000)).data).toMatchObject({
      connection: late.connectionId,
      instance: expect.stringMatching(/^edge@/),
    });
    late.send({ action: 'ping' });
    expect((await mp.next(is('frame'), 10_000)).data).toMatchObject({
      direction: 'in',
      text: '{"action":"ping"}',
    });
    expect((await mp.next(is('frame'), 10_000)).data).toMatchObject({ direction: 'out' });
    const frames = await env.c.admin.get(`/api/v1/monitor/connections/${late.connectionId}/frames`);
    expect(frames.body).toMatchObject({ inspected: true, instance: expect.stringMatching(/^edge@/) });
    expect(frames.body.frames.length).toBeGreaterThanOrEqual(2);

    // Disconnect from the primary closes the edge's connection with the admin's reason.
    const d = await env.c.admin.post(`/api/v1/monitor/connections/${onEdge.connectionId}/disconnect`, {
      reason: 'moved',
    });
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    expect(await onEdge.waitClose()).toEqual({ code: 4010, reason: 'disconnected by an admin: moved' });
    await mp.next((f) => f.type === 'connection.closed' && f.data.id === onEdge.connectionId, 10_000);
  }, 60_000);
});

const got0 = (l: Frame[]) => l[0]!;
