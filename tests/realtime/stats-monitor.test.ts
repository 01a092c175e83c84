import { afterEach, describe, expect, it } from 'vitest';
import { userClient } from '../helpers/server';
import {
  closeAll,
  event,
  eventually,
  is,
  native,
  openWs,
  sse,
  subscribed,
  wsUrl,
  type Frame,
  type WsClient,
} from '../helpers/ws';
import { createCollection, createRecord, uniq, useServer } from '../api/support';

const env = useServer();
afterEach(closeAll);

async function collection(): Promise<string> {
  const name = uniq('s');
  await createCollection(env.admin, {
    name,
    fields: [{ name: 'title', type: 'text' }],
    rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
  });
  return name;
}

const stats = async () => (await env.admin.get('/api/v1/stats')).body;
/** Waits until earlier tests' connections are gone from the hub. */
const quiet = () => eventually(stats, (s) => s.total_connections === 0);

async function monitor(token = env.admin.token): Promise<WsClient> {
  const m = await openWs(wsUrl(env.s.url, '/api/v1/monitor', token));
  await m.next(is('snapshot'));
  return m;
}

let n = 0;
const user = (role: 'editor' | 'admin', account?: string) =>
  userClient(env.admin, `sm-${++n}@test.local`, role, account);

describe('GET /api/v1/stats', () => {
  it('has the FastCMS shape plus counters and rates', async () => {
    const a = await collection();
    const b = await collection();
    await quiet();
    expect((await env.anon.get('/api/v1/stats')).status).toBe(401);
    const before = await stats();

    const admin = await native(env.s.url, { token: env.admin.token });
    await subscribed(admin, { collection: a });
    await subscribed(admin, { collection: b });
    const ed = await user('editor');
    const u = await native(env.s.url, { token: ed.token });
    await subscribed(u, { collection: a });
    await native(env.s.url);
    await createRecord(env.admin, a, { title: 'counted' });
    await u.next(event());

    const s = await stats();
    expect(s).toMatchObject({
      total_connections: 3,
      authenticated_connections: 2,
      unique_users: 2,
      pubsub_backend: 'memory',
      subscriptions: { [admin.connectionId]: [a, b], [u.connectionId]: [a] },
      subscriptions_by_collection: { [a]: 2, [b]: 1 },
      connections_by_dialect: { native: 3 },
      slow_consumers_closed: 0,
      dropped: 0,
    });
    expect(Object.keys(s.subscriptions)).toHaveLength(2);
    expect(s.events_total).toBe(before.events_total + 1);
    expect(s.messages_in).toBe(before.messages_in + 3);
    expect(s.messages_out).toBeGreaterThanOrEqual(before.messages_out + 3 + 2 + 3 + 2);
    expect(s.bytes_in).toBeGreaterThan(before.bytes_in);
    expect(s.bytes_out).toBeGreaterThan(before.bytes_out);
    for (const k of [
      'events_per_s',
      'messages_in_per_s',
      'messages_out_per_s',
      'bytes_in_per_s',
      'bytes_out_per_s',
      'collections',
      'last_seq',
      'uptime_s',
    ]) {
      expect(typeof s[k], k).toBe('number');
    }

    // An account's admin sees its own account's subscriptions only.
    const other = await user('admin', 'acct_stats_b');
    const mine = (await other.get('/api/v1/stats')).body;
    expect(mine.subscriptions).toEqual({});
    expect(mine.pubsub_backend).toBe('memory');
  });
});

