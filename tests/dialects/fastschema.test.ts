import { afterEach, describe, expect, it } from 'vitest';
import { adminClient, startServer } from '../helpers/server';
import { useServer } from '../api/support';
import {
  bulkDelete,
  bulkUpdate,
  closeAll,
  closeOf,
  collection,
  create,
  dialectCounts,
  open,
  remove,
  update,
  user,
  waitSubs,
  wsUrl,
  type Ws,
} from './util';

const env = useServer();
afterEach(closeAll);

/** Connects as the FastSchema docs and SDK do, then waits until the subscription is live. */
async function fs(
  name: string,
  query = '',
  opts: { protocols?: string[]; headers?: Record<string, string>; path?: string } = {},
) {
  const path = opts.path ?? '/api/realtime/content';
  const c = await open(wsUrl(env.s.url, `${path}?schema=${name}${query}`), opts.protocols, {
    headers: opts.headers,
  });
  return c;
}
async function live(name: string, query = '', opts: Parameters<typeof fs>[2] = {}, n = 1): Promise<Ws> {
  const c = await fs(name, query, opts);
  await waitSubs(env.admin, name, n);
  return c;
}

describe('FastSchema: connecting', () => {
  it('serves /api/realtime/content and the docs\' /realtime/content; create -> {event:"create",data:{record}}', async () => {
    const name = await collection(env.admin);
    const a = await live(name);
    const b = await live(name, '', { path: '/realtime/content' }, 2);
    const r = await create(env.admin, name, { title: 'Hello', status: 'draft', n: 1 });
    expect(await a.next()).toEqual({ event: 'create', data: r });
    expect(await b.next()).toEqual({ event: 'create', data: r });
  });

  it('the SDK handshake: Sec-WebSocket-Protocol "Authorization, <token>" is answered with "Authorization"', async () => {
    const name = await collection(env.admin, 'auth');
    const c = await live(name, '&event=*', { protocols: ['Authorization', env.admin.token!] });
    expect(c.ws.protocol).toBe('Authorization');
    const r = await create(env.admin, name, { title: 'x' });
    expect(await c.next()).toEqual({ event: 'create', data: r });
  });

  it('takes the token from Authorization: Bearer, X-Auth-Token and cookie token', async () => {
    const name = await collection(env.admin, 'auth');
    const a = await live(name, '', { headers: { authorization: `Bearer ${env.admin.token}` } }, 1);
    const b = await live(name, '', { headers: { 'x-auth-token': env.admin.token! } }, 2);
    const c = await live(name, '', { headers: { cookie: `theme=dark; token=${env.admin.token}` } }, 3);
    const r = await create(env.admin, name, { title: 'x' });
    for (const s of [a, b, c]) expect(await s.next()).toEqual({ event: 'create', data: r });
  });

  it('labels the connection "fastschema" in stats and presence', async () => {
    const name = await collection(env.admin, 'auth');
    const ed = await user(env.admin);
    await live(name, '', { headers: { authorization: `Bearer ${ed.token}` } });
    expect((await dialectCounts(env.admin)).fastschema).toBeGreaterThanOrEqual(1);
    const p = await env.admin.get('/api/v1/presence');
    const me = p.body.users.find((u: { user_id: string }) => u.user_id === ed.userId);
    expect(me.dialects).toEqual(['fastschema']);
  });

  it('loses no event committed while the connection is still being set up (no acknowledgement to wait for)', async () => {
    const name = await collection(env.admin, 'auth');
    const c = await fs(name, '', { protocols: ['Authorization', env.admin.token!] });
    const r = await create(env.admin, name, { title: 'right away' });
    expect(await c.next()).toEqual({ event: 'create', data: r });
  });

  it('echoes any frame the client sends, as text', async () => {
    const name = await collection(env.admin);
    const c = await live(name);
    c.send('test message');
    expect(await c.next()).toEqual({ raw: 'test message' });
    c.send({ hello: 'world' });
    expect(await c.next()).toEqual({ hello: 'world' });
  });
});

