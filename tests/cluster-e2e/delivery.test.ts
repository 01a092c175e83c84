import { describe, expect, it } from 'vitest';
import { userClient, type Client } from '../helpers/server';
import { createCollection, eventLog, lastSeq, subscribeWhenKnown, useCluster } from '../helpers/cluster';
import { event, native, openWs, sse, wsUrl, type Frame, type WsClient } from '../helpers/ws';

// A primary and two edges, each its own process, on one redis-server.
const env = useCluster({ edges: 2 });

const recs = (name: string) => `/api/v1/collections/${name}/records`;
let n = 0;
const uniq = (prefix: string) => `${prefix}_${++n}_${Math.random().toString(36).slice(2, 7)}`;

/** A native subscriber on `base`, subscribed to `collection` once that instance knows it. */
async function nativeSub(base: string, token: string, collection: string): Promise<WsClient> {
  const ws = await native(base, { token });
  await subscribeWhenKnown(ws, { collection });
  return ws;
}

/** A SnackBase WebSocket subscriber (`?token=`), acknowledged. */
async function snackSub(base: string, token: string, collection: string): Promise<WsClient> {
  const ws = await openWs(wsUrl(base, '/api/v1/realtime/ws', token));
  ws.send({ action: 'subscribe', collection });
  expect(await ws.next((f) => f.type === 'subscribed' || 'error' in f)).toEqual({
    type: 'subscribed',
    status: 'subscribed',
    collection,
  });
  return ws;
}

async function create(as: Client, name: string, body: Record<string, unknown>): Promise<Frame> {
  const r = await as.post(recs(name), body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as Frame;
}

/** `op:record_id` of the next `count` native record events. */
async function ids(ws: WsClient, count: number): Promise<string[]> {
  return (await ws.take(count, event())).map((f) => `${f.data.type.slice(7)}:${f.data.record_id}`);
}

describe('fan-out through Redis', () => {
  it('writes on the primary reach native and SnackBase subscribers on both edges, in seq order', async () => {
    const name = await createCollection(env.c.admin, uniq('fan'));
    const token = env.c.admin.token!;
    const nat = await Promise.all(env.c.edges.map((e) => nativeSub(e.url, token, name)));
    const snack = await Promise.all(env.c.edges.map((e) => snackSub(e.url, token, name)));
    const before = await lastSeq(env.c.admin);

    // note: 4 concurrent writers x 25 creates, then an update and a delete of the first record.
    const created = await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        const out: Frame[] = [];
        for (let i = 0; i < 25; i++) out.push(await create(env.c.admin, name, { title: `w${w}`, n: i }));
        return out;
      }),
    );
    const first = created[0]![0]!;
    expect((await env.c.admin.patch(`${recs(name)}/${first.id}`, { title: 'changed' })).status).toBe(200);
    expect((await env.c.admin.del(`${recs(name)}/${first.id}`)).status).toBe(204);

    const log = await eventLog(env.c.admin, before, name);
    expect(log).toHaveLength(102);
    const want = log.map((e) => [e.seq, e.type, e.record_id]);
    for (const ws of nat) {
      const got = await ws.take(102, event(undefined, name), 15_000);
      expect(got.map((f) => [f.data.seq, f.data.type, f.data.record_id])).toEqual(want);
      // The same event as the primary logged it (data, trace id, timestamp).
      expect(got[0]!.data).toMatchObject({
        data: log[0]!.data,
        trace_id: log[0]!.trace_id,
        timestamp: log[0]!.timestamp,
      });
    }
    const ops: Record<string, string> = {
      'record.created': 'create',
      'record.updated': 'update',
      'record.deleted': 'delete',
    };
    for (const ws of snack) {
      const got = await ws.take(
        102,
        (f) => typeof f.type === 'string' && f.type.startsWith(`${name}.`),
        15_000,
      );
      expect(got.map((f) => [f.type, f.data.id])).toEqual(
        log.map((e) => [`${name}.${ops[e.type]}`, e.record_id]),
      );
    }
    // An SSE client resuming on an edge with Last-Event-ID gets exactly what came after it.
    const from = log[49]!.seq as number;
    const resumed = await sse(
      `${env.c.edges[1]!.url}/api/v1/sse/realtime?collection=${name}&token=${token}`,
      {
        'last-event-id': String(from),
      },
    );
    expect(resumed.status).toBe(200);
    const replay = await resumed.take(52, (f) => String(f.event).startsWith('record.'));
    expect(replay.map((f) => [Number(f.id), f.event, f.data!.record_id])).toEqual(want.slice(50));
    resumed.close();
    // Nothing more arrived than the log holds.
    for (const ws of [...nat, ...snack]) expect(ws.pending((f) => f.type !== 'ping')).toEqual([]);
  });
});