describe('monitor feed', () => {
  it('admins only: no token 4001, bad token 4001, non-admin 4003', async () => {
    const none = await openWs(wsUrl(env.s.url, '/api/v1/monitor'));
    expect(await none.waitClose()).toEqual({ code: 4001, reason: 'token required' });
    const bad = await openWs(wsUrl(env.s.url, '/api/v1/monitor', 'nope'));
    expect(await bad.waitClose()).toEqual({ code: 4001, reason: 'invalid token' });
    const ed = await user('editor');
    const editor = await openWs(wsUrl(env.s.url, '/api/v1/monitor', ed.token));
    expect(await editor.waitClose()).toEqual({ code: 4003, reason: 'admins only' });
    expect(editor.frames).toEqual([]);
  });

  it('snapshot, then connections, subscriptions, presence and every event as they happen', async () => {
    const name = await collection();
    await quiet();
    const ed = await user('editor');
    const early = await native(env.s.url, { token: ed.token });
    await subscribed(early, { collection: name });

    const m = await openWs(wsUrl(env.s.url, '/api/v1/monitor', env.admin.token));
    const snap = await m.next();
    expect(snap).toEqual({
      type: 'snapshot',
      data: {
        instance: 'local',
        instances: [{ id: 'local', role: 'single', connections: 1 }],
        connections: [expect.any(Object)],
        presence: [expect.any(Object)],
        last_seq: expect.any(Number),
      },
      timestamp: expect.any(String),
    });
    expect(snap.data.connections[0]).toEqual({
      id: early.connectionId,
      instance: 'local',
      dialect: 'native',
      remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      user_id: ed.userId,
      email: expect.stringMatching(/^sm-/),
      kind: 'user',
      account: 'default',
      connected_at: expect.any(String),
      subscriptions: [name],
      subscription_details: [{ key: name, collection: name, filtered: false, since: null }],
      messages_in: 1,
      messages_out: 3,
      bytes_in: expect.any(Number),
      bytes_out: expect.any(Number),
      buffered: 0,
      last_seen: expect.any(Number),
    });
    expect(snap.data.presence[0]).toMatchObject({ user_id: ed.userId, connections: 1 });

    const ed2 = await user('editor');
    const c = await native(env.s.url);
    const of = (type: string) => (f: Frame) => f.type === type;
    expect((await m.next(of('connection.opened'))).data).toMatchObject({
      id: c.connectionId,
      user_id: null,
      account: 'default',
    });
    c.send({ action: 'auth', token: ed2.token });
    await c.next(is('authenticated'));
    expect((await m.next(of('connection.updated'))).data).toMatchObject({
      id: c.connectionId,
      user_id: ed2.userId,
      change: 'authenticated',
    });
    expect((await m.next(of('presence'))).data).toMatchObject({
      event: 'user.joined',
      account: 'default',
      instance: 'local',
      data: { user_id: ed2.userId, connection_id: c.connectionId },
    });
    await subscribed(c, { collection: name, filter: { title: 'x' } });
    const sub = (await m.next(of('connection.updated'))).data;
    expect(sub).toMatchObject({ id: c.connectionId, change: 'subscribed', key: name, subscriptions: [name] });
    expect(sub.subscription_details).toEqual([{ key: name, collection: name, filtered: true, since: null }]);

    const r = await env.admin.post(`/api/v1/collections/${name}/records`, { title: 'x' });
    const batch = await m.next(of('events'));
    expect(batch.data.events).toEqual([
      {
        seq: expect.any(Number),
        type: 'record.created',
        collection: name,
        record_id: r.body.id,
        account: 'default',
        actor: expect.any(String),
        trace_id: r.headers.get('x-trace-id'),
        timestamp: expect.any(String),
        instance: 'local',
        fanout: {
          candidates: 2,
          matched: 2,
          sent: 2,
          skipped_rule: 0,
          skipped_filter: 0,
          dropped: 0,
          micros: expect.any(Number),
        },
      },
    ]);

    c.send({ action: 'unsubscribe', collection: name });
    expect((await m.next(of('connection.updated'))).data).toMatchObject({
      id: c.connectionId,
      change: 'unsubscribed',
      key: name,
      subscriptions: [],
    });
    await c.close();
    expect((await m.next(of('connection.closed'))).data).toEqual({
      id: c.connectionId,
      instance: 'local',
      dialect: 'native',
      account: 'default',
      code: 1005,
      reason: '',
    });
    expect((await m.next(of('presence'))).data).toMatchObject({
      event: 'user.left',
      data: { user_id: ed2.userId },
    });
  });

  it('an account admin watches only its own account', async () => {
    const adminB = await user('admin', 'acct_mon_b');
    const edB = await user('editor', 'acct_mon_b');
    const m = await monitor(adminB.token);
    await native(env.s.url, { token: (await user('editor')).token });
    const cb = await native(env.s.url, { token: edB.token });
    const auth = await m.next((f) => f.type === 'connection.updated' && f.data.change === 'authenticated');
    expect(auth.data.id).toBe(cb.connectionId);
    expect((await m.next(is('presence'))).data).toMatchObject({
      event: 'user.joined',
      account: 'acct_mon_b',
      data: { user_id: edB.userId },
    });
  });

  it('a connection with a URL token is announced once its account is known, never to another account', async () => {
    const adminA = await user('admin'); // account default
    const edB = await user('editor', 'acct_mon_url');
    const mA = await monitor(adminA.token);
    const mAll = await monitor();
    const b = await native(env.s.url, { token: edB.token });
    // The superuser sees it open as who it is, then authenticated.
    const opened = await mAll.next((f) => f.type === 'connection.opened' && f.data.id === b.connectionId);
    expect(opened.data).toMatchObject({ user_id: edB.userId, account: 'acct_mon_url' });
    await mAll.next(
      (f) =>
        f.type === 'connection.updated' && f.data.change === 'authenticated' && f.data.id === b.connectionId,
    );
    // A bad URL token: anonymous after all, so it opens and closes in the default account.
    const bad = await openWs(wsUrl(env.s.url, '/api/v1/ws/realtime', 'not-a-token'));
    expect((await bad.waitClose()).code).toBe(4001);
    const badOpened = await mA.next((f) => f.type === 'connection.opened');
    expect(badOpened.data).toMatchObject({ user_id: null, account: 'default' });
    expect((await mA.next((f) => f.type === 'connection.closed')).data.id).toBe(badOpened.data.id);
    // Account default's admin never heard of B's connection.
    await b.close();
    await mAll.next((f) => f.type === 'connection.closed' && f.data.id === b.connectionId);
    expect(mA.frames.filter((f) => JSON.stringify(f).includes(b.connectionId))).toEqual([]);
  });

  it('an SSE stream opens as its caller, never in another account', async () => {
    const adminA = await user('admin'); // account default
    const edB = await user('editor', 'acct_mon_sse');
    const name = await collection();
    const mA = await monitor(adminA.token);
    const mAll = await monitor();
    const stream = await sse(`${env.s.url}/api/v1/sse/realtime?collection=${name}&token=${edB.token}`);
    expect(stream.status).toBe(200);
    const opened = await mAll.next((f) => f.type === 'connection.opened' && f.data.dialect === 'sse');
    expect(opened.data).toMatchObject({ user_id: edB.userId, account: 'acct_mon_sse' });
    stream.close();
    await mAll.next((f) => f.type === 'connection.closed' && f.data.id === opened.data.id);
    expect(mA.frames.filter((f) => JSON.stringify(f).includes(opened.data.id))).toEqual([]);
  });

  it('ticks every second; under a burst every event still has its own summary, in 100 ms batches', async () => {
    const name = await collection();
    await quiet();
    const m = await monitor();
    const subscriber = await native(env.s.url);
    await subscribed(subscriber, { collection: name });
    const t1 = await m.next(is('tick'), 2500);
    const t2 = await m.next(is('tick'), 2500);
    expect(Date.parse(t2.timestamp) - Date.parse(t1.timestamp)).toBeGreaterThan(800);
    expect(t2.data).toMatchObject({
      instance: 'local',
      connections: 1,
      present_users: expect.any(Number),
      last_seq: expect.any(Number),
      fanout: { events: expect.any(Number), sent: expect.any(Number), skipped_filter: expect.any(Number) },
    });
    for (const k of [
      'events_per_s',
      'messages_in_per_s',
      'messages_out_per_s',
      'bytes_in_per_s',
      'bytes_out_per_s',
      'event_loop_lag_ms',
      'event_loop_lag_p99_ms',
      'rss_bytes',
    ]) {
      expect(typeof t2.data[k], k).toBe('number');
    }

    const BURST = 80;
    const since = t2.data.last_seq as number;
    await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        for (let i = 0; i < BURST / 4; i++) await createRecord(env.admin, name, { title: `${w}-${i}` });
      }),
    );
    await subscriber.take(BURST, event(), 10_000);
    // Every event of the burst is in a batch, once, in seq order; batches are fewer than events.
    const seen: number[] = [];
    const batches: Frame[] = [];
    while (seen.length < BURST) {
      const b = await m.next(is('events'), 3000);
      batches.push(b);
      for (const e of b.data.events) if (e.collection === name) seen.push(e.seq);
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(BURST);
    expect(seen.every((s) => s > since)).toBe(true);
    expect(batches.length).toBeLessThan(BURST);
    // The ticks sum the same events.
    let counted = 0;
    const deadline = Date.now() + 5000;
    while (counted < BURST && Date.now() < deadline)
      counted += (await m.next(is('tick'), 2500)).data.fanout.events;
    expect(counted).toBe(BURST);
  }, 20_000);
});
