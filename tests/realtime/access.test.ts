import { afterEach, describe, expect, it } from 'vitest';
import { userClient } from '../helpers/server';
import { closeAll, event, native, subscribe, subscribed, type WsClient } from '../helpers/ws';
import { createCollection, createRecord, uniq, useServer } from '../api/support';

const env = useServer();
afterEach(closeAll);

const recs = (name: string) => `/api/v1/collections/${name}/records`;
let n = 0;
const user = (role: 'editor' | 'viewer' | 'admin', account?: string) =>
  userClient(env.admin, `acc-${role}-${++n}@test.local`, role, account);

async function collection(
  rules: Record<string, unknown>,
  fields = [{ name: 'title', type: 'text' }],
): Promise<string> {
  const name = uniq('a');
  await createCollection(env.admin, { name, fields, rules });
  return name;
}
const AUTH = { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' };
const PUBLIC = { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' };

/** The record ids of the next `count` record events. */
async function ids(c: WsClient, count: number): Promise<string[]> {
  return (await c.take(count, event())).map((f) => `${f.data.type.slice(7)}:${f.data.record_id}`);
}

describe('accounts', () => {
  it("a user of account B never receives account A's events, and the reverse", async () => {
    const name = await collection(AUTH);
    const a = await user('editor');
    const b = await user('editor', 'acct_b');
    const bAdmin = await user('admin', 'acct_b');
    const subA = await native(env.s.url, { token: a.token });
    const subB = await native(env.s.url, { token: b.token });
    const subBAdmin = await native(env.s.url, { token: bAdmin.token });
    const root = await native(env.s.url, { token: env.admin.token });
    for (const c of [subA, subB, subBAdmin, root]) await subscribed(c, { collection: name });
    const starB = await native(env.s.url, { token: b.token });
    await subscribed(starB, { collection: '*' });

    const r1 = await createRecord(a, name, { title: 'A one' });
    const r2 = await createRecord(b, name, { title: 'B one' });
    expect((await b.patch(`${recs(name)}/${r2.id}`, { title: 'B two' })).status).toBe(200);
    expect((await a.patch(`${recs(name)}/${r1.id}`, { title: 'A two' })).status).toBe(200);
    expect((await a.del(`${recs(name)}/${r1.id}`)).status).toBe(204);
    expect((await b.del(`${recs(name)}/${r2.id}`)).status).toBe(204);
    const r3 = await createRecord(a, name, { title: 'A marker' });
    const r4 = await createRecord(b, name, { title: 'B marker' });

    expect(await ids(subA, 4)).toEqual([
      `created:${r1.id}`,
      `updated:${r1.id}`,
      `deleted:${r1.id}`,
      `created:${r3.id}`,
    ]);
    for (const c of [subB, subBAdmin, starB]) {
      expect(await ids(c, 4)).toEqual([
        `created:${r2.id}`,
        `updated:${r2.id}`,
        `deleted:${r2.id}`,
        `created:${r4.id}`,
      ]);
    }
    // The superuser created at first run sees every account.
    expect(await ids(root, 8)).toHaveLength(8);
    // Presence does not cross accounts either: a new user of A joins, then one of B.
    const presA = await native(env.s.url, { token: a.token });
    await subscribed(presA, { collection: 'presence' });
    const [a2, b2, b3] = [
      await user('viewer'),
      await user('viewer', 'acct_b'),
      await user('viewer', 'acct_b'),
    ];
    for (const u of [b2, a2, b3]) await native(env.s.url, { token: u.token });
    const joined = (c: WsClient) => c.next(event('user.joined')).then((f) => f.data.data.user_id);
    expect(await joined(presA)).toBe(a2.userId);
    expect([await joined(starB), await joined(starB)]).toEqual([b2.userId, b3.userId]);
  });

  it('anonymous subscribers see public collections of the default account only', async () => {
    const pub = await collection(PUBLIC);
    const priv = await collection(AUTH);
    const b = await user('editor', 'acct_anon_b');
    const anon = await native(env.s.url);
    await subscribed(anon, { collection: '*' });
    const anonPub = await native(env.s.url);
    await subscribed(anonPub, { collection: pub });

    await createRecord(env.admin, priv, { title: 'members only' });
    await createRecord(b, pub, { title: 'public, but account B' });
    const visible = await createRecord(env.admin, pub, { title: 'public' });
    for (const c of [anon, anonPub]) {
      expect(await ids(c, 1)).toEqual([`created:${visible.id}`]);
      expect(c.pending(event())).toEqual([]);
    }
    expect(anon.frames.some((f) => f.type === 'event' && f.data.type.startsWith('collection.'))).toBe(false);
  });
});

describe('rules', () => {
  it('{"owner":"@user.id"} view rule: each user receives only their own records', async () => {
    const rule = { owner: '@user.id' };
    const name = await collection(
      { list: rule, view: rule, create: 'auth', update: 'auth', delete: 'auth' },
      [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'text' },
      ],
    );
    const u1 = await user('editor');
    const u2 = await user('editor');
    const s1 = await native(env.s.url, { token: u1.token });
    const s2 = await native(env.s.url, { token: u2.token });
    const filtered = await native(env.s.url, { token: u1.token });
    await subscribed(s1, { collection: name });
    await subscribed(s2, { collection: name });
    await subscribed(filtered, { collection: name, filter: { title: { $like: 'keep%' } } });

    const a = await createRecord(env.admin, name, { title: 'keep a', owner: u1.userId });
    const b = await createRecord(env.admin, name, { title: 'keep b', owner: u2.userId });
    await env.admin.patch(`${recs(name)}/${b.id}`, { title: 'keep b2' });
    await env.admin.patch(`${recs(name)}/${a.id}`, { title: 'drop a' });
    const c = await createRecord(env.admin, name, { title: 'keep c', owner: u1.userId });
    const d = await createRecord(env.admin, name, { title: 'keep d', owner: u2.userId });

    expect(await ids(s1, 3)).toEqual([`created:${a.id}`, `updated:${a.id}`, `created:${c.id}`]);
    expect(await ids(s2, 3)).toEqual([`created:${b.id}`, `updated:${b.id}`, `created:${d.id}`]);
    const live = await filtered.take(3, event());
    expect(live.map((f) => [f.data.record_id, f.data.match])).toEqual([
      [a.id, 'enter'],
      [a.id, 'leave'],
      [c.id, 'enter'],
    ]);
  });

  it('a viewer may subscribe where the view rule allows; a key limited to collections only there', async () => {
    const one = await collection(AUTH);
    const two = await collection(AUTH);
    const viewer = await user('viewer');
    const v = await native(env.s.url, { token: viewer.token });
    await subscribed(v, { collection: one });
    const key = (
      await env.admin.post('/api/v1/keys', { name: 'only one', role: 'viewer', collections: [one] })
    ).body;
    const k = await native(env.s.url, { token: key.key });
    expect(await subscribe(k, { collection: two })).toEqual({
      type: 'error',
      data: { message: `This key may not use collection '${two}'.`, code: 'forbidden', collection: two },
    });
    await subscribed(k, { collection: one });
    const k2 = await native(env.s.url, { token: key.key });
    await subscribed(k2, { collection: '*' });
    await createRecord(env.admin, two, { title: 'not for the key' });
    const r = await createRecord(env.admin, one, { title: 'for everyone' });
    for (const c of [v, k]) expect(await ids(c, 1)).toEqual([`created:${r.id}`]);
    // Through "*" too, the key only sees its own collections.
    expect(await ids(k2, 1)).toEqual([`created:${r.id}`]);
  });
});

describe('records going out of sight', () => {
  it('tells an anonymous kiosk that an unpublished record left, showing it as it last saw it', async () => {
    const name = await collection({ ...PUBLIC, list: { published: true }, view: { published: true } }, [
      { name: 'title', type: 'text' },
      { name: 'published', type: 'bool' },
    ]);
    const kiosk = await native(env.s.url);
    await subscribed(kiosk, { collection: name });
    const r = await createRecord(env.admin, name, { title: 'Doors at 7', published: true });
    expect((await kiosk.next(event())).data).toMatchObject({ type: 'record.created', record_id: r.id });

    await env.admin.patch(`${recs(name)}/${r.id}`, { title: 'secret draft', published: false });
    const left = (await kiosk.next(event())).data;
    expect(left).toMatchObject({ type: 'record.updated', record_id: r.id, match: 'leave' });
    expect(left.data).toMatchObject({ title: 'Doors at 7', published: true });
    expect(left).not.toHaveProperty('previous');

    await env.admin.patch(`${recs(name)}/${r.id}`, { title: 'Doors at 8', published: true });
    const back = (await kiosk.next(event())).data;
    expect(back).toMatchObject({ type: 'record.updated', match: 'enter', data: { title: 'Doors at 8' } });
    // The draft title was never the kiosk's to see.
    expect(back).not.toHaveProperty('previous');
    expect(JSON.stringify(kiosk.frames)).not.toContain('secret draft');
  });
});

describe('revocation', () => {
  it('closes the live connections of a deleted API key and of a login that logged out', async () => {
    const key = (await env.admin.post('/api/v1/keys', { name: 'kiosk', role: 'viewer' })).body;
    const viaKey = await native(env.s.url, { token: key.key });
    expect((await env.admin.del(`/api/v1/keys/${key.id}`)).status).toBe(204);
    expect(await viaKey.waitClose()).toEqual({ code: 4001, reason: 'token revoked' });

    const u = await user('editor');
    const viaLogin = await native(env.s.url, { token: u.token });
    expect((await u.post('/api/v1/auth/logout')).status).toBe(204);
    expect(await viaLogin.waitClose()).toEqual({ code: 4001, reason: 'token revoked' });
  });
});
