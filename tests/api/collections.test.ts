import { describe, expect, it } from 'vitest';
import { userClient } from '../helpers/server';
import { createCollection, createRecord, uniq, useServer } from './support';

const env = useServer();
const COLS = '/api/v1/collections';
const recs = (name: string) => `${COLS}/${name}/records`;

describe('create', () => {
  it('returns 201 with the definition; omitted rules are admin', async () => {
    const name = uniq('posts');
    const r = await env.admin.post(COLS, {
      name,
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'published', type: 'bool' },
      ],
      rules: { list: 'public', view: 'public' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name,
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'published', type: 'bool' },
      ],
      rules: { list: 'public', view: 'public', create: 'admin', update: 'admin', delete: 'admin' },
    });
    expect(r.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(r.body.updated_at).toBe(r.body.created_at);
  });

  it.each(['Posts', '1posts', 'po-sts', 'po sts', '_posts', 'a'.repeat(64), '', 'posts;drop'])(
    'refuses the name %j',
    async (name) => {
      const r = await env.admin.post(COLS, { name, fields: [] });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      expect(r.body.error.details).toEqual({ name: 'must match ^[a-z][a-z0-9_]{0,62}$' });
    },
  );

  it('accepts a 63-character name', async () => {
    const name = 'z' + 'a'.repeat(62);
    const r = await env.admin.post(COLS, { name, fields: [] });
    expect(r.status).toBe(201);
  });

  it('names each bad field', async () => {
    const r = await env.admin.post(COLS, {
      name: uniq('bad'),
      fields: [
        { name: 'Title', type: 'text' },
        { name: 'ok', type: 'blob' },
        { name: 'id', type: 'text' },
        { name: 'kind', type: 'select' },
        { name: 'rel', type: 'relation' },
        { name: 'flag', type: 'bool', min: 1 },
        { name: 'slug', type: 'text', pattern: '(' },
        { name: 'n', type: 'number', default: 'three', color: 'red' },
      ],
      rules: { list: 'everyone', publish: 'public' },
      extra: true,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual({
      'fields.0.name': 'must match ^[a-z][a-z0-9_]{0,62}$',
      'fields.1.type': 'must be one of text, number, bool, date, json, select, relation',
      'fields.2.name': "'id' is a system field",
      'fields.3.options': 'a select field needs a non-empty list of text options',
      'fields.4.collection': 'a relation field names the collection it points at',
      'fields.5.min': 'does not apply to bool',
      'fields.6.pattern': expect.stringMatching(/^invalid regular expression: /),
      'fields.7': 'unknown field property: color',
      'fields.7.default': 'expected a number, got string',
      'rules.list': 'must be "public", "auth", "admin" or a filter object',
      'rules.publish': 'unknown operation; one of list, view, create, update, delete',
      extra: 'unknown property',
    });
    const twice = await env.admin.post(COLS, {
      name: uniq('twice'),
      fields: [
        { name: 'a', type: 'text' },
        { name: 'a', type: 'number' },
      ],
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.details).toEqual({ fields: "field 'a' appears twice" });
    const notList = await env.admin.post(COLS, { name: uniq('nl'), fields: { a: 'text' } });
    expect(notList.body.error.details).toEqual({ fields: 'must be a list of fields' });
  });

  it('refuses a rule filter that does not fit the fields, naming the bad part', async () => {
    const name = uniq('rules');
    const r = await env.admin.post(COLS, {
      name,
      fields: [{ name: 'owner', type: 'text' }],
      rules: {
        list: { nosuch: '@user.id' },
        view: { owner: { $gt: 5 } },
        update: { owner: '@user.nickname' },
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details['rules.list']).toBe("filter.nosuch: unknown field 'nosuch'");
    expect(r.body.error.details['rules.view']).toBe(
      "filter.owner.$gt: expected a string for text field 'owner', got number",
    );
    expect(r.body.error.details['rules.update']).toMatch(
      /^filter\.owner: unknown reference '@user\.nickname'/,
    );
    expect((await env.admin.get(`${COLS}/${name}`)).status).toBe(404);
  });

  it('refuses a duplicate name with 409', async () => {
    const name = uniq('dup');
    await createCollection(env.admin, { name, fields: [] });
    const r = await env.admin.post(COLS, { name, fields: [{ name: 'x', type: 'text' }] });
    expect(r.status).toBe(409);
    expect(r.body.error).toEqual({ code: 'conflict', message: `Collection '${name}' already exists.` });
  });

  it('refuses previous_name on create', async () => {
    const r = await env.admin.post(COLS, {
      name: uniq('pn'),
      fields: [{ name: 'a', type: 'text', previous_name: 'b' }],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual({ fields: 'previous_name only applies to an update' });
  });
});

describe('read and permissions', () => {
  it('shows rules to admins only; anonymous callers get 401, editors 403 on writes', async () => {
    const name = uniq('seen');
    await createCollection(env.admin, {
      name,
      fields: [{ name: 'a', type: 'text' }],
      rules: { list: 'public' },
    });
    const editor = await userClient(env.admin, 'c-editor@test.local', 'editor');

    const adminList = await env.admin.get(COLS);
    expect(adminList.status).toBe(200);
    expect(adminList.body.items.find((c: { name: string }) => c.name === name).rules.list).toBe('public');
    const edList = await editor.get(COLS);
    expect(edList.status).toBe(200);
    const seen = edList.body.items.find((c: { name: string }) => c.name === name);
    expect(seen.fields).toEqual([{ name: 'a', type: 'text' }]);
    expect(edList.body.items.every((c: object) => !('rules' in c))).toBe(true);

    expect((await env.admin.get(`${COLS}/${name}`)).body.rules).toBeDefined();
    const one = await editor.get(`${COLS}/${name}`);
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('rules');
    expect(one.body.name).toBe(name);

    expect((await env.anon.get(COLS)).status).toBe(401);
    expect((await env.anon.get(`${COLS}/${name}`)).status).toBe(401);
    const missing = await env.admin.get(`${COLS}/nosuch`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'not_found', message: "Collection 'nosuch' not found." });

    for (const [m, p, b] of [
      ['POST', COLS, { name: uniq('x'), fields: [] }],
      ['PATCH', `${COLS}/${name}`, { rules: { list: 'admin' } }],
      ['DELETE', `${COLS}/${name}`],
    ] as const) {
      const r = await editor.req(m, p, b);
      expect(r.status, m).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
      expect((await env.anon.req(m, p, b)).status).toBe(401);
    }
    expect((await env.admin.get(`${COLS}/${name}`)).body.rules.list).toBe('public');
  });
});

describe('relations', () => {
  it('needs the target to exist, and keeps it from being dropped', async () => {
    const missing = await env.admin.post(COLS, {
      name: uniq('rel'),
      fields: [{ name: 'author', type: 'relation', collection: 'nosuch' }],
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual({
      'fields.0.collection': "collection 'nosuch' does not exist",
    });

    const authors = uniq('authors');
    const posts = uniq('posts');
    await createCollection(env.admin, { name: authors, fields: [{ name: 'name', type: 'text' }] });
    await createCollection(env.admin, {
      name: posts,
      fields: [{ name: 'author', type: 'relation', collection: authors }],
    });
    const au = await createRecord(env.admin, authors, { name: 'ann' });
    expect((await createRecord(env.admin, posts, { author: au.id })).author).toBe(au.id);
    const dangling = await env.admin.post(recs(posts), { author: 'nosuchrecord' });
    expect(dangling.status).toBe(400);
    expect(dangling.body.error.details).toEqual({ author: `no record 'nosuchrecord' in '${authors}'` });

    const drop = await env.admin.del(`${COLS}/${authors}`);
    expect(drop.status).toBe(409);
    expect(drop.body.error).toEqual({
      code: 'conflict',
      message: `Collection '${posts}' relates to '${authors}' through 'author'.`,
    });
    expect((await env.admin.get(`${recs(authors)}/${au.id}`)).status).toBe(200);

    // Renaming the target keeps the relation pointing at it.
    const people = uniq('people');
    expect((await env.admin.patch(`${COLS}/${authors}`, { name: people })).status).toBe(200);
    expect((await env.admin.get(`${COLS}/${posts}`)).body.fields[0].collection).toBe(people);
    expect((await env.admin.post(recs(posts), { author: au.id })).status).toBe(201);

    // Once nothing relates to it, it may go.
    expect((await env.admin.del(`${COLS}/${posts}`)).status).toBe(204);
    expect((await env.admin.del(`${COLS}/${people}`)).status).toBe(204);
  });

  it('allows a collection to relate to itself', async () => {
    const name = uniq('tree');
    await createCollection(env.admin, {
      name,
      fields: [{ name: 'parent', type: 'relation', collection: name }],
    });
    const root = await createRecord(env.admin, name, {});
    expect((await createRecord(env.admin, name, { parent: root.id })).parent).toBe(root.id);
    expect((await env.admin.del(`${COLS}/${name}`)).status).toBe(204);
  });
});

describe('shared schema across accounts', () => {
  it("lets an account admin change a collection only while it holds no other account's records", async () => {
    const name = uniq('shared');
    await createCollection(env.admin, {
      name,
      fields: [{ name: 'title', type: 'text' }],
      rules: { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' },
    });
    const bAdmin = await userClient(env.admin, `${name}-b@test.local`, 'admin', `acct-${name}`);
    // Empty, or only B's own records: B's admin may change it.
    expect((await bAdmin.patch(`${COLS}/${name}`, { rules: { list: 'auth' } })).status).toBe(200);
    await createRecord(bAdmin, name, { title: 'b' });
    expect((await bAdmin.patch(`${COLS}/${name}`, { rules: { list: 'auth' } })).status).toBe(200);
    // Once account default holds records there, only the superuser may change or drop it.
    await createRecord(env.admin, name, { title: 'default' });
    const patch = await bAdmin.patch(`${COLS}/${name}`, { fields: [] });
    expect(patch.status).toBe(403);
    expect(patch.body.error.message).toBe(
      `Collection '${name}' holds records of other accounts; only the superuser may change it.`,
    );
    expect((await bAdmin.del(`${COLS}/${name}`)).status).toBe(403);
    expect((await env.admin.get(recs(name))).body.total_items).toBe(2);
    expect((await env.admin.del(`${COLS}/${name}`)).status).toBe(204);
  });
});