describe('FastSchema: errors close with 1000 and the reason', () => {
  const closes = async (query: string, reason: string | RegExp, headers?: Record<string, string>) => {
    const c = await open(wsUrl(env.s.url, `/api/realtime/content${query}`), [], { headers });
    const closed = await closeOf(c);
    expect(closed.code).toBe(1000);
    if (typeof reason === 'string') expect(closed.reason).toBe(reason);
    else expect(closed.reason).toMatch(reason);
  };

  it('invalid event, unknown or missing schema, invalid filter, unknown select field', async () => {
    const name = await collection(env.admin);
    await closes(`?schema=${name}&event=invalid`, "realtime.content: invalid event 'invalid'");
    await closes('?event=invalid', "realtime.content: invalid event 'invalid'");
    await closes('?schema=invalid', 'realtime.content: schema not found: invalid');
    await closes('', 'realtime.content: schema not found: ');
    await closes('?schema=Not-A-Name', 'realtime.content: schema not found: Not-A-Name');
    await closes(
      `?schema=${name}&filter=invalid`,
      /^realtime\.content: invalid filter: filter: invalid JSON$/,
    );
    await closes(
      `?schema=${name}&filter=${encodeURIComponent('{"nope":1}')}`,
      /^realtime\.content: invalid filter: filter\.nope/,
    );
    await closes(
      `?schema=${name}&filter=${encodeURIComponent('{"n":{"$gt":"x"}}')}`,
      /^realtime\.content: invalid filter: filter\.n\.\$gt/,
    );
    await closes(
      `?schema=${name}&select=title,nope`,
      "realtime.content: invalid select: unknown field 'nope'",
    );
  });

  it('a long reason is cut to what a close frame carries', async () => {
    const long = 'a'.repeat(60);
    const c = await open(wsUrl(env.s.url, `/api/realtime/content?schema=x&event=${'é'.repeat(80)}${long}`));
    const closed = await closeOf(c);
    expect(closed.code).toBe(1000);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
    expect(closed.reason).toMatch(/^realtime\.content: invalid event 'é+\.\.\.$/);
  });

  it('Unauthorized for a bad token or an anonymous reader of a signed-in collection; Forbidden for a signed-in one', async () => {
    const name = await collection(env.admin, 'auth');
    const admins = await collection(env.admin, 'admin');
    await closes(`?schema=${name}`, 'Unauthorized', { authorization: 'Bearer not-a-token' });
    await closes(`?schema=${name}`, 'Unauthorized');
    const viewer = await user(env.admin, 'viewer');
    await closes(`?schema=${admins}`, 'Forbidden', { authorization: `Bearer ${viewer.token}` });
  });

  it('closes 1000 "Unauthorized: token expired" when the token expires', async () => {
    const s = await startServer({ accessTtlS: 2 });
    try {
      const admin = await adminClient(s);
      const name = await collection(admin);
      const c = await open(wsUrl(s.url, `/api/realtime/content?schema=${name}`), [
        'Authorization',
        admin.token!,
      ]);
      const closed = await closeOf(c);
      expect(closed).toEqual({ code: 1000, reason: 'Unauthorized: token expired' });
    } finally {
      await s.stop();
    }
  });
});

describe('FastSchema: messages', () => {
  it('update and delete carry an array; a bulk write is one message listing every record, in order', async () => {
    const name = await collection(env.admin);
    const c = await live(name);
    const rs = [];
    for (let i = 0; i < 3; i++)
      rs.push(await create(env.admin, name, { title: `t${i}`, status: 'draft', n: i }));
    for (const r of rs) expect(await c.next()).toEqual({ event: 'create', data: r });
    const one = await update(env.admin, name, rs[0]!.id, { title: 'changed' });
    expect(await c.next()).toEqual({ event: 'update', data: [one] });
    expect(await bulkUpdate(env.admin, name, { status: 'draft' }, { status: 'live' })).toBe(3);
    const m = await c.next();
    expect(m.event).toBe('update');
    expect(m.data.map((r: { id: string }) => r.id)).toEqual(rs.map((r) => r.id));
    expect(m.data.every((r: { status: string }) => r.status === 'live')).toBe(true);
    expect(m.data[0].title).toBe('changed');
    await remove(env.admin, name, rs[0]!.id);
    expect(await c.next()).toEqual({ event: 'delete', data: [{ ...m.data[0] }] });
    expect(await bulkDelete(env.admin, name, {})).toBe(2);
    const d = await c.next();
    expect(d).toEqual({ event: 'delete', data: [m.data[1], m.data[2]] });
    // Nothing else was sent: the next write is the next message.
    const r = await create(env.admin, name, { title: 'after' });
    expect(await c.next()).toEqual({ event: 'create', data: r });
  });

  it('two back-to-back bulk writes stay two messages, in commit order', async () => {
    const name = await collection(env.admin);
    for (let i = 0; i < 4; i++) await create(env.admin, name, { title: `t${i}`, n: i });
    const c = await live(name, '&event=update');
    await Promise.all([
      bulkUpdate(env.admin, name, { n: { $lt: 2 } }, { status: 'a' }),
      bulkUpdate(env.admin, name, { n: { $gte: 2 } }, { status: 'b' }),
    ]);
    const first = await c.next();
    const second = await c.next();
    const statuses = [first, second].map((m) => m.data.map((r: { status: string }) => r.status));
    expect(statuses.map((s) => s.length)).toEqual([2, 2]);
    expect(statuses.map((s) => new Set(s).size)).toEqual([1, 1]);
    expect(new Set(statuses.flat())).toEqual(new Set(['a', 'b']));
  });

  it('event=create|update|delete picks one operation; * (the default) all three', async () => {
    const name = await collection(env.admin);
    const cr = await live(name, '&event=create', {}, 1);
    const up = await live(name, '&event=update', {}, 2);
    const de = await live(name, '&event=delete', {}, 3);
    const all = await live(name, '&event=*', {}, 4);
    const r = await create(env.admin, name, { title: 'a' });
    const u = await update(env.admin, name, r.id, { title: 'b' });
    await remove(env.admin, name, r.id);
    expect(await cr.next()).toEqual({ event: 'create', data: r });
    expect(await up.next()).toEqual({ event: 'update', data: [u] });
    expect(await de.next()).toEqual({ event: 'delete', data: [u] });
    expect([await all.next(), await all.next(), await all.next()].map((m) => m.event)).toEqual([
      'create',
      'update',
      'delete',
    ]);
    const r2 = await create(env.admin, name, { title: 'c' });
    expect(await cr.next()).toEqual({ event: 'create', data: r2 });
    expect(up.pending()).toEqual([]);
    expect(de.pending()).toEqual([]);
  });

  it('id: that record only, as a single object; with event=* all three operations', async () => {
    const name = await collection(env.admin);
    const r = await create(env.admin, name, { title: 'mine' });
    const other = await create(env.admin, name, { title: 'other' });
    const one = await live(name, `&event=update&id=${r.id}`, {}, 1);
    const any = await live(name, `&id=${r.id}`, {}, 2);
    await update(env.admin, name, other.id, { title: 'x' });
    const u = await update(env.admin, name, r.id, { title: 'changed' });
    expect(await one.next()).toEqual({ event: 'update', data: u });
    expect(await any.next()).toEqual({ event: 'update', data: u });
    await bulkUpdate(env.admin, name, {}, { status: 'bulk' });
    expect((await one.next()).data).toMatchObject({ id: r.id, status: 'bulk' });
    expect((await any.next()).data).toMatchObject({ id: r.id, status: 'bulk' });
    await remove(env.admin, name, r.id);
    expect(await any.next()).toEqual({ event: 'delete', data: expect.objectContaining({ id: r.id }) });
    expect(one.pending()).toEqual([]);
  });

  it('select keeps the listed fields and id', async () => {
    const name = await collection(env.admin);
    const c = await live(name, '&select=title,n');
    const r = await create(env.admin, name, { title: 'a', status: 's', n: 3 });
    expect(await c.next()).toEqual({ event: 'create', data: { id: r.id, title: 'a', n: 3 } });
    await bulkUpdate(env.admin, name, {}, { n: 4 });
    expect(await c.next()).toEqual({ event: 'update', data: [{ id: r.id, title: 'a', n: 4 }] });
  });
});

describe('FastSchema: filter', () => {
  const filter = { status: 'published', n: { $gt: 1, $lt: 10 }, $or: [{ title: { $like: 'a%' } }, { n: 5 }] };

  it('takes the filter URL-encoded, raw (as the docs write it) and form-encoded (the SDK)', async () => {
    const name = await collection(env.admin);
    const encoded = await live(name, `&filter=${encodeURIComponent(JSON.stringify(filter))}`, {}, 1);
    const raw = await live(name, `&filter=${JSON.stringify({ status: 'published' })}`, {}, 2);
    const sdk = await live(
      name,
      `&${new URLSearchParams({ filter: JSON.stringify({ title: 'a b' }) })}`,
      {},
      3,
    );
    const twice = await live(
      name,
      `&filter=${encodeURIComponent(encodeURIComponent(JSON.stringify({ n: 5 })))}`,
      {},
      4,
    );
    const r = await create(env.admin, name, { title: 'a b', status: 'published', n: 5 });
    for (const c of [encoded, raw, sdk, twice]) expect(await c.next()).toEqual({ event: 'create', data: r });
  });

  it('create: only matching records; update: only records matching after the change; delete: matching', async () => {
    const name = await collection(env.admin);
    const c = await live(name, `&filter=${encodeURIComponent(JSON.stringify(filter))}`);
    const no = await create(env.admin, name, { title: 'b', status: 'published', n: 2 });
    const yes = await create(env.admin, name, { title: 'abc', status: 'published', n: 2 });
    expect(await c.next()).toEqual({ event: 'create', data: yes });
    // enters the filter: sent; leaves it: not sent; stays: sent
    const entered = await update(env.admin, name, no.id, { n: 5 });
    expect(await c.next()).toEqual({ event: 'update', data: [entered] });
    await update(env.admin, name, yes.id, { status: 'draft' });
    const stays = await update(env.admin, name, no.id, { title: 'still' });
    expect(await c.next()).toEqual({ event: 'update', data: [stays] });
    // a bulk update lists only the records that match afterwards
    await bulkUpdate(env.admin, name, {}, { owner: 'bulk' });
    const m = await c.next();
    expect(m.data.map((r: { id: string }) => r.id)).toEqual([no.id]);
    await remove(env.admin, name, yes.id);
    await remove(env.admin, name, no.id);
    expect(await c.next()).toEqual({ event: 'delete', data: [expect.objectContaining({ id: no.id })] });
  });
});

describe('FastSchema: rules and accounts', () => {
  it('a subscriber gets only records its read rule allows, within its own account', async () => {
    const name = await collection(env.admin, { owner: '@user.id' });
    const a = await user(env.admin);
    const b = await user(env.admin);
    const other = await user(env.admin, 'editor', 'acme');
    const ca = await live(name, '', { headers: { authorization: `Bearer ${a.token}` } }, 1);
    const co = await live(name, '', { headers: { authorization: `Bearer ${other.token}` } }, 2);
    await create(b, name, { title: 'b', owner: b.userId });
    await create(other, name, { title: 'other account, owner a', owner: a.userId });
    const mine = await create(a, name, { title: 'a', owner: a.userId });
    expect(await ca.next()).toEqual({ event: 'create', data: mine });
    // the other account's subscriber saw none of the above, only its own account's record
    const own = await create(other, name, { title: 'own', owner: other.userId });
    expect(await co.next()).toEqual({ event: 'create', data: own });
    expect(ca.pending()).toEqual([]);
  });

  it('an anonymous subscriber of a public collection sees public records', async () => {
    const name = await collection(env.admin);
    const c = await live(name);
    const r = await create(env.admin, name, { title: 'y' });
    expect(await c.next()).toEqual({ event: 'create', data: r });
  });
});
