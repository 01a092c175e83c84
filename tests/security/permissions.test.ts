/**
 * Who may do what on the admin routes: every route against every kind of caller. The superuser is
 * invisible to everyone else (404), and a collection-scoped API key never acts outside its
 * collections, whatever its role (no users, no keys, no settings, no other collections' schema).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventsSince, lastSeq, useServer } from '../api/support';
import { ADMIN_EMAIL, ADMIN_PASSWORD, Client, userClient } from '../helpers/server';

const env = useServer();

const CALLERS = ['superuser', 'admin', 'scopedKey', 'editor', 'viewer', 'anonymous', 'otherAccount'] as const;
type Caller = (typeof CALLERS)[number];

let callers: Record<Caller, Client>;
let superuserId: string;
let n = 0;
const fresh = (p: string) => `${p}_${++n}`;

/** A collection with one record of the default account (so other accounts' admins may not change it). */
async function collectionWithRecord(name: string) {
  const su = callers.superuser;
  expect(
    (await su.post('/api/v1/collections', { name, fields: [{ name: 'title', type: 'text' }] })).status,
  ).toBe(201);
  expect((await su.post(`/api/v1/collections/${name}/records`, { title: 'x' })).status).toBe(201);
}

beforeAll(async () => {
  const su = env.admin;
  const me = await su.get('/api/v1/auth/me');
  superuserId = me.body.user.id;
  const admin = await userClient(su, 'acct-admin@test.local', 'admin');
  const key = await admin.post('/api/v1/keys', { name: 'posts only', role: 'admin', collections: ['posts'] });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  callers = {
    superuser: su,
    admin,
    scopedKey: new Client(su.url, key.body.key),
    editor: await userClient(su, 'editor@test.local', 'editor'),
    viewer: await userClient(su, 'viewer@test.local', 'viewer'),
    anonymous: new Client(su.url),
    otherAccount: await userClient(su, 'other-admin@test.local', 'admin', 'other'),
  };
  await collectionWithRecord('posts');
  await collectionWithRecord('secret');
});

interface Row {
  route: string;
  run: (c: Client) => Promise<{ status: number }>;
  expect: Record<Caller, number>;
}

const row = (route: string, run: Row['run'], statuses: number[]): Row => ({
  route,
  run,
  expect: Object.fromEntries(CALLERS.map((c, i) => [c, statuses[i]!])) as Record<Caller, number>,
});

//               superuser admin scopedKey editor viewer anonymous otherAccount
const TABLE: Row[] = [
  row('GET /users', (c) => c.get('/api/v1/users'), [200, 200, 403, 403, 403, 401, 200]),
  row(
    'GET /users/{superuser}',
    (c) => c.get(`/api/v1/users/${superuserId}`),
    [200, 404, 403, 403, 403, 401, 404],
  ),
  row(
    'PATCH /users/{superuser} email',
    (c) => c.patch(`/api/v1/users/${superuserId}`, { email: ADMIN_EMAIL }),
    [200, 404, 403, 403, 403, 401, 404],
  ),
  row(
    'DELETE /users/{superuser}',
    (c) => c.del(`/api/v1/users/${superuserId}`),
    [409, 404, 403, 403, 403, 401, 404],
  ),
  row(
    'POST /users role admin',
    (c) =>
      c.post('/api/v1/users', { email: `${fresh('u')}@test.local`, password: 'password-123', role: 'admin' }),
    [201, 201, 403, 403, 403, 401, 201],
  ),
  row(
    'PATCH /users/{editor of default} password',
    async (c) => {
      const u = await callers.superuser.post('/api/v1/users', {
        email: `${fresh('t')}@test.local`,
        password: 'password-123',
        role: 'editor',
      });
      return c.patch(`/api/v1/users/${u.body.id}`, { password: 'new-password-123' });
    },
    [200, 200, 403, 403, 403, 401, 404],
  ),
  row('GET /keys', (c) => c.get('/api/v1/keys'), [200, 200, 403, 403, 403, 401, 200]),
  row(
    'POST /keys unscoped admin',
    (c) => c.post('/api/v1/keys', { name: 'k', role: 'admin' }),
    [201, 201, 403, 403, 403, 401, 201],
  ),
  row(
    'DELETE /keys/{key of default}',
    async (c) => {
      const k = await callers.superuser.post('/api/v1/keys', { name: 'victim', role: 'viewer' });
      return c.del(`/api/v1/keys/${k.body.id}`);
    },
    [204, 204, 403, 403, 403, 401, 404],
  ),
  row(
    'POST /collections (new)',
    (c) => c.post('/api/v1/collections', { name: fresh('made'), fields: [{ name: 'a', type: 'text' }] }),
    [201, 201, 403, 403, 403, 401, 201],
  ),
  row(
    'POST /collections named as the key scope',
    async (c) => {
      await callers.superuser.del('/api/v1/collections/posts_copy');
      return c.post('/api/v1/collections', { name: 'posts_copy', fields: [] });
    },
    [201, 201, 403, 403, 403, 401, 201],
  ),
  row(
    'GET /collections/secret',
    (c) => c.get('/api/v1/collections/secret'),
    [200, 200, 404, 200, 200, 401, 200],
  ),
  row(
    'PATCH /collections/secret rules',
    (c) => c.patch('/api/v1/collections/secret', { rules: { list: 'public' } }),
    [200, 200, 404, 403, 403, 401, 403],
  ),
  row(
    'PATCH /collections/posts rules (in the key scope)',
    (c) => c.patch('/api/v1/collections/posts', { rules: { view: 'auth' } }),
    [200, 200, 200, 403, 403, 401, 403],
  ),
  row(
    'PATCH /collections/posts rename',
    async (c) => {
      const r = await c.patch('/api/v1/collections/posts', { name: 'renamed_posts' });
      if (r.status === 200)
        await callers.superuser.patch('/api/v1/collections/renamed_posts', { name: 'posts' });
      return r;
    },
    [200, 200, 403, 403, 403, 401, 403],
  ),
  row(
    'DELETE /collections/{other}',
    async (c) => {
      const name = fresh('doomed');
      await collectionWithRecord(name);
      return c.del(`/api/v1/collections/${name}`);
    },
    [204, 204, 404, 403, 403, 401, 403],
  ),
  row('GET /settings', (c) => c.get('/api/v1/settings'), [200, 403, 403, 403, 403, 401, 403]),
  row('PATCH /settings', (c) => c.patch('/api/v1/settings', {}), [200, 403, 403, 403, 403, 401, 403]),
  row(
    'POST /collections/secret/records',
    (c) => c.post('/api/v1/collections/secret/records', { title: 'y' }),
    [201, 201, 403, 403, 403, 401, 201],
  ),
  row(
    'POST /collections/posts/records (in the key scope)',
    (c) => c.post('/api/v1/collections/posts/records', { title: 'y' }),
    [201, 201, 201, 403, 403, 401, 201],
  ),
];

