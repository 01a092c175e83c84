import { describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, Client } from '../helpers/server';
import { createCollection, createRecord, lastSeq, rawRequest, uniq, useServer, withQuery } from './support';

const env = useServer();
const recs = (name: string) => `/api/v1/collections/${name}/records`;
const INJECTION = "'); DROP TABLE users; --";

async function textCollection(): Promise<string> {
  const name = uniq('bad');
  await createCollection(env.admin, {
    name,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'meta', type: 'json' },
    ],
  });
  return name;
}

describe('bodies', () => {
  it('refuses malformed JSON with 400 invalid_json', async () => {
    const name = await textCollection();
    for (const body of ['{"title": "x"', '{title: "x"}', "{'title':'x'}", '{"title":"x"}}', 'nope']) {
      const r = await env.admin.req('POST', recs(name), body);
      expect(r.status, body).toBe(400);
      expect(r.body.error.code).toBe('invalid_json');
      expect(r.body.error.message).toMatch(/^The body is not valid JSON: /);
    }
    const login = await env.anon.req('POST', '/api/v1/auth/login', '{"email":');
    expect(login.status).toBe(400);
    expect(login.body.error.code).toBe('invalid_json');
    expect((await env.admin.get(recs(name))).body.total_items).toBe(0);
  });

  it('refuses a body that is not a JSON object with 400', async () => {
    const name = await textCollection();
    const rec = await createRecord(env.admin, name, { title: 'x' });
    const targets: [string, string][] = [
      ['POST', recs(name)],
      ['PATCH', `${recs(name)}/${rec.id}`],
      ['POST', '/api/v1/collections'],
      ['POST', '/api/v1/users'],
      ['POST', '/api/v1/keys'],
      ['POST', '/api/v1/auth/login'],
    ];
    for (const [method, path] of targets) {
      for (const body of ['[1,2]', '"text"', '42', 'null', 'true']) {
        const r = await env.admin.req(method, path, body);
        expect(r.status, `${method} ${path} ${body}`).toBe(400);
        expect(r.body.error).toEqual({ code: 'bad_request', message: 'Send a JSON object as the body.' });
      }
    }
    // An empty body is not an object either.
    const empty = await env.admin.req('POST', recs(name));
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('bad_request');
  });

  it('refuses other content types with 415, and takes JSON variants', async () => {
    const name = await textCollection();
    for (const type of [
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'text/html',
      'text/plain',
    ]) {
      const r = await env.admin.req('POST', recs(name), '{"title":"x"}', { 'content-type': type });
      expect(r.status, type).toBe(415);
      expect(r.body.error).toEqual({
        code: 'unsupported_media_type',
        message: `Send JSON (Content-Type: application/json), not ${type}.`,
      });
    }
    for (const type of ['application/json; charset=utf-8', 'application/merge-patch+json']) {
      const r = await env.admin.req('POST', recs(name), '{"title":"ok"}', { 'content-type': type });
      expect(r.status, type).toBe(201);
    }
  });

  it('refuses a body over 1 MiB with 413, declared or streamed, and takes one just under', async () => {
    const name = await textCollection();
    const since = await lastSeq(env.admin);
    const big = { meta: 'x'.repeat(1024 * 1024) };
    const r = await env.admin.post(recs(name), big);
    expect(r.status).toBe(413);
    expect(r.body.error).toEqual({
      code: 'payload_too_large',
      message: 'The body is larger than the limit of 1048576 bytes.',
      details: { limit_bytes: 1048576 },
    });
    // Without a Content-Length (chunked), the limit holds while reading.
    const chunked = await rawRequest(env.s.url, {
      method: 'POST',
      path: recs(name),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${env.admin.token}` },
      chunks: [
        Buffer.from('{"meta":"'),
        ...Array.from({ length: 9 }, () => Buffer.alloc(128 * 1024, 'y')),
        Buffer.from('"}'),
      ],
    });
    expect(chunked.status).toBe(413);
    expect(chunked.headers['connection']).toBe('close');
    expect(JSON.parse(chunked.text).error.code).toBe('payload_too_large');
    expect(await lastSeq(env.admin)).toBe(since);
    const under = await env.admin.post(recs(name), { meta: 'z'.repeat(1024 * 1024 - 100) });
    expect(under.status).toBe(201);
    expect(under.body.meta).toHaveLength(1024 * 1024 - 100);
  });

  it('refuses a body nested deeper than 100 levels with 400, not a crash', async () => {
    const name = await textCollection();
    for (const depth of [101, 5000, 100_000]) {
      const r = await env.admin.req(
        'POST',
        recs(name),
        `{"meta":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`,
      );
      expect(r.status, String(depth)).toBe(400);
      expect(r.body.error).toEqual({
        code: 'bad_request',
        message: 'The body nests objects and arrays deeper than 100 levels.',
      });
    }
    // Brackets inside strings do not count.
    const inText = await env.admin.post(recs(name), { title: '['.repeat(500), meta: { a: '{'.repeat(500) } });
    expect(inText.status).toBe(201);
    const deepOk = JSON.parse(`${'['.repeat(99)}${']'.repeat(99)}`);
    expect((await env.admin.post(recs(name), { meta: deepOk })).status).toBe(201);
  });
});

describe('SQL metacharacters', () => {
  it('refuses them in collection and field names with 400', async () => {
    for (const bad of ['posts; drop table users', 'posts"', "posts'", 'posts--', 'po/sts', 'ünïcode']) {
      const c = await env.admin.post('/api/v1/collections', { name: bad, fields: [] });
      expect(c.status, bad).toBe(400);
      expect(c.body.error.details).toEqual({ name: 'must match ^[a-z][a-z0-9_]{0,62}$' });
      const f = await env.admin.post('/api/v1/collections', {
        name: uniq('f'),
        fields: [{ name: bad, type: 'text' }],
      });
      expect(f.status, bad).toBe(400);
      expect(f.body.error.details).toEqual({ 'fields.0.name': 'must match ^[a-z][a-z0-9_]{0,62}$' });
    }
    const name = await textCollection();
    const rename = await env.admin.patch(`/api/v1/collections/${name}`, { name: 'x"; DROP TABLE users; --' });
    expect(rename.status).toBe(400);
    const path = await env.admin.get(`/api/v1/collections/${encodeURIComponent(INJECTION)}/records`);
    expect(path.status).toBe(404);
    expect(path.body.error).toEqual({ code: 'not_found', message: `Collection '${INJECTION}' not found.` });
  });

  it('stores values verbatim and filters on them without injection', async () => {
    const name = await textCollection();
    const nasty = [
      INJECTION,
      `" OR 1=1 --`,
      "Robert'); DROP TABLE r_x;--",
      '%_\\',
      'a\u0000b',
      '😀 é \u2028',
    ];
    const ids: string[] = [];
    for (const title of nasty) {
      const r = await createRecord(env.admin, name, { title, meta: { title, [title]: true } });
      expect(r.title).toBe(title);
      expect(r.meta).toEqual({ title, [title]: true });
      ids.push(r.id);
    }
    await createRecord(env.admin, name, { title: 'plain' });
    for (const [i, title] of nasty.entries()) {
      const got = await env.admin.get(`${recs(name)}/${ids[i]}`);
      expect(got.body.title).toBe(title);
      const eq = await env.admin.get(withQuery(recs(name), { filter: { title } }));
      expect(eq.status).toBe(200);
      expect(eq.body.items.map((x: { id: string }) => x.id)).toEqual([ids[i]]);
    }
    const contains = await env.admin.get(
      withQuery(recs(name), { filter: { title: { $contains: 'DROP TABLE users' } } }),
    );
    expect(contains.body.items.map((x: { id: string }) => x.id)).toEqual([ids[0]]);
    const orTrue = await env.admin.get(withQuery(recs(name), { filter: { title: "x' OR '1'='1" } }));
    expect(orTrue.body.items).toEqual([]);
    const inj = await env.admin.get(
      withQuery(recs(name), { filter: { id: { $in: [`${ids[0]}' OR 1=1 --`] } } }),
    );
    expect(inj.body.items).toEqual([]);
    // Bulk writes by such a filter touch only the exact match.
    const bulk = await env.admin.patch(withQuery(recs(name), { filter: { title: INJECTION } }), {
      title: 'fixed',
    });
    expect(bulk.body).toEqual({ updated: 1 });
    expect((await env.admin.get(recs(name))).body.total_items).toBe(nasty.length + 1);

    // The users table is still there and works.
    const users = await env.admin.get('/api/v1/users');
    expect(users.status).toBe(200);
    expect(users.body.items.length).toBeGreaterThan(0);
    expect((await new Client(env.s.url).login(ADMIN_EMAIL, ADMIN_PASSWORD)).access_token).toBeTruthy();
  });

  it('refuses them where names are expected: filter keys, sort, select', async () => {
    const name = await textCollection();
    const key = await env.admin.get(withQuery(recs(name), { filter: { 'title" OR 1=1 --': 'x' } }));
    expect(key.status).toBe(400);
    expect(key.body.error.code).toBe('invalid_filter');
    expect(key.body.error.details).toEqual({ path: 'filter.title" OR 1=1 --' });
    const sort = await env.admin.get(withQuery(recs(name), { sort: 'title; DROP TABLE users' }));
    expect(sort.status).toBe(400);
    expect(sort.body.error.message).toBe("Cannot sort by 'title; DROP TABLE users': no such field.");
    const select = await env.admin.get(
      withQuery(recs(name), { select: 'title,(SELECT password_hash FROM users)' }),
    );
    expect(select.status).toBe(400);
    expect(select.body.error.code).toBe('bad_request');
    const user = await env.anon.post('/api/v1/auth/login', {
      email: `${ADMIN_EMAIL}' OR '1'='1`,
      password: "' OR '1'='1",
    });
    expect(user.status).toBe(401);
  });

  it('does not let a body key named __proto__ or constructor through as a field', async () => {
    const name = await textCollection();
    const ctor = await env.admin.req('POST', recs(name), '{"constructor":{"x":1},"title":"a"}');
    expect(ctor.status).toBe(400);
    expect(ctor.body.error.details).toEqual({ constructor: 'unknown field' });
    const proto = await env.admin.req('POST', recs(name), '{"__proto__":{"title":"polluted"},"title":"a"}');
    expect(proto.status).toBeLessThan(500);
    if (proto.status === 201) expect(proto.body.title).toBe('a');
    expect(({} as Record<string, unknown>).title).toBeUndefined();
  });
});

describe('routes and URLs', () => {
  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    for (const path of ['/api/v1/nothing', '/api/v2/collections', '/api/v1/collections/a/b/c/d/e', '/api/']) {
      const r = await env.admin.get(path);
      expect(r.status, path).toBe(404);
      expect(r.body.error).toEqual({ code: 'not_found', message: `No route for GET ${path}.` });
    }
    const outside = await env.anon.get('/index.html');
    expect(outside.status).toBe(404);
    expect(outside.body.error.code).toBe('not_found');
    for (const [method, path] of [
      ['PUT', '/api/v1/collections'],
      ['DELETE', '/api/v1/users'],
      ['POST', '/api/v1/health'],
      ['GET', '/api/v1/auth/login'],
      ['PUT', '/api/v1/collections/x/records/y'],
      ['OPTIONS', '/api/v1/events'],
    ]) {
      const r = await env.admin.req(method!, path!);
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.body.error).toEqual({
        code: 'method_not_allowed',
        message: `${method} is not allowed on ${path}.`,
      });
    }
  });

  it('refuses bad percent-encoding in the path with 400', async () => {
    for (const path of [
      '/api/v1/collections/%E0%A4%A/records',
      '/api/v1/collections/%zz',
      '/api/v1/users/%FF',
    ]) {
      const r = await rawRequest(env.s.url, {
        method: 'GET',
        path,
        headers: { authorization: `Bearer ${env.admin.token}` },
      });
      expect(r.status, path).toBe(400);
      expect(JSON.parse(r.text).error).toEqual({
        code: 'bad_request',
        message: `The path ${path} has invalid percent-encoding.`,
      });
    }
    const garbled = await rawRequest(env.s.url, { method: 'GET', path: 'http://[bad/api' });
    expect(garbled.status).toBe(400);
    expect(JSON.parse(garbled.text).error.code).toBe('bad_request');
  });

  it('answers HEAD on a GET route without a body', async () => {
    const r = await rawRequest(env.s.url, { method: 'HEAD', path: '/api/v1/health' });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
  });
});

describe('afterwards', () => {
  it('the server still answers /api/v1/health and logged no internal error', async () => {
    const r = await env.anon.get('/api/v1/health');
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ok');
    expect(env.s.logs.filter((l) => l.startsWith('error ') || / 500 /.test(l))).toEqual([]);
  });
});
