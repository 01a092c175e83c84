import { describe, expect, it } from 'vitest';
import { Client, userClient } from '../helpers/server';
import { createCollection, createRecord, eventsSince, lastSeq, uniq, useServer, withQuery } from './support';

const env = useServer();
const recs = (name: string) => `/api/v1/collections/${name}/records`;
const ids = (r: { body: { items: { id: string }[] } }) => r.body.items.map((x) => x.id).sort();

type User = Client & { userId: string };
type Cast = Record<'editor' | 'viewer' | 'admin' | 'alice' | 'bob' | 'a' | 'aAdmin' | 'b', User>;
let cast: Promise<Cast> | undefined;
/** The users of these tests, signed in once (each test has its own collections). */
function people(): Promise<Cast> {
  const make = (who: string, role: 'admin' | 'editor' | 'viewer', account?: string) =>
    userClient(env.admin, `rules-${who}@test.local`, role, account);
  return (cast ??= (async () => ({
    editor: await make('editor', 'editor'),
    viewer: await make('viewer', 'viewer'),
    admin: await make('admin', 'admin'),
    alice: await make('alice', 'editor'),
    bob: await make('bob', 'editor'),
    a: await make('a', 'editor', 'acct-ra'),
    aAdmin: await make('a-admin', 'admin', 'acct-ra'),
    b: await make('b', 'editor', 'acct-rb'),
  }))());
}

describe('public, auth and admin rules', () => {
  it('public reads for anyone, auth writes for signed-in editors only', async () => {
    const name = uniq('pub');
    await createCollection(env.admin, {
      name,
      fields: [{ name: 'title', type: 'text' }],
      rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
    });
    const { editor, viewer } = await people();
    const rec = await createRecord(editor, name, { title: 'by editor' });
    expect((await env.anon.get(recs(name))).body.total_items).toBe(1);
    expect((await env.anon.get(`${recs(name)}/${rec.id}`)).status).toBe(200);

    const anonWrite = await env.anon.post(recs(name), { title: 'anon' });
    expect(anonWrite.status).toBe(401);
    expect(anonWrite.body.error).toEqual({ code: 'unauthorized', message: 'Sign in to do this.' });
    expect((await env.anon.patch(`${recs(name)}/${rec.id}`, { title: 'x' })).status).toBe(401);
    expect((await env.anon.del(`${recs(name)}/${rec.id}`)).status).toBe(401);
    expect((await env.anon.del(withQuery(recs(name), { filter: {} }))).status).toBe(401);

    for (const r of [
      await viewer.post(recs(name), { title: 'viewer' }),
      await viewer.patch(`${recs(name)}/${rec.id}`, { title: 'x' }),
      await viewer.del(`${recs(name)}/${rec.id}`),
      await viewer.patch(withQuery(recs(name), { filter: {} }), { title: 'x' }),
      await viewer.del(withQuery(recs(name), { filter: {} })),
    ]) {
      expect(r.status).toBe(403);
      expect(r.body.error).toEqual({ code: 'forbidden', message: 'Viewers may not change records.' });
    }
    expect((await viewer.get(recs(name))).body.total_items).toBe(1);
    expect((await editor.patch(`${recs(name)}/${rec.id}`, { title: 'edited' })).status).toBe(200);
    expect((await env.anon.get(`${recs(name)}/${rec.id}`)).body.title).toBe('edited');
    expect((await editor.del(`${recs(name)}/${rec.id}`)).status).toBe(204);
  });

  it('admin rules (the default) keep out everyone but admins', async () => {
    const name = uniq('adm');
    await createCollection(env.admin, { name, fields: [{ name: 'title', type: 'text' }] });
    const rec = await createRecord(env.admin, name, { title: 'secret' });
    const { editor, admin } = await people();
    const anon = await env.anon.get(recs(name));
    expect(anon.status).toBe(401);
    expect(anon.body.error).toEqual({ code: 'unauthorized', message: `Only admins may list in '${name}'.` });
    const ed = await editor.get(`${recs(name)}/${rec.id}`);
    expect(ed.status).toBe(403);
    expect(ed.body.error).toEqual({ code: 'forbidden', message: `Only admins may view in '${name}'.` });
    expect((await editor.post(recs(name), { title: 'x' })).status).toBe(403);
    expect((await admin.get(`${recs(name)}/${rec.id}`)).body.title).toBe('secret');
    expect((await admin.post(recs(name), { title: 'by admin' })).status).toBe(201);
  });
});