describe('rules and accounts on edges', () => {
  it("a user of account B on an edge never receives account A's events, in either dialect", async () => {
    const name = await createCollection(env.c.admin, uniq('acct'));
    const a = await userClient(env.c.admin, `${uniq('a')}@test.local`, 'editor');
    const b = await userClient(env.c.admin, `${uniq('b')}@test.local`, 'editor', 'acct_b');
    const [e0, e1] = env.c.edges;
    const subs = {
      a0: await nativeSub(e0!.url, a.token!, name),
      a1: await nativeSub(e1!.url, a.token!, name),
      b0: await nativeSub(e0!.url, b.token!, name),
      b1: await nativeSub(e1!.url, b.token!, name),
    };
    const snackB = await snackSub(e1!.url, b.token!, name);

    const ra1 = await create(a, name, { title: 'A one' });
    const rb1 = await create(b, name, { title: 'B one' });
    expect((await a.patch(`${recs(name)}/${ra1.id}`, { title: 'A two' })).status).toBe(200);
    expect((await b.del(`${recs(name)}/${rb1.id}`)).status).toBe(204);
    const ra2 = await create(a, name, { title: 'A marker' });
    const rb2 = await create(b, name, { title: 'B marker' });

    for (const ws of [subs.a0, subs.a1]) {
      expect(await ids(ws, 3)).toEqual([`created:${ra1.id}`, `updated:${ra1.id}`, `created:${ra2.id}`]);
    }
    for (const ws of [subs.b0, subs.b1]) {
      expect(await ids(ws, 3)).toEqual([`created:${rb1.id}`, `deleted:${rb1.id}`, `created:${rb2.id}`]);
    }
    const snack = await snackB.take(3, (f) => typeof f.type === 'string' && f.type.startsWith(`${name}.`));
    expect(snack.map((f) => [f.type, f.data.id])).toEqual([
      [`${name}.create`, rb1.id],
      [`${name}.delete`, rb1.id],
      [`${name}.create`, rb2.id],
    ]);
    // Each side's marker came after the other side's events: nothing foreign is left behind.
    for (const ws of [...Object.values(subs), snackB]) {
      expect(ws.pending((f) => f.type === 'event' || String(f.type).startsWith(`${name}.`))).toEqual([]);
    }
  });

  it('a view rule {"owner":"@user.id"}: on every edge, each user receives only their own records', async () => {
    const rule = { owner: '@user.id' };
    const name = await createCollection(
      env.c.admin,
      uniq('own'),
      { list: rule, view: rule, create: 'auth', update: 'auth', delete: 'auth' },
      [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'text' },
      ],
    );
    const u1 = await userClient(env.c.admin, `${uniq('u1')}@test.local`, 'viewer');
    const u2 = await userClient(env.c.admin, `${uniq('u2')}@test.local`, 'viewer');
    const [e0, e1] = env.c.edges;
    const s1 = [await nativeSub(e0!.url, u1.token!, name), await nativeSub(e1!.url, u1.token!, name)];
    const s2 = [await nativeSub(e1!.url, u2.token!, name), await nativeSub(e0!.url, u2.token!, name)];

    const r1 = await create(env.c.admin, name, { title: 'one', owner: u1.userId });
    const r2 = await create(env.c.admin, name, { title: 'two', owner: u2.userId });
    // Handing a record to u2 takes it out of u1's sight (a delete for u1) and into u2's (a create).
    expect((await env.c.admin.patch(`${recs(name)}/${r1.id}`, { owner: u2.userId })).status).toBe(200);
    const r3 = await create(env.c.admin, name, { title: 'three', owner: u1.userId });

    for (const ws of s1) {
      const got = await ws.take(3, event());
      expect(got.map((f) => f.data.record_id)).toEqual([r1.id, r1.id, r3.id]);
      expect(got.map((f) => f.data.data.owner)).toEqual([u1.userId, u1.userId, u1.userId]);
    }
    for (const ws of s2) {
      const got = await ws.take(2, event());
      expect(got.map((f) => f.data.record_id)).toEqual([r2.id, r1.id]);
      expect(got.map((f) => f.data.data.owner)).toEqual([u2.userId, u2.userId]);
    }
    // u1's last create came after everything else: u2 was not sent anything of u1's.
    for (const ws of [...s1, ...s2]) expect(ws.pending(event())).toEqual([]);
  });

  it('an API key revoked on the primary closes its edge connections with 4001 within a second, and is refused after', async () => {
    const name = await createCollection(env.c.admin, uniq('key'));
    const k = await env.c.admin.post('/api/v1/keys', { name: 'lobby display', role: 'viewer' });
    expect(k.status).toBe(201);
    const key = k.body.key as string;
    const subs = await Promise.all(env.c.edges.map((e) => nativeSub(e.url, key, name)));
    const r = await create(env.c.admin, name, { title: 'seen through the key' });
    for (const ws of subs) expect((await ws.next(event())).data.record_id).toBe(r.id);

    const t0 = Date.now();
    const closed = subs.map((ws) => ws.waitClose(1000));
    expect((await env.c.admin.del(`/api/v1/keys/${k.body.id}`)).status).toBe(204);
    expect(await Promise.all(closed)).toEqual(closed.map(() => ({ code: 4001, reason: 'token revoked' })));
    expect(Date.now() - t0).toBeLessThan(1000);

    // A new connection with it, on either edge, in either transport, is refused.
    for (const e of env.c.edges) {
      const ws = await openWs(wsUrl(e.url, '/api/v1/ws/realtime', key));
      expect(await ws.waitClose()).toEqual({ code: 4001, reason: 'invalid token' });
      const s = await sse(`${e.url}/api/v1/sse/realtime?collection=${name}&token=${key}`);
      expect(s.status).toBe(401);
    }
  });
});
