/**
 * Display pages' REST: create (with its own viewer key scoped to the collection), list with the
 * screens watching, read with the display's key (and wait for a change), edit, revoke, delete.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, userClient } from '../helpers/server';
import { closeAll, native, subscribed } from '../helpers/ws';
import { createCollection, uniq, useServer } from './support';

describe('displays', () => {
  const env = useServer();
  afterEach(closeAll);

  const setup = async () => {
    const name = uniq('d');
    await createCollection(env.admin, {
      name,
      fields: [
        { name: 'title', type: 'text' },
        { name: 'body', type: 'text' },
        { name: 'rank', type: 'number' },
      ],
      rules: { list: 'auth', view: 'auth' },
    });
    return name;
  };

  it('creates a display with defaults and its own viewer key for that collection only', async () => {
    const c = await setup();
    const r = await env.admin.post('/api/v1/displays', { name: 'Lobby', collection: c });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const d = r.body;
    expect(d).toMatchObject({ name: 'Lobby', collection: c, account: 'default', version: 1, watching: 0 });
    expect(d.config).toMatchObject({
      title_field: 'title',
      body_field: 'body',
      layout: 'list',
      theme: 'dark',
    });
    expect(d.key).toMatch(/^sbk_/);
    expect(d.url).toBe(`/display/${c}/${d.id}?token=${encodeURIComponent(d.key)}`);
    const keys = (await env.admin.get('/api/v1/keys')).body.items;
    expect(keys.find((k: { id: string }) => k.id === d.key_id)).toMatchObject({
      role: 'viewer',
      collections: [c],
    });
    // The key reads the collection and its display, nothing else.
    const kiosk = new Client(env.s.url, d.key);
    expect((await kiosk.get(`/api/v1/collections/${c}/records`)).status).toBe(200);
    const own = await kiosk.get(`/api/v1/displays/${d.id}`);
    expect(own.status).toBe(200);
    expect(own.body.key).toBeNull();
    expect((await kiosk.get('/api/v1/displays')).status).toBe(403);
    expect((await kiosk.post(`/api/v1/collections/${c}/records`, { title: 'x' })).status).toBe(403);
  });

  it('checks the input and names the field', async () => {
    const c = await setup();
    const r = await env.admin.post('/api/v1/displays', {
      name: '',
      collection: c,
      config: {
        title_field: 'nope',
        layout: 'grid',
        rotate_seconds: 1,
        filter: { rank: 'high' },
        sort: '-zzz',
        x: 1,
      },
    });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.error.details).sort()).toEqual(
      [
        'name',
        'config.title_field',
        'config.layout',
        'config.rotate_seconds',
        'config.filter',
        'config.sort',
        'config.x',
      ].sort(),
    );
    const none = await env.admin.post('/api/v1/displays', { name: 'x', collection: 'no_such' });
    expect(none.body.error.details).toEqual({ collection: 'no collection named no_such' });
  });

  it('is for admins of the account', async () => {
    const c = await setup();
    const d = (await env.admin.post('/api/v1/displays', { name: 'A', collection: c })).body;
    const editor = await userClient(env.admin, `${uniq('ed')}@test.local`, 'editor');
    expect((await editor.get('/api/v1/displays')).status).toBe(403);
    expect((await editor.get(`/api/v1/displays/${d.id}`)).status).toBe(404);
    const other = await userClient(env.admin, `${uniq('ad')}@test.local`, 'admin', 'acme');
    expect((await other.get('/api/v1/displays')).body.items).toEqual([]);
    expect((await other.patch(`/api/v1/displays/${d.id}`, { name: 'mine' })).status).toBe(404);
    expect((await new Client(env.s.url).get(`/api/v1/displays/${d.id}`)).status).toBe(401);
  });

  it('counts the screens watching, wakes a waiting page on a change, and revokes', async () => {
    const c = await setup();
    const d = (await env.admin.post('/api/v1/displays', { name: 'Hall', collection: c })).body;
    const screen = await native(env.s.url, { token: d.key });
    await subscribed(screen, { collection: c });
    const listed = (await env.admin.get('/api/v1/displays')).body.items.find(
      (x: { id: string }) => x.id === d.id,
    );
    expect(listed.watching).toBe(1);

    const kiosk = new Client(env.s.url, d.key);
    const waiting = kiosk.get(`/api/v1/displays/${d.id}?wait=20&version=1`);
    const patched = await env.admin.patch(`/api/v1/displays/${d.id}`, {
      config: { layout: 'cards', theme: 'light' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const woke = await waiting;
    expect(woke.status).toBe(200);
    expect(woke.body).toMatchObject({
      version: 2,
      config: { layout: 'cards', theme: 'light', title_field: 'title' },
    });

    const waitAgain = kiosk.get(`/api/v1/displays/${d.id}?wait=20&version=2`);
    const revoked = await env.admin.del(`/api/v1/displays/${d.id}/key`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ key: null, key_id: null, url: null, watching: 0 });
    expect((await screen.waitClose()).code).toBe(4001);
    const answer = await waitAgain;
    expect(answer.status).toBe(401);
    expect(answer.body.error.message).toBe("This display's access was revoked.");
    expect((await env.admin.del(`/api/v1/displays/${d.id}/key`)).status).toBe(409);

    const fresh = await env.admin.post(`/api/v1/displays/${d.id}/key`);
    expect(fresh.status).toBe(201);
    expect(fresh.body.key).toMatch(/^sbk_/);
    expect((await new Client(env.s.url, fresh.body.key).get(`/api/v1/displays/${d.id}`)).status).toBe(200);

    expect((await env.admin.del(`/api/v1/displays/${d.id}`)).status).toBe(204);
    expect((await env.admin.get(`/api/v1/displays/${d.id}`)).status).toBe(404);
    expect((await new Client(env.s.url, fresh.body.key).get(`/api/v1/collections/${c}/records`)).status).toBe(
      401,
    );
  });

  it('a key deleted from the keys screen revokes its display', async () => {
    const c = await setup();
    const d = (await env.admin.post('/api/v1/displays', { name: 'K', collection: c })).body;
    expect((await env.admin.del(`/api/v1/keys/${d.key_id}`)).status).toBe(204);
    expect((await env.admin.get(`/api/v1/displays/${d.id}`)).body).toMatchObject({ key: null, version: 2 });
  });

  it('serves the display page with its CSP, framable by the console only', async () => {
    const r = await fetch(`${env.s.url}/display/anything/abc`);
    // The page is built by `npm run build`; without a build the static handler says so.
    expect([200, 404]).toContain(r.status);
    if (r.status === 200) {
      expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
      expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    }
  });
});