describe('filter rules: {"owner":"@user.id"}', () => {
  async function owned() {
    const name = uniq('own');
    const rule = { owner: '@user.id' };
    await createCollection(env.admin, {
      name,
      fields: [
        { name: 'owner', type: 'text' },
        { name: 'title', type: 'text' },
      ],
      rules: { list: rule, view: rule, create: rule, update: rule, delete: rule },
    });
    const { alice, bob } = await people();
    const a1 = await createRecord(alice, name, { owner: alice.userId, title: 'a1' });
    const a2 = await createRecord(alice, name, { owner: alice.userId, title: 'a2' });
    const b1 = await createRecord(bob, name, { owner: bob.userId, title: 'b1' });
    return { name, alice, bob, a1, a2, b1 };
  }

  it('lets each user see only their own records; anonymous callers see none', async () => {
    const { name, alice, bob, a1, a2, b1 } = await owned();
    expect(ids(await alice.get(recs(name)))).toEqual([a1.id, a2.id].sort());
    expect(ids(await bob.get(recs(name)))).toEqual([b1.id]);
    const anon = await env.anon.get(recs(name));
    expect(anon.status).toBe(200);
    expect(anon.body).toMatchObject({ items: [], total_items: 0 });
    expect((await env.anon.get(`${recs(name)}/${a1.id}`)).status).toBe(404);
    const peek = await alice.get(`${recs(name)}/${b1.id}`);
    expect(peek.status).toBe(404);
    expect(peek.body.error).toEqual({ code: 'not_found', message: `Record '${b1.id}' not found.` });
    // A filter cannot widen the rule: it is ANDed with it.
    const wide = await alice.get(
      withQuery(recs(name), { filter: { $or: [{ owner: bob.userId }, { id: b1.id }] } }),
    );
    expect(wide.body.items).toEqual([]);
    expect(ids(await env.admin.get(recs(name)))).toEqual([a1.id, a2.id, b1.id].sort());
  });

  it('lets each user create and update only their own records', async () => {
    const { name, alice, bob, a1, b1 } = await owned();
    const forge = await alice.post(recs(name), { owner: bob.userId, title: 'forged' });
    expect(forge.status).toBe(403);
    expect(forge.body.error).toEqual({
      code: 'forbidden',
      message: `The create rule of '${name}' does not allow this record.`,
    });
    expect((await alice.post(recs(name), { title: 'no owner' })).status).toBe(403);
    expect((await env.anon.post(recs(name), { owner: 'x', title: 'anon' })).status).toBe(401);

    const other = await alice.patch(`${recs(name)}/${b1.id}`, { title: 'hijacked' });
    expect(other.status).toBe(403);
    expect(other.body.error).toEqual({
      code: 'forbidden',
      message: `The update rule of '${name}' does not allow this change.`,
    });
    const giveAway = await alice.patch(`${recs(name)}/${a1.id}`, { owner: bob.userId });
    expect(giveAway.status).toBe(403);
    expect((await alice.patch(`${recs(name)}/${a1.id}`, { title: 'mine' })).body.title).toBe('mine');
    expect((await alice.del(`${recs(name)}/${b1.id}`)).status).toBe(403);
    expect((await env.admin.get(`${recs(name)}/${b1.id}`)).body).toMatchObject({
      title: 'b1',
      owner: bob.userId,
    });
  });

  it("limits bulk writes to the caller's own records", async () => {
    const { name, alice, bob, a1, a2, b1 } = await owned();
    const up = await alice.patch(withQuery(recs(name), { filter: {} }), { title: 'bulk' });
    expect(up.body).toEqual({ updated: 2 });
    const byId = await alice.patch(withQuery(recs(name), { filter: { id: b1.id } }), { title: 'bulk' });
    expect(byId.body).toEqual({ updated: 0 });
    const steal = await alice.patch(withQuery(recs(name), { filter: { id: a1.id } }), { owner: bob.userId });
    expect(steal.status).toBe(403);
    expect(steal.body.error.message).toBe(
      `The update rule of '${name}' does not allow the change to '${a1.id}'.`,
    );
    const del = await alice.del(withQuery(recs(name), { filter: { id: { $in: [a2.id, b1.id] } } }));
    expect(del.body).toEqual({ deleted: 1 });
    const rest = (await env.admin.get(`${recs(name)}?sort=title`)).body.items;
    expect(rest.map((r: { id: string; title: string }) => [r.id, r.title])).toEqual([
      [b1.id, 'b1'],
      [a1.id, 'bulk'],
    ]);
  });

  it('shows each user only the events of their own records', async () => {
    const since = await lastSeq(env.admin);
    const { name, alice, bob, a1, b1 } = await owned();
    await bob.patch(`${recs(name)}/${b1.id}`, { title: 'b1 changed' });
    const aliceEvents = await eventsSince(alice, since, name);
    expect(aliceEvents.map((e) => e.record_id)).toEqual(expect.arrayContaining([a1.id]));
    expect(aliceEvents.every((e) => e.data.owner === alice.userId)).toBe(true);
    expect((await eventsSince(bob, since, name)).map((e) => [e.type, e.record_id])).toEqual([
      ['record.created', b1.id],
      ['record.updated', b1.id],
    ]);
    expect(await eventsSince(env.anon, since, name)).toEqual([]);
  });
});

