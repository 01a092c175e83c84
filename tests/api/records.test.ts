import { describe, expect, it } from 'vitest';
import { createCollection, createRecord, eventsSince, lastSeq, uniq, useServer } from './support';

const env = useServer();
const recs = (name: string) => `/api/v1/collections/${name}/records`;

/** A collection with one field of every kind and its constraints. */
async function rich(): Promise<string> {
  const name = uniq('r');
  await createCollection(env.admin, {
    name,
    fields: [
      { name: 'title', type: 'text', required: true, min: 2, max: 20 },
      { name: 'slug', type: 'text', unique: true, pattern: '^[a-z0-9-]+$' },
      { name: 'views', type: 'number', min: 0, max: 100, default: 0 },
      { name: 'published', type: 'bool', default: false },
      { name: 'at', type: 'date' },
      { name: 'meta', type: 'json' },
      { name: 'status', type: 'select', options: ['draft', 'live'], default: 'draft' },
    ],
    rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
  });
  return name;
}

describe('create', () => {
  it('returns 201 with id, timestamps, defaults and every field', async () => {
    const name = await rich();
    const r = await env.admin.post(recs(name), { title: 'Hello', slug: 'hello' });
    expect(r.status).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(
      [
        'at',
        'created_at',
        'id',
        'meta',
        'published',
        'slug',
        'status',
        'title',
        'updated_at',
        'views',
      ].sort(),
    );
    expect(r.body).toMatchObject({
      title: 'Hello',
      slug: 'hello',
      views: 0,
      published: false,
      status: 'draft',
      at: null,
      meta: null,
    });
    expect(typeof r.body.id).toBe('string');
    expect(r.body.id).toMatch(/^[a-z0-9]{15}$/);
    expect(r.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(r.body.updated_at).toBe(r.body.created_at);
    expect(r.body).not.toHaveProperty('account');
    const g = await env.anon.get(`${recs(name)}/${r.body.id}`);
    expect(g.status).toBe(200);
    expect(g.body).toEqual(r.body);
  });

  it('normalises dates and keeps json as given', async () => {
    const name = await rich();
    const meta = { tags: ['a', 'b'], nested: { n: 1.5, ok: true, none: null }, text: 'é ✓ 😀' };
    const a = await createRecord(env.admin, name, { title: 'dates', at: '2024-01-02T03:04:05+02:00', meta });
    expect(a.at).toBe('2024-01-02T01:04:05.000Z');
    expect(a.meta).toEqual(meta);
    const b = await createRecord(env.admin, name, { title: 'epoch', at: 0, meta: [1, 'two'] });
    expect(b.at).toBe('1970-01-01T00:00:00.000Z');
    expect(b.meta).toEqual([1, 'two']);
    const c = await createRecord(env.admin, name, { title: 'scalar', meta: 'just text' });
    expect(c.meta).toBe('just text');
    expect((await env.admin.get(`${recs(name)}/${a.id}`)).body.meta).toEqual(meta);
  });

  it('names every invalid value', async () => {
    const name = await rich();
    const r = await env.admin.post(recs(name), {
      slug: 'Not A Slug',
      views: 101,
      published: 'yes',
      at: 'yesterday-ish',
      status: 'archived',
      nope: 1,
      created_at: '2020-01-01T00:00:00Z',
      account: 'other',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.message).toBe('The input is not valid.');
    expect(r.body.error.details).toEqual({
      title: 'is required',
      slug: 'must match the pattern ^[a-z0-9-]+$',
      views: 'must be at most 100',
      published: 'expected true or false, got string',
      at: 'expected a date (ISO 8601 or epoch ms), got "yesterday-ish"',
      status: 'must be one of ["draft","live"]',
      nope: 'unknown field',
      created_at: 'is read-only',
      account: 'is read-only',
    });
    const more = await env.admin.post(recs(name), { title: 'x', views: -1, status: 3 });
    expect(more.status).toBe(400);
    expect(more.body.error.details).toEqual({
      title: 'must be at least 2 characters',
      views: 'must be at least 0',
      status: 'expected one of ["draft","live"], got number',
    });
    const types = await env.admin.post(recs(name), { title: 42, views: '7', meta: undefined });
    expect(types.body.error.details).toEqual({
      title: 'expected text, got number',
      views: 'expected a number, got string',
    });
    const long = await env.admin.post(recs(name), { title: 'x'.repeat(21), slug: null });
    expect(long.body.error.details).toEqual({ title: 'must be at most 20 characters' });
    const nullReq = await env.admin.post(recs(name), { title: null });
    expect(nullReq.body.error.details).toEqual({ title: 'is required' });
    expect((await env.admin.get(recs(name))).body.total_items).toBe(0);
  });

  it('accepts a client id of lower-case letters and digits, and refuses a taken or bad one', async () => {
    const name = await rich();
    const r = await createRecord(env.admin, name, { id: 'myid1', title: 'mine' });
    expect(r.id).toBe('myid1');
    const again = await env.admin.post(recs(name), { id: 'myid1', title: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({
      code: 'conflict',
      message: 'A record with this id already exists.',
      details: { id: 'taken' },
    });
    for (const id of ['Bad-Id', '', 'a'.repeat(65), 5]) {
      const b = await env.admin.post(recs(name), { id, title: 'bad id' });
      expect(b.status, String(id)).toBe(400);
      expect(b.body.error.details).toEqual({ id: 'must be 1-64 lower-case letters or digits' });
    }
  });

  it('refuses a unique violation with 409 and leaves no record and no event behind', async () => {
    const name = await rich();
    const first = await createRecord(env.admin, name, { title: 'one', slug: 'same' });
    const since = await lastSeq(env.admin);
    const r = await env.admin.post(recs(name), { title: 'two', slug: 'same' });
    expect(r.status).toBe(409);
    expect(r.body.error).toEqual({
      code: 'unique_violation',
      message: "A record with this 'slug' already exists.",
      details: { slug: 'must be unique' },
    });
    const list = await env.admin.get(recs(name));
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([first.id]);
    expect(await eventsSince(env.admin, since)).toEqual([]);
    expect(await lastSeq(env.admin)).toBe(since);
    // null is not a value: many records may leave a unique field empty.
    await createRecord(env.admin, name, { title: 'three' });
    await createRecord(env.admin, name, { title: 'four' });
  });

  it('404s an unknown collection', async () => {
    const r = await env.admin.post(recs('nosuch'), { title: 'x' });
    expect(r.status).toBe(404);
    expect(r.body.error).toEqual({ code: 'not_found', message: "Collection 'nosuch' not found." });
  });
});

describe('get, patch, delete', () => {
  it('gets one record, 404 for an unknown id', async () => {
    const name = await rich();
    const rec = await createRecord(env.admin, name, { title: 'get me' });
    expect((await env.admin.get(`${recs(name)}/${rec.id}`)).body).toEqual(rec);
    const sel = await env.admin.get(`${recs(name)}/${rec.id}?select=title`);
    expect(sel.body).toEqual({ id: rec.id, title: 'get me' });
    const missing = await env.admin.get(`${recs(name)}/nosuchid`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'not_found', message: "Record 'nosuchid' not found." });
    expect((await env.admin.get(`${recs('nosuch')}/${rec.id}`)).status).toBe(404);
  });

  it('patches only the given fields and moves updated_at', async () => {
    const name = await rich();
    const rec = await createRecord(env.admin, name, { title: 'before', views: 5, meta: { a: 1 } });
    await new Promise((r) => setTimeout(r, 5));
    const r = await env.admin.patch(`${recs(name)}/${rec.id}`, { title: 'after', meta: null, id: rec.id });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: rec.id,
      title: 'after',
      views: 5,
      meta: null,
      created_at: rec.created_at,
    });
    expect(r.body.updated_at > rec.updated_at).toBe(true);
    expect((await env.admin.get(`${recs(name)}/${rec.id}`)).body).toEqual(r.body);
  });

  it('validates a patch', async () => {
    const name = await rich();
    const rec = await createRecord(env.admin, name, { title: 'valid' });
    const r = await env.admin.patch(`${recs(name)}/${rec.id}`, {
      title: null,
      views: 'many',
      ghost: 1,
      id: 'otherid',
      updated_at: 'x',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual({
      title: 'is required',
      views: 'expected a number, got string',
      ghost: 'unknown field',
      id: 'cannot change a record id',
      updated_at: 'is read-only',
    });
    expect((await env.admin.get(`${recs(name)}/${rec.id}`)).body).toEqual(rec);
    // An empty patch is allowed (it only touches updated_at); defaults do not apply on update.
    const empty = await env.admin.patch(`${recs(name)}/${rec.id}`, {});
    expect(empty.status).toBe(200);
    expect(empty.body.title).toBe('valid');
    const missing = await env.admin.patch(`${recs(name)}/nosuchid`, { title: 'xx' });
    expect(missing.status).toBe(404);
  });

  it('refuses a patch that breaks uniqueness: 409, unchanged, no event', async () => {
    const name = await rich();
    await createRecord(env.admin, name, { title: 'aa', slug: 'taken' });
    const b = await createRecord(env.admin, name, { title: 'bb', slug: 'free' });
    const since = await lastSeq(env.admin);
    const r = await env.admin.patch(`${recs(name)}/${b.id}`, { slug: 'taken', title: 'changed' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('unique_violation');
    expect(r.body.error.details).toEqual({ slug: 'must be unique' });
    expect((await env.admin.get(`${recs(name)}/${b.id}`)).body).toEqual(b);
    expect(await eventsSince(env.admin, since)).toEqual([]);
  });

  it('deletes: 204, then 404, with one record.deleted event holding the record', async () => {
    const name = await rich();
    const rec = await createRecord(env.admin, name, { title: 'doomed' });
    const since = await lastSeq(env.admin);
    const d = await env.admin.del(`${recs(name)}/${rec.id}`);
    expect(d.status).toBe(204);
    expect(d.body).toBeUndefined();
    expect((await env.admin.get(`${recs(name)}/${rec.id}`)).status).toBe(404);
    const again = await env.admin.del(`${recs(name)}/${rec.id}`);
    expect(again.status).toBe(404);
    const evs = await eventsSince(env.admin, since);
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ type: 'record.deleted', collection: name, record_id: rec.id, data: rec });
  });

  it('writes exactly one event per change, with the record as stored', async () => {
    const name = await rich();
    const since = await lastSeq(env.admin);
    const rec = await createRecord(env.admin, name, { title: 'evented' });
    const upd = (await env.admin.patch(`${recs(name)}/${rec.id}`, { views: 9 })).body;
    const evs = await eventsSince(env.admin, since);
    expect(evs.map((e) => e.type)).toEqual(['record.created', 'record.updated']);
    expect(evs[0].data).toEqual(rec);
    expect(evs[1].data).toEqual(upd);
    expect(evs[1].previous).toEqual(rec);
  });
});
