import { describe, expect, it } from 'vitest';
import { Client, userClient } from '../helpers/server';
import { useCluster } from '../helpers/cluster';
import { eventually, native, openWs, subscribed, wsUrl, type Frame, type WsClient } from '../helpers/ws';

// A primary and two edges, each its own process, on one redis-server.
const env = useCluster({ edges: 2 });

const presenceEvents = (w: WsClient, userId: string) =>
  w.frames
    .filter((f: Frame) => f.type === 'event' && f.data.data?.user_id === userId)
    .map((f) => f.data.type);

describe('cluster-wide presence', () => {
  it('joined on the first connection anywhere, left only when the last one anywhere closes', async () => {
    const [e1, e2] = env.c.edges;
    const watchers: WsClient[] = [];
    for (const base of [env.c.primary.url, e1!.url, e2!.url]) {
      const w = await native(base, { token: env.c.admin.token! });
      await subscribed(w, { collection: 'presence' });
      watchers.push(w);
    }
    const u = await userClient(env.c.admin, `walker-${Date.now()}@test.local`, 'editor');
    const a = await native(e1!.url, { token: u.token });
    const b = await native(e2!.url, { token: u.token });
    // Every instance's subscribers hear exactly one joined.
    for (const w of watchers)
      await eventually(
        async () => presenceEvents(w, u.userId),
        (l) => l.length === 1,
      );

    // Any instance reports the same cluster: both connections, three live instances.
    for (const base of [env.c.primary.url, e1!.url, e2!.url]) {
      const admin = new Client(base, env.c.admin.token);
      const present = await eventually(
        async () => (await admin.get('/api/v1/presence')).body.users as Frame[],
        (users) => users.some((x) => x.user_id === u.userId && x.connections === 2),
        8000,
      );
      expect(present.find((x) => x.user_id === u.userId)).toMatchObject({ connections: 2 });
      const stats = (await admin.get('/api/v1/stats')).body;
      expect(stats.pubsub_backend).toBe('redis');
      expect(stats.instances.map((i: Frame) => i.role).sort()).toEqual(['edge', 'edge', 'primary']);
    }

    await a.close();
    // One of two closed: still present, no left anywhere.
    const admin = new Client(env.c.primary.url, env.c.admin.token);
    await eventually(
      async () =>
        ((await admin.get('/api/v1/presence')).body.users as Frame[]).find((x) => x.user_id === u.userId),
      (x) => x?.connections === 1,
      8000,
    );
    for (const w of watchers) expect(presenceEvents(w, u.userId)).toEqual(['user.joined']);

    await b.close();
    for (const w of watchers) {
      await eventually(
        async () => presenceEvents(w, u.userId),
        (l) => l.length === 2,
      );
      expect(presenceEvents(w, u.userId)).toEqual(['user.joined', 'user.left']);
    }
  });

  it('an edge that dies takes its users out of presence within the timeout', async () => {
    const [e1, e2] = env.c.edges;
    const watcher = await native(e1!.url, { token: env.c.admin.token! });
    await subscribed(watcher, { collection: 'presence' });
    const u = await userClient(env.c.admin, `doomed-${Date.now()}@test.local`, 'editor');
    await native(e2!.url, { token: u.token });
    await eventually(
      async () => presenceEvents(watcher, u.userId),
      (l) => l.includes('user.joined'),
    );
    e2!.kill('SIGKILL');
    await e2!.exited();
    // note: the registry's dead-instance timeout is 5 s; reaping runs every second.
    await eventually(
      async () => presenceEvents(watcher, u.userId),
      (l) => l.includes('user.left'),
      15_000,
    );
    expect(presenceEvents(watcher, u.userId)).toEqual(['user.joined', 'user.left']);
  });
});

describe('logins ended on the primary', () => {
  it('a logout on the primary closes that login on an edge at once, and the edge refuses its token', async () => {
    // The other edge was killed by the test above; both halves run on the first.
    const [e1] = env.c.edges;
    const u = await userClient(env.c.admin, `leaver-${Date.now()}@test.local`, 'editor');
    const live = await native(e1!.url, { token: u.token });
    expect((await u.post('/api/v1/auth/logout')).status).toBe(204);
    expect(await live.waitClose(2000)).toEqual({ code: 4001, reason: 'token revoked' });
    const again = await openWs(wsUrl(e1!.url, '/api/v1/ws/realtime', u.token));
    expect(await again.waitClose(2000)).toEqual({ code: 4001, reason: 'invalid token' });
  });
});