describe('accounts', () => {
  async function twoAccounts() {
    const name = uniq('acct');
    await createCollection(env.admin, {
      name,
      fields: [{ name: 'title', type: 'text' }],
      rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
    });
    const { a, aAdmin, b } = await people();
    const ra = await createRecord(a, name, { title: 'in a' });
    const rb = await createRecord(b, name, { title: 'in b' });
    return { name, a, aAdmin, b, ra, rb };
  }

  it("never lets account A read, list, update or delete account B's records", async () => {
    const { name, a, b, ra, rb } = await twoAccounts();
    expect(ids(await a.get(recs(name)))).toEqual([ra.id]);
    expect(ids(await b.get(recs(name)))).toEqual([rb.id]);
    for (const [m, body] of [['GET'], ['PATCH', { title: 'x' }], ['DELETE']] as const) {
      const r = await a.req(m, `${recs(name)}/${rb.id}`, body);
      expect(r.status, m).toBe(404);
      expect(r.body.error).toEqual({ code: 'not_found', message: `Record '${rb.id}' not found.` });
    }
    // Filters on id, and bulk writes, stay inside the account.
    const byId = await a.get(withQuery(recs(name), { filter: { id: rb.id } }));
    expect(byId.body).toMatchObject({ items: [], total_items: 0 });
    const sorted = await a.get(withQuery(recs(name), { filter: { title: { $like: '%' } }, sort: '-title' }));
    expect(ids(sorted)).toEqual([ra.id]);
    expect((await a.patch(withQuery(recs(name), { filter: { id: rb.id } }), { title: 'x' })).body).toEqual({
      updated: 0,
    });
    expect((await a.patch(withQuery(recs(name), { filter: {} }), { title: 'all of a' })).body).toEqual({
      updated: 1,
    });
    expect((await a.del(withQuery(recs(name), { filter: { id: { $in: [ra.id, rb.id] } } }))).body).toEqual({
      deleted: 1,
    });
    expect((await b.get(`${recs(name)}/${rb.id}`)).body).toMatchObject({ title: 'in b' });
    // The superuser sees every account.
    expect(ids(await env.admin.get(recs(name)))).toEqual([rb.id]);
  });

  it('keeps an admin of account A inside A too, and anonymous callers in the default account', async () => {
    const { name, aAdmin, ra, rb } = await twoAccounts();
    expect(ids(await aAdmin.get(recs(name)))).toEqual([ra.id]);
    expect((await aAdmin.get(`${recs(name)}/${rb.id}`)).status).toBe(404);
    expect((await aAdmin.del(`${recs(name)}/${rb.id}`)).status).toBe(404);
    expect((await aAdmin.del(withQuery(recs(name), { filter: {} }))).body).toEqual({ deleted: 1 });
    expect((await env.admin.get(`${recs(name)}/${rb.id}`)).status).toBe(200);
    // A public list shows anonymous callers the default account only.
    const mine = await createRecord(env.admin, name, { title: 'default account' });
    expect(ids(await env.anon.get(recs(name)))).toEqual([mine.id]);
    expect((await env.anon.get(`${recs(name)}/${rb.id}`)).status).toBe(404);
    // A record an anonymous caller may create lands in the default account.
    const open = uniq('open');
    await createCollection(env.admin, {
      name: open,
      fields: [{ name: 't', type: 'text' }],
      rules: { create: 'public', list: 'public' },
    });
    const anonRec = await createRecord(env.anon, open, { t: 'hi' });
    expect((await aAdmin.get(recs(open))).body.items).toEqual([]);
    expect(ids(await env.anon.get(recs(open)))).toEqual([anonRec.id]);
  });

  it('keeps unique values and relations per account', async () => {
    const { a, b } = await people();
    const targets = uniq('tgt');
    const posts = uniq('rel');
    const open = { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' };
    await createCollection(env.admin, {
      name: targets,
      fields: [{ name: 'slug', type: 'text', unique: true }],
      rules: open,
    });
    await createCollection(env.admin, {
      name: posts,
      fields: [{ name: 'target', type: 'relation', collection: targets }],
      rules: open,
    });
    // The same unique value may exist once in each account.
    const ta = await createRecord(a, targets, { slug: 'home' });
    const tb = await createRecord(b, targets, { slug: 'home' });
    expect((await a.post(recs(targets), { slug: 'home' })).status).toBe(409);
    // A relation may only point at a record of the caller's own account.
    expect((await a.post(recs(posts), { target: ta.id })).status).toBe(201);
    const across = await a.post(recs(posts), { target: tb.id });
    expect(across.status).toBe(400);
    expect(across.body.error.details).toEqual({ target: `no record '${tb.id}' in '${targets}'` });
  });

  it('never shows account A an event of account B', async () => {
    const since = await lastSeq(env.admin);
    const { name, a, b, aAdmin, ra, rb } = await twoAccounts();
    const accountA = (await a.get('/api/v1/auth/me')).body.user.account;
    const accountB = (await b.get('/api/v1/auth/me')).body.user.account;
    expect(accountA).not.toBe(accountB);
    await b.patch(`${recs(name)}/${rb.id}`, { title: 'b again' });
    await b.del(`${recs(name)}/${rb.id}`);
    for (const c of [a, aAdmin] as Client[]) {
      const evs = await eventsSince(c, since);
      expect(evs.some((e) => e.record_id === rb.id)).toBe(false);
      const records = evs.filter((e) => e.type.startsWith('record.'));
      expect(new Set(records.map((e) => e.account))).toEqual(new Set([accountA]));
      expect(records.filter((e) => e.collection === name).map((e) => e.record_id)).toEqual([ra.id]);
      const inCollection = (await eventsSince(c, since, name)).filter((e) => e.type.startsWith('record.'));
      expect(inCollection.map((e) => e.record_id)).toEqual([ra.id]);
    }
    const bEvents = await eventsSince(b, since, name);
    expect(bEvents.map((e) => e.type)).toEqual(['record.created', 'record.updated', 'record.deleted']);
    expect(bEvents.every((e) => e.account === accountB && e.record_id === rb.id)).toBe(true);
    expect(await eventsSince(env.anon, since, name)).toEqual([]);
    const all = await eventsSince(env.admin, since, name);
    expect(all.map((e) => [e.type, e.record_id])).toEqual([
      ['collection.created', undefined],
      ['record.created', ra.id],
      ['record.created', rb.id],
      ['record.updated', rb.id],
      ['record.deleted', rb.id],
    ]);
  });
});
