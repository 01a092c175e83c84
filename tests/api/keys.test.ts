import { describe, expect, it } from 'vitest';
import { Client, userClient } from '../helpers/server';
import { createCollection, createRecord, uniq, useServer } from './support';

const env = useServer();
const KEYS = '/api/v1/keys';

async function newKey(body: Record<string, unknown>, by: Client = env.admin) {
  const r = await by.post(KEYS, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; key: string; prefix: string; role: string; account: string };
}

/** A collection anyone signed in may read and write. */
async function openCollection(): Promise<string> {
  const name = uniq('k');
  await createCollection(env.admin, {
    name,
    fields: [{ name: 'title', type: 'text' }],
    rules: { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' },
  });
  return name;
}

describe('create and list', () => {
  it('shows the key once, and never again', async () => {
    const r = await env.admin.post(KEYS, { name: 'lobby display', role: 'viewer' });
    expect(r.status).toBe(201);
    expect(r.body.key).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    expect(r.body).toMatchObject({
      name: 'lobby display',
      role: 'viewer',
      account: 'default',
      collections: null,
      last_used_at: null,
    });
    expect(r.body.prefix).toBe(r.body.key.slice(0, 10));
    expect(typeof r.body.id).toBe('string');
    const list = await env.admin.get(KEYS);
    expect(list.status).toBe(200);
    const listed = list.body.items.find((k: { id: string }) => k.id === r.body.id);
    expect(listed).toMatchObject({ name: 'lobby display', prefix: r.body.prefix });
    expect(listed).not.toHaveProperty('key');
    expect(listed).not.toHaveProperty('key_hash');
    expect(JSON.stringify(list.body)).not.toContain(r.body.key);
    expect(JSON.stringify(list.body)).not.toContain(r.body.key.slice(10));
  });

  it('names every invalid field', async () => {
    const r = await env.admin.post(KEYS, { role: 'god', collections: 'posts', secret: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details).toEqual({
      name: 'is required (1-100 characters)',
      role: 'must be one of admin, editor, viewer',
      collections: 'must be a list of collection names',
      secret: 'unknown field',
    });
    const names = await env.admin.post(KEYS, { name: '   ', collections: ['ok', 'Not OK'] });
    expect(names.status).toBe(400);
    expect(names.body.error.details).toEqual({
      name: 'is required (1-100 characters)',
      collections: 'must be a list of collection names',
    });
    expect((await env.admin.post(KEYS, { name: 'x'.repeat(101) })).status).toBe(400);
  });

  it('is for admins only', async () => {
    const editor = await userClient(env.admin, 'k-editor@test.local', 'editor');
    for (const [method, path] of [
      ['GET', KEYS],
      ['POST', KEYS],
      ['DELETE', `${KEYS}/whatever`],
    ]) {
      expect((await env.anon.req(method!, path!, method === 'POST' ? { name: 'x' } : undefined)).status).toBe(
        401,
      );
      const r = await editor.req(method!, path!, method === 'POST' ? { name: 'x' } : undefined);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    // An admin key is an admin: it may manage keys.
    const adminKey = await newKey({ name: 'admin script', role: 'admin' });
    expect((await new Client(env.s.url, adminKey.key).get(KEYS)).status).toBe(200);
  });
});

describe('using a key', () => {
  it('works as Bearer and as ?token=', async () => {
    const col = await openCollection();
    const rec = await createRecord(env.admin, col, { title: 'hello' });
    const k = await newKey({ name: 'reader', role: 'viewer' });
    const bearer = await new Client(env.s.url, k.key).get(`/api/v1/collections/${col}/records/${rec.id}`);
    expect(bearer.status).toBe(200);
    expect(bearer.body.title).toBe('hello');
    const query = await env.anon.get(`/api/v1/collections/${col}/records?token=${encodeURIComponent(k.key)}`);
    expect(query.status).toBe(200);
    expect(query.body.items.map((r: { id: string }) => r.id)).toEqual([rec.id]);
    // Without it, the auth rule refuses.
    expect((await env.anon.get(`/api/v1/collections/${col}/records`)).status).toBe(401);
    // Use is recorded.
    const listed = (await env.admin.get(KEYS)).body.items.find((x: { id: string }) => x.id === k.id);
    expect(listed.last_used_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('enforces the role: a viewer key reads but never writes, an editor key writes', async () => {
    const col = await openCollection();
    const viewer = new Client(env.s.url, (await newKey({ name: 'v', role: 'viewer' })).key);
    const w = await viewer.post(`/api/v1/collections/${col}/records`, { title: 'nope' });
    expect(w.status).toBe(403);
    expect(w.body.error).toEqual({ code: 'forbidden', message: 'Viewers may not change records.' });
    const editor = new Client(env.s.url, (await newKey({ name: 'e', role: 'editor' })).key);
    const created = await editor.post(`/api/v1/collections/${col}/records`, { title: 'yes' });
    expect(created.status).toBe(201);
    expect(
      (await viewer.patch(`/api/v1/collections/${col}/records/${created.body.id}`, { title: 'x' })).status,
    ).toBe(403);
    expect((await viewer.del(`/api/v1/collections/${col}/records/${created.body.id}`)).status).toBe(403);
    expect((await viewer.get(`/api/v1/collections/${col}/records`)).body.total_items).toBe(1);
    // An editor key is not an admin.
    expect((await editor.get(KEYS)).status).toBe(403);
    expect((await editor.post('/api/v1/collections', { name: uniq('nope'), fields: [] })).status).toBe(403);
  });

  it('enforces the collections it is limited to', async () => {
    const allowed = await openCollection();
    const other = await openCollection();
    await createRecord(env.admin, other, { title: 'secret' });
    const k = new Client(
      env.s.url,
      (await newKey({ name: 'one', role: 'editor', collections: [allowed] })).key,
    );
    expect((await k.post(`/api/v1/collections/${allowed}/records`, { title: 'ok' })).status).toBe(201);
    expect((await k.get(`/api/v1/collections/${allowed}/records`)).status).toBe(200);
    for (const [method, body] of [['GET'], ['POST', { title: 'x' }]] as const) {
      const r = await k.req(method, `/api/v1/collections/${other}/records`, body);
      expect(r.status, method).toBe(403);
      expect(r.body.error).toEqual({
        code: 'forbidden',
        message: `This key may not use collection '${other}'.`,
      });
    }
    // Nor does the event log show it the other collection's records.
    const ev = await k.get('/api/v1/events?since=0&limit=1000');
    expect(ev.status).toBe(200);
    expect(ev.body.events.some((e: { collection?: string }) => e.collection === other)).toBe(false);
    expect(ev.body.events.some((e: { collection?: string }) => e.collection === allowed)).toBe(true);
  });

  it('stops working once deleted', async () => {
    const k = await newKey({ name: 'temp', role: 'viewer' });
    const c = new Client(env.s.url, k.key);
    expect((await c.get('/api/v1/auth/me')).status).toBe(200);
    const d = await env.admin.del(`${KEYS}/${k.id}`);
    expect(d.status).toBe(204);
    const r = await c.get('/api/v1/auth/me');
    expect(r.status).toBe(401);
    expect(r.body.error).toEqual({ code: 'unauthorized', message: 'The API key is not valid.' });
    expect((await env.anon.get(`/api/v1/auth/me?token=${k.key}`)).status).toBe(401);
    const again = await env.admin.del(`${KEYS}/${k.id}`);
    expect(again.status).toBe(404);
    expect(again.body.error).toEqual({ code: 'not_found', message: `Key '${k.id}' not found.` });
    expect((await env.admin.get(KEYS)).body.items.some((x: { id: string }) => x.id === k.id)).toBe(false);
  });
});

describe('accounts', () => {
  it('keeps keys, and what they read, inside their account', async () => {
    const col = await openCollection();
    const adminA = await userClient(env.admin, 'k-admin-a@test.local', 'admin', 'kacct-a');
    const keyB = await newKey({ name: 'b key', role: 'editor', account: 'kacct-b' });
    expect(keyB.account).toBe('kacct-b');

    // An admin of A neither lists nor deletes B's key, nor names another account.
    expect((await adminA.get(KEYS)).body.items.some((k: { id: string }) => k.id === keyB.id)).toBe(false);
    expect((await adminA.del(`${KEYS}/${keyB.id}`)).status).toBe(404);
    const sneak = await adminA.post(KEYS, { name: 'x', account: 'kacct-b' });
    expect(sneak.status).toBe(400);
    expect(sneak.body.error.details).toEqual({ account: 'only the superuser may use another account' });
    const keyA = await newKey({ name: 'a key', role: 'editor' }, adminA);
    expect(keyA.account).toBe('kacct-a');

    // Records written with each key belong to that key's account and stay there.
    const a = new Client(env.s.url, keyA.key);
    const b = new Client(env.s.url, keyB.key);
    const ra = await createRecord(a, col, { title: 'from a' });
    const rb = await createRecord(b, col, { title: 'from b' });
    expect(
      (await a.get(`/api/v1/collections/${col}/records`)).body.items.map((r: { id: string }) => r.id),
    ).toEqual([ra.id]);
    expect(
      (await b.get(`/api/v1/collections/${col}/records`)).body.items.map((r: { id: string }) => r.id),
    ).toEqual([rb.id]);
    expect((await a.get(`/api/v1/collections/${col}/records/${rb.id}`)).status).toBe(404);
    expect((await b.del(`/api/v1/collections/${col}/records/${ra.id}`)).status).toBe(404);
  });
});
