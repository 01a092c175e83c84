import { describe, expect, it } from 'vitest';
import { createCollection, createRecord, eventsSince, lastSeq, uniq, useServer } from './support';

const env = useServer();
const COLS = '/api/v1/collections';
const recs = (name: string) => `${COLS}/${name}/records`;

describe('schema changes keep data', () => {
  async function seeded(fields: Record<string, unknown>[], rows: Record<string, unknown>[]) {
    const name = uniq('s');
    await createCollection(env.admin, { name, fields });
    const ids: string[] = [];
    for (const row of rows) ids.push((await createRecord(env.admin, name, row)).id);
    return { name, ids };
  }
  const all = async (name: string) =>
    (await env.admin.get(`${recs(name)}?sort=created_at&per_page=500`)).body.items;

  it('adds a field; its default fills existing records', async () => {
    const { name } = await seeded([{ name: 'title', type: 'text' }], [{ title: 'a' }, { title: 'b' }]);
    const r = await env.admin.patch(`${COLS}/${name}`, {
      fields: [
        { name: 'title', type: 'text' },
        { name: 'views', type: 'number', default: 7 },
        { name: 'note', type: 'text' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.fields.map((f: { name: string }) => f.name)).toEqual(['title', 'views', 'note']);
    expect(await all(name)).toEqual([
      expect.objectContaining({ title: 'a', views: 7, note: null }),
      expect.objectContaining({ title: 'b', views: 7, note: null }),
    ]);
    // New records get the default too.
    expect((await createRecord(env.admin, name, { title: 'c' })).views).toBe(7);
  });

  it('renames a field via previous_name; the data follows', async () => {
    const { name, ids } = await seeded(
      [
        { name: 'title', type: 'text' },
        { name: 'body', type: 'text' },
      ],
      [{ title: 'a', body: 'x' }],
    );
    const r = await env.admin.patch(`${COLS}/${name}`, {
      fields: [
        { name: 'headline', type: 'text', previous_name: 'title' },
        { name: 'body', type: 'text' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.fields).toEqual([
      { name: 'headline', type: 'text' },
      { name: 'body', type: 'text' },
    ]);
    const rec = (await env.admin.get(`${recs(name)}/${ids[0]}`)).body;
    expect(rec).toMatchObject({ headline: 'a', body: 'x' });
    expect(rec).not.toHaveProperty('title');
    const f = await env.admin.get(`${recs(name)}?filter=${encodeURIComponent('{"headline":"a"}')}`);
    expect(f.body.total_items).toBe(1);
    const old = await env.admin.get(`${recs(name)}?filter=${encodeURIComponent('{"title":"a"}')}`);
    expect(old.status).toBe(400);
    expect(old.body.error.code).toBe('invalid_filter');
    const bad = await env.admin.patch(`${COLS}/${name}`, {
      fields: [{ name: 'x', type: 'text', previous_name: 'nosuch' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual({ 'fields.0.previous_name': "there is no field 'nosuch'" });
  });

  it('swaps and chains field names in one change, keeping data and unique indexes', async () => {
    const { name, ids } = await seeded(
      [
        { name: 'a', type: 'text', unique: true },
        { name: 'b', type: 'text' },
        { name: 'c', type: 'text' },
      ],
      [{ a: 'A', b: 'B', c: 'C' }],
    );
    const r = await env.admin.patch(`${COLS}/${name}`, {
      fields: [
        { name: 'b', type: 'text', previous_name: 'a', unique: true },
        { name: 'a', type: 'text', previous_name: 'b' },
        { name: 'd', type: 'text', previous_name: 'c' },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await env.admin.get(`${recs(name)}/${ids[0]}`)).body).toMatchObject({ b: 'A', a: 'B', d: 'C' });
    const dup = await env.admin.post(recs(name), { b: 'A' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.details).toEqual({ b: 'must be unique' });
    expect((await env.admin.post(recs(name), { a: 'B' })).status).toBe(201);
  });

  it('drops a field; the other fields keep their data', async () => {
    const { name, ids } = await seeded(
      [
        { name: 'a', type: 'text' },
        { name: 'b', type: 'number', unique: true },
        { name: 'c', type: 'json' },
      ],
      [{ a: 'x', b: 1, c: { k: [1] } }],
    );
    const r = await env.admin.patch(`${COLS}/${name}`, {
      fields: [
        { name: 'a', type: 'text' },
        { name: 'c', type: 'json' },
      ],
    });
    expect(r.status).toBe(200);
    const rec = (await env.admin.get(`${recs(name)}/${ids[0]}`)).body;
    expect(rec).toMatchObject({ a: 'x', c: { k: [1] } });
    expect(rec).not.toHaveProperty('b');
    const w = await env.admin.post(recs(name), { a: 'y', b: 1 });
    expect(w.status).toBe(400);
    expect(w.body.error.details).toEqual({ b: 'unknown field' });
  });

  it('refuses a type change with 400 and leaves the schema as it was', async () => {
    const { name, ids } = await seeded([{ name: 'n', type: 'number' }], [{ n: 3 }]);
    const r = await env.admin.patch(`${COLS}/${name}`, { fields: [{ name: 'n', type: 'text' }] });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual({
      'fields.0.type': "cannot change 'n' from number to text; add a new field instead",
    });
    expect((await env.admin.get(`${COLS}/${name}`)).body.fields).toEqual([{ name: 'n', type: 'number' }]);
    expect((await env.admin.get(`${recs(name)}/${ids[0]}`)).body.n).toBe(3);
  });

  it('refuses to make a field unique while it has duplicates (409), and enforces it after', async () => {
    const { name } = await seeded([{ name: 'slug', type: 'text' }], [{ slug: 'a' }, { slug: 'a' }]);
    const r = await env.admin.patch(`${COLS}/${name}`, {
      fields: [{ name: 'slug', type: 'text', unique: true }],
    });
    expect(r.status).toBe(409);
    expect(r.body.error).toEqual({
      code: 'unique_violation',
      message: "Field 'slug' has duplicate values; it cannot be made unique.",
      details: { slug: 'has duplicate values' },
    });
    expect((await env.admin.get(`${COLS}/${name}`)).body.fields[0].unique).toBeUndefined();
    const rows = await all(name);
    expect((await env.admin.patch(`${recs(name)}/${rows[1].id}`, { slug: 'b' })).status).toBe(200);
    expect(
      (await env.admin.patch(`${COLS}/${name}`, { fields: [{ name: 'slug', type: 'text', unique: true }] }))
        .status,
    ).toBe(200);
    const dup = await env.admin.post(recs(name), { slug: 'a' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('unique_violation');
  });

  it('refuses to make a field required while records lack it, unless it has a default', async () => {
    const { name } = await seeded([{ name: 'a', type: 'text' }], [{ a: 'x' }]);
    const r = await env.admin.patch(`${COLS}/${name}`, {
      fields: [
        { name: 'a', type: 'text' },
        { name: 'b', type: 'text', required: true },
      ],
    });
    expect(r.status).toBe(409);
    expect(r.body.error).toEqual({
      code: 'conflict',
      message: "1 records have no value for 'b'; give it a default.",
      details: { b: 'records without a value' },
    });
    expect((await env.admin.get(`${COLS}/${name}`)).body.fields).toHaveLength(1);
    const ok = await env.admin.patch(`${COLS}/${name}`, {
      fields: [
        { name: 'a', type: 'text' },
        { name: 'b', type: 'text', required: true, default: 'dflt' },
      ],
    });
    expect(ok.status).toBe(200);
    expect((await all(name))[0].b).toBe('dflt');
  });

  it('renames the collection: records follow, the old name is 404, unique still holds', async () => {
    const { name, ids } = await seeded(
      [{ name: 'slug', type: 'text', unique: true }],
      [{ slug: 'a' }, { slug: 'b' }],
    );
    const to = uniq('renamed');
    const r = await env.admin.patch(`${COLS}/${name}`, { name: to });
    expect(r.status).toBe(200);
    expect(r.body.name).toBe(to);
    expect((await env.admin.get(`${COLS}/${name}`)).status).toBe(404);
    expect((await env.admin.get(recs(name))).status).toBe(404);
    expect((await env.admin.get(`${recs(to)}/${ids[0]}`)).body.slug).toBe('a');
    expect((await env.admin.get(recs(to))).body.total_items).toBe(2);
    expect((await env.admin.post(recs(to), { slug: 'a' })).status).toBe(409);
    // Renaming onto an existing collection is a conflict.
    const other = uniq('other');
    await createCollection(env.admin, { name: other, fields: [] });
    const clash = await env.admin.patch(`${COLS}/${to}`, { name: other });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toEqual({ code: 'conflict', message: `Collection '${other}' already exists.` });
    expect((await env.admin.get(recs(to))).body.total_items).toBe(2);
    expect((await env.admin.patch(`${COLS}/nosuch`, { name: uniq('x') })).status).toBe(404);
  });

  it('changes rules alone and checks them against the fields', async () => {
    const { name } = await seeded([{ name: 'owner', type: 'text' }], []);
    const r = await env.admin.patch(`${COLS}/${name}`, { rules: { list: { owner: '@user.id' } } });
    expect(r.status).toBe(200);
    expect(r.body.rules).toMatchObject({ list: { owner: '@user.id' }, view: 'admin' });
    const bad = await env.admin.patch(`${COLS}/${name}`, { rules: { view: { ghost: 1 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual({ 'rules.view': "filter.ghost: unknown field 'ghost'" });
    // A field a rule names cannot be dropped from under it.
    const drop = await env.admin.patch(`${COLS}/${name}`, { fields: [] });
    expect(drop.status).toBe(400);
    expect(drop.body.error.details).toEqual({ 'rules.list': "filter.owner: unknown field 'owner'" });
    expect((await env.admin.get(`${COLS}/${name}`)).body.fields).toHaveLength(1);
  });

  it('drops a collection: 204, then 404 for it and its records', async () => {
    const { name, ids } = await seeded([{ name: 'a', type: 'text' }], [{ a: 'x' }]);
    const d = await env.admin.del(`${COLS}/${name}`);
    expect(d.status).toBe(204);
    expect((await env.admin.get(`${COLS}/${name}`)).status).toBe(404);
    expect((await env.admin.get(`${recs(name)}/${ids[0]}`)).status).toBe(404);
    expect((await env.admin.del(`${COLS}/${name}`)).status).toBe(404);
    // The name is free again, and the new collection starts empty.
    await createCollection(env.admin, { name, fields: [{ name: 'a', type: 'text' }] });
    expect((await env.admin.get(recs(name))).body.total_items).toBe(0);
  });

  it('emits collection events with the change', async () => {
    const since = await lastSeq(env.admin);
    const name = uniq('ev');
    await createCollection(env.admin, { name, fields: [] });
    await env.admin.patch(`${COLS}/${name}`, { fields: [{ name: 'a', type: 'text' }] });
    await env.admin.del(`${COLS}/${name}`);
    const evs = (await eventsSince(env.admin, since)).filter((e) => e.collection === name);
    expect(evs.map((e) => e.type)).toEqual([
      'collection.created',
      'collection.updated',
      'collection.deleted',
    ]);
    expect(evs[1].previous.fields).toEqual([]);
    expect(evs[1].data.fields).toEqual([{ name: 'a', type: 'text' }]);
  });
});
