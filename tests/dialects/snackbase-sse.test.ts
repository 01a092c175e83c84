import { afterEach, describe, expect, it } from 'vitest';
import { adminClient, startServer } from '../helpers/server';
import { useServer } from '../api/support';
import {
  bulkUpdate,
  closeAll,
  collection,
  create,
  dialectCounts,
  ISO,
  json,
  remove,
  sse,
  update,
  user,
  waitKeys,
  type SseClient,
} from './util';

const env = useServer();
afterEach(closeAll);

const PATH = '/api/v1/realtime/subscribe';

/** Opens the stream as the SDK's EventSource does (`?token=` plus the query). */
const stream = (query: string, headers: Record<string, string> = {}, base = env.s.url) =>
  sse(`${base}${PATH}?${query}`, headers);

/** Opens a stream and waits until its subscription is live. */
async function live(
  query: string,
  wait: string,
  n = 1,
  headers: Record<string, string> = {},
): Promise<SseClient> {
  const s = await stream(query, headers);
  expect(s.status, JSON.stringify(s.body)).toBe(200);
  // one collection subscribes to it; several share one subscription keyed `a:ops;b:ops`
  await waitKeys(env.admin, (k) => k === wait || k.split(';').some((part) => part.startsWith(`${wait}:`)), n);
  return s;
}

const message = (s: SseClient) => s.next((e) => e.event === 'message');
const body = (name: string, op: string, data: unknown) => ({
  type: `${name}.${op}`,
  timestamp: expect.stringMatching(ISO),
  data,
});

describe('SnackBase SSE: authentication', () => {
  it('401 {"detail":"Missing token"} without a token, {"detail":"Invalid token"} with a bad one', async () => {
    const missing = await stream('collection=posts');
    expect([missing.status, missing.body]).toEqual([401, { detail: 'Missing token' }]);
    const bad = await stream('collection=posts&token=nope');
    expect([bad.status, bad.body]).toEqual([401, { detail: 'Invalid token' }]);
    const badHeader = await stream('collection=posts', { authorization: 'Bearer nope' });
    expect([badHeader.status, badHeader.body]).toEqual([401, { detail: 'Invalid token' }]);
  });

  it('takes Authorization: Bearer; labels the connection "snackbase-sse"', async () => {
    const name = await collection(env.admin);
    const s = await live(`collection=${name}`, name, 1, { authorization: `Bearer ${env.admin.token}` });
    expect(s.headers['content-type']).toMatch(/^text\/event-stream/);
    expect((await dialectCounts(env.admin))['snackbase-sse']).toBeGreaterThanOrEqual(1);
    const r = await create(env.admin, name, { title: 'a' });
    expect(json(await message(s))).toEqual(body(name, 'create', r));
  });

  it('400/403/404 {"detail"} for bad operations, a forbidden or an unknown collection', async () => {
    const t = `token=${env.admin.token}`;
    const unknown = await stream(`${t}&collection=nope`);
    expect([unknown.status, unknown.body]).toEqual([404, { detail: "Collection 'nope' not found" }]);
    const name = await collection(env.admin);
    const ops = await stream(`${t}&collections=${name}:create,upsert`);
    expect([ops.status, ops.body]).toEqual([
      400,
      { detail: `Invalid operations: use a list of create, update, delete (collection '${name}')` },
    ]);
    const admins = await collection(env.admin, 'admin');
    const viewer = await user(env.admin, 'viewer');
    const forbidden = await stream(`token=${viewer.token}&collection=${admins}`);
    expect([forbidden.status, forbidden.body]).toEqual([
      403,
      { detail: `Only admins may view in '${admins}'.` },
    ]);
    const lastId = await stream(`${t}&collection=${name}`, { 'last-event-id': 'abc' });
    expect([lastId.status, lastId.body]).toEqual([400, { detail: "Last-Event-ID must be a seq, got 'abc'" }]);
  });

  it('ends the stream with event: close when the token expires', async () => {
    const srv = await startServer({ accessTtlS: 2 });
    try {
      const admin = await adminClient(srv);
      const s = await stream(`token=${admin.token}`, {}, srv.url);
      expect(s.status).toBe(200);
      const close = await s.next((e) => e.event === 'close', 5000);
      expect(json(close)).toEqual({ reason: 'Token expired' });
      await s.ended;
    } finally {
      await srv.stop();
    }
  });
});