describe('admin routes × callers', () => {
  for (const r of TABLE) {
    it(r.route, async () => {
      const got: Record<string, number> = {};
      for (const c of CALLERS) got[c] = (await r.run(callers[c])).status;
      expect(got).toEqual(r.expect);
    });
  }
});

describe('the superuser cannot be taken over', () => {
  it("an account admin's password change on the superuser is a 404 and the password still works", async () => {
    const r = await callers.admin.patch(`/api/v1/users/${superuserId}`, { password: 'taken-over-123' });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
    const login = await new Client(env.s.url).post('/api/v1/auth/login', {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    expect(login.status).toBe(200);
  });

  it('the superuser is not in an account admin’s user list', async () => {
    const r = await callers.admin.get('/api/v1/users');
    expect(r.status).toBe(200);
    expect(r.body.items.map((u: { id: string }) => u.id)).not.toContain(superuserId);
    const all = await callers.superuser.get('/api/v1/users');
    expect(all.body.items.map((u: { id: string }) => u.id)).toContain(superuserId);
  });
});

describe('a scoped key sees nothing outside its collections', () => {
  it('lists only its collections and only their schema events', async () => {
    const since = await lastSeq(callers.superuser);
    await callers.superuser.patch('/api/v1/collections/secret', { rules: { view: 'admin' } });
    await callers.superuser.patch('/api/v1/collections/posts', { rules: { view: 'admin' } });
    const list = await callers.scopedKey.get('/api/v1/collections');
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(['posts']);
    const events = await eventsSince(callers.scopedKey, since);
    expect(events.map((e) => e.collection)).toEqual(['posts']);
  });

  it('is refused by the monitor feed', async () => {
    const ws = new WebSocket(
      `${env.s.url.replace('http', 'ws')}/api/v1/monitor?token=${callers.scopedKey.token}`,
    );
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(closed).toEqual({ code: 4003, reason: 'this API key is limited to collections' });
  });
});

describe("an account's admin sees its account's figures, not the server's", () => {
  it('/stats leaves out the server-wide counters', async () => {
    const mine = await callers.admin.get('/api/v1/stats');
    expect(mine.status).toBe(200);
    expect(mine.body).toHaveProperty('total_connections');
    for (const k of ['events_total', 'bytes_in', 'bytes_out', 'dropped', 'slow_consumers_closed'])
      expect(mine.body, k).not.toHaveProperty(k);
    const server = await callers.superuser.get('/api/v1/stats');
    expect(server.body).toHaveProperty('events_total');
  });

  it("the monitor tick carries the account's figures only", async () => {
    const tick = async (c: Client) => {
      const ws = new WebSocket(`${env.s.url.replace('http', 'ws')}/api/v1/monitor?token=${c.token}`);
      try {
        return await new Promise<Record<string, unknown>>((resolve) =>
          ws.on('message', (m) => {
            const f = JSON.parse(m.toString());
            if (f.type === 'tick') resolve(f.data);
          }),
        );
      } finally {
        ws.close();
      }
    };
    const [mine, server] = await Promise.all([tick(callers.otherAccount), tick(callers.superuser)]);
    expect(mine.account).toBe('other');
    expect(mine).not.toHaveProperty('rss_bytes');
    expect(mine).not.toHaveProperty('event_loop_lag_ms');
    expect(server).toHaveProperty('rss_bytes');
  });
});
