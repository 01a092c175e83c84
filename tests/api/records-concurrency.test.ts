import { describe, expect, it } from 'vitest';
import { createCollection, createRecord, eventsSince, lastSeq, uniq, useServer } from './support';

// Optimistic concurrency: ETag on record answers, If-Match on PATCH and DELETE.

const env = useServer();
const recs = (name: string) => `/api/v1/collections/${name}/records`;

async function posts(): Promise<string> {
  const name = uniq('cc');
  await createCollection(env.admin, {
    name,
    fields: [{ name: 'title', type: 'text' }],
    rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
  });
  return name;
}

describe('ETag', () => {
  it('is the quoted updated_at on create, view and update answers', async () => {
    const name = await posts();
    const c = await env.admin.post(recs(name), { title: 'a' });
    expect(c.headers.get('etag')).toBe(`"${c.body.updated_at}"`);
    const g = await env.admin.get(`${recs(name)}/${c.body.id}`);
    expect(g.headers.get('etag')).toBe(`"${c.body.updated_at}"`);
    const u = await env.admin.patch(`${recs(name)}/${c.body.id}`, { title: 'b' });
    expect(u.headers.get('etag')).toBe(`"${u.body.updated_at}"`);
    expect(u.headers.get('etag')).not.toBe(c.headers.get('etag'));
  });

  it('changes with every write, even several in one millisecond', async () => {
    const name = await posts();
    const r = await createRecord(env.admin, name, { title: 'x' });
    // Concurrent writes share one group commit, so they land within the same millisecond.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => env.admin.patch(`${recs(name)}/${r.id}`, { title: `x${i}` })),
    );
    const tags = new Set<string>([`"${r.updated_at}"`, ...answers.map((a) => a.headers.get('etag')!)]);
    expect(tags.size).toBe(21);
  });
});

describe('If-Match', () => {
  it('updates when the tag matches, answers 412 with the current record when it does not', async () => {
    const name = await posts();
    const r = await createRecord(env.admin, name, { title: 'v1' });
    const tag = `"${r.updated_at}"`;
    const ok = await env.admin.req('PATCH', `${recs(name)}/${r.id}`, { title: 'v2' }, { 'if-match': tag });
    expect(ok.status).toBe(200);
    const since = await lastSeq(env.admin);
    const stale = await env.admin.req('PATCH', `${recs(name)}/${r.id}`, { title: 'v3' }, { 'if-match': tag });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('precondition_failed');
    expect(stale.body.error.message).toMatch(/changed since you read it/);
    expect(stale.body.error.details.current).toEqual(ok.body);
    expect(stale.body.error.details.etag).toBe(ok.headers.get('etag'));
    expect((await env.admin.get(`${recs(name)}/${r.id}`)).body.title).toBe('v2');
    expect(await eventsSince(env.admin, since, name)).toEqual([]);
  });

  it('guards DELETE the same way, and accepts *, a bare updated_at and a list of tags', async () => {
    const name = await posts();
    const r = await createRecord(env.admin, name, { title: 'x' });
    const path = `${recs(name)}/${r.id}`;
    const del = (tag: string) => env.admin.req('DELETE', path, undefined, { 'if-match': tag });
    expect((await del('"2000-01-01T00:00:00.000Z"')).status).toBe(412);
    expect((await del(`W/"${r.updated_at}"`)).status).toBe(412);
    const star = await env.admin.req('PATCH', path, { title: 'y' }, { 'if-match': '*' });
    expect(star.status).toBe(200);
    const bare = await env.admin.req('PATCH', path, { title: 'z' }, { 'if-match': star.body.updated_at });
    expect(bare.status).toBe(200);
    expect((await del(`"nope", ${bare.headers.get('etag')}`)).status).toBe(204);
    expect((await env.admin.get(path)).status).toBe(404);
    // A missing record stays 404, with or without If-Match.
    expect((await del('*')).status).toBe(404);
  });

  it('lets exactly one of two concurrent writers with the same tag win', async () => {
    const name = await posts();
    const r = await createRecord(env.admin, name, { title: 'start' });
    const since = await lastSeq(env.admin);
    const tag = `"${r.updated_at}"`;
    const path = `${recs(name)}/${r.id}`;
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((t) => env.admin.req('PATCH', path, { title: t }, { 'if-match': tag })),
    );
    const statuses = results.map((x) => x.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412]);
    const events = await eventsSince(env.admin, since, name);
    expect(events.map((e) => e.type)).toEqual(['record.updated']);
  });

  it('leaves clients without If-Match as before', async () => {
    const name = await posts();
    const r = await createRecord(env.admin, name, { title: 'a' });
    await env.admin.patch(`${recs(name)}/${r.id}`, { title: 'b' });
    const u = await env.admin.patch(`${recs(name)}/${r.id}`, { title: 'c' });
    expect(u.status).toBe(200);
    expect((await env.admin.del(`${recs(name)}/${r.id}`)).status).toBe(204);
  });
});
