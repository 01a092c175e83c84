import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, type SwitchboardClient } from '../../src/shared/client';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type TestServer } from '../helpers/server';
import { uniq } from '../api/support';

let s: TestServer;
const clients: SwitchboardClient[] = [];

function sdk(): SwitchboardClient {
  const c = createClient({ url: s.url, WebSocket, backoff: { initialMs: 50, maxMs: 500 } });
  clients.push(c);
  return c;
}

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  for (const c of clients.splice(0)) c.close();
  await s?.stop();
});

describe('SDK admin helpers against a real server', () => {
  it('signs in, keeps the token, and manages collections, users and keys', async () => {
    const sb = sdk();
    const login = await sb.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(sb.token).toBe(login.access_token);
    expect(await sb.auth.me()).toMatchObject({ kind: 'user', user: { email: ADMIN_EMAIL, superuser: true } });

    const name = uniq('posts');
    const created = await sb.admin.collections.create({
      name,
      fields: [{ name: 'title', type: 'text', required: true }],
      rules: { list: 'public' },
    });
    expect(created).toMatchObject({ name, rules: { list: 'public', create: 'admin' } });
    expect((await sb.admin.collections.list()).map((c) => c.name)).toContain(name);
    const updated = await sb.admin.collections.update(name, { rules: { view: 'auth' } });
    expect(updated.rules.view).toBe('auth');

    const user = await sb.admin.users.create({
      email: `${uniq('u')}@example.test`,
      password: 'long-enough',
      role: 'editor',
    });
    expect(user).toMatchObject({ role: 'editor', account: 'default', superuser: false });
    expect((await sb.admin.users.update(user.id, { role: 'viewer' })).role).toBe('viewer');
    expect((await sb.admin.users.list()).map((u) => u.id)).toContain(user.id);

    const key = await sb.admin.keys.create({ name: 'kiosk', role: 'viewer', collections: [name] });
    expect(key.key).toEqual(expect.any(String));
    expect(key.collections).toEqual([name]);
    const listed = (await sb.admin.keys.list()).find((k) => k.id === key.id);
    expect(listed).toMatchObject({ name: 'kiosk', collections: [name] });
    expect(listed).not.toHaveProperty('key');

    const stats = await sb.admin.stats();
    expect(stats).toMatchObject({ pubsub_backend: 'memory', last_seq: expect.any(Number) });
    expect(await sb.admin.presence()).toEqual({ users: expect.any(Array) });
    expect((await sb.admin.settings.get()).scale_out).toMatchObject({ state: 'off', editable: true });
    const page = await sb.admin.events({ since: 0, limit: 1000, collection: name });
    expect(page.events.map((e) => e.type)).toEqual(['collection.created', 'collection.updated']);
    expect(page.last_seq).toBe(stats.last_seq);
    expect((await sb.admin.health()).status).toBe('ok');

    await sb.admin.keys.delete(key.id);
    await sb.admin.users.delete(user.id);
    await sb.admin.collections.delete(name);
    expect((await failure(sb.admin.users.get(user.id))).status).toBe(404);
  });

  it('throws ApiError with the field messages of a validation error', async () => {
    const sb = sdk();
    await sb.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const e = await failure(sb.admin.users.create({ email: 'nope', password: 'short' }));
    expect(e).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(e.fieldErrors).toEqual({
      email: 'must be an email address',
      password: 'must be at least 8 characters',
    });
    expect(e.retry_after_s).toBeUndefined();
  });

  it('refresh rotates the token; logout ends the login and drops the token', async () => {
    const sb = sdk();
    const first = await sb.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const next = await sb.auth.refresh(first.refresh_token);
    expect(sb.token).toBe(next.access_token);
    expect(next.refresh_token).not.toBe(first.refresh_token);
    await sb.auth.logout();
    expect(sb.token).toBeUndefined();
    const e = await failure(sb.auth.refresh(next.refresh_token));
    expect(e).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('a 401 for a wrong password, then a 429 with the wait in seconds', async () => {
    const sb = sdk();
    const email = `${uniq('nobody')}@example.test`;
    const wrong = await failure(sb.auth.login(email, 'wrong-password'));
    expect(wrong).toMatchObject({ status: 401, code: 'unauthorized', message: 'Wrong email or password.' });
    for (let i = 1; i < 10; i++) await failure(sb.auth.login(email, 'wrong-password'));
    const limited = await failure(sb.auth.login(email, 'wrong-password'));
    expect(limited).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(limited.retry_after_s).toBeGreaterThan(0);
    expect(limited.retry_after_s).toBeLessThanOrEqual(15 * 60);
  });
});