describe('SnackBase SSE: frames', () => {
  it('collection=a&collection=b: id: SEQ, event: message, data: the WebSocket message', async () => {
    const a = await collection(env.admin);
    const b = await collection(env.admin);
    const s = await live(`token=${env.admin.token}&collection=${a}&collection=${b}`, a);
    const ra = await create(env.admin, a, { title: 'a' });
    const rb = await create(env.admin, b, { title: 'b' });
    const ea = await message(s);
    const eb = await message(s);
    expect(json(ea)).toEqual(body(a, 'create', ra));
    expect(json(eb)).toEqual(body(b, 'create', rb));
    expect(Number(eb.id)).toBe(Number(ea.id) + 1);
    const u = await update(env.admin, a, ra.id, { title: 'a2' });
    expect(json(await message(s))).toEqual(body(a, 'update', u));
  });

  it('collections=a:create,update;b (and repeated, as the SDK sends it) filters operations', async () => {
    const a = await collection(env.admin);
    const b = await collection(env.admin);
    const one = await live(
      `token=${env.admin.token}&collections=${encodeURIComponent(`${a}:create,update;${b}`)}`,
      a,
      1,
    );
    const sdk = await live(`token=${env.admin.token}&collections=${a}:delete&collections=${b}:create`, a, 2);
    const ra = await create(env.admin, a, { title: 'a' });
    const rb = await create(env.admin, b, { title: 'b' });
    await remove(env.admin, a, ra.id);
    await remove(env.admin, b, rb.id);
    expect([json(await message(one)), json(await message(one)), json(await message(one))]).toEqual([
      body(a, 'create', ra),
      body(b, 'create', rb),
      body(b, 'delete', rb),
    ]);
    expect([json(await message(sdk)), json(await message(sdk))]).toEqual([
      body(b, 'create', rb),
      body(a, 'delete', ra),
    ]);
  });

  it('one collection with operations subscribes to that collection', async () => {
    const a = await collection(env.admin);
    const s = await live(`token=${env.admin.token}&collections=${a}:update`, a);
    const r = await create(env.admin, a, { title: 'x' });
    const u = await update(env.admin, a, r.id, { title: 'y' });
    expect(json(await message(s))).toEqual(body(a, 'update', u));
  });

  it('bulk writes: one message per record', async () => {
    const a = await collection(env.admin);
    const rs = [await create(env.admin, a, { title: '1' }), await create(env.admin, a, { title: '2' })];
    const s = await live(`token=${env.admin.token}&collection=${a}`, a);
    await bulkUpdate(env.admin, a, {}, { status: 'z' });
    const got = [json(await message(s)), json(await message(s))];
    expect(got.map((m) => [m.type, m.data.id, m.data.status])).toEqual(
      rs.map((r) => [`${a}.update`, r.id, 'z']),
    );
  });

  it('Last-Event-ID resumes exactly after the last event seen, across collections, in order', async () => {
    const a = await collection(env.admin);
    const b = await collection(env.admin);
    const q = `token=${env.admin.token}&collection=${a}&collection=${b}`;
    const s = await live(q, a);
    await create(env.admin, a, { title: '1' });
    const seen = await message(s);
    s.close();
    const missed = [
      await create(env.admin, b, { title: '2' }),
      await create(env.admin, a, { title: '3' }),
      await create(env.admin, b, { title: '4' }),
    ];
    const again = await stream(q, { 'last-event-id': seen.id! });
    const got = [await message(again), await message(again), await message(again)];
    expect(got.map((e) => json(e).data)).toEqual(missed);
    expect(got.map((e) => Number(e.id))).toEqual([1, 2, 3].map((i) => Number(seen.id) + i));
    const r = await create(env.admin, a, { title: 'live' });
    expect(json(await message(again)).data).toEqual(r);
  });

  it('sends event: heartbeat {"timestamp"} after an idle period, not while events flow', async () => {
    const srv = await startServer({ realtime: { pingEveryMs: 400 } });
    try {
      const admin = await adminClient(srv);
      const a = await collection(admin);
      const s = await stream(`token=${admin.token}&collection=${a}`, {}, srv.url);
      const hb = await s.next();
      expect(hb.event).toBe('heartbeat');
      expect(json(hb)).toEqual({ timestamp: expect.stringMatching(ISO) });
      // a heartbeat's timestamp is its own time, not a constant
      const hb2 = await s.next();
      expect(hb2.event).toBe('heartbeat');
      expect(json(hb2).timestamp > json(hb).timestamp).toBe(true);
      // while events come faster than the idle period, no heartbeat is sent
      const before = s.events.length;
      for (let i = 0; i < 8; i++) {
        await create(admin, a, { title: `${i}` });
        await new Promise((r) => setTimeout(r, 60));
      }
      const during = s.events.slice(before).map((e) => e.event);
      expect(during.filter((e) => e === 'message')).toHaveLength(8);
      expect(during.slice(0, during.lastIndexOf('message'))).not.toContain('heartbeat');
    } finally {
      await srv.stop();
    }
  });
});

describe('SnackBase SSE: rules and accounts', () => {
  it('events never cross accounts, and follow the read rule', async () => {
    const name = await collection(env.admin, { owner: '@user.id' });
    const a = await user(env.admin);
    const other = await user(env.admin, 'editor', 'acme');
    const sa = await live(`token=${a.token}&collection=${name}`, name, 1);
    const so = await live(`token=${other.token}&collection=${name}`, name, 2);
    await create(env.admin, name, { title: 'someone', owner: 'someone' });
    await create(other, name, { title: 'acme, owner a', owner: a.userId });
    const mine = await create(a, name, { title: 'a', owner: a.userId });
    expect(json(await message(sa))).toEqual(body(name, 'create', mine));
    const own = await create(other, name, { title: 'own', owner: other.userId });
    expect(json(await message(so))).toEqual(body(name, 'create', own));
  });
});
