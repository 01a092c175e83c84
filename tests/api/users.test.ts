import { describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, Client, userClient } from '../helpers/server';
import { useServer } from './support';

const env = useServer();
const USERS = '/api/v1/users';

describe('who may manage users', () => {
  it('is 401 for anonymous callers and 403 for editors and viewers on every route', async () => {
    const editor = await userClient(env.admin, 'u-editor@test.local', 'editor');
    const viewer = await userClient(env.admin, 'u-viewer@test.local', 'viewer');
    const id = editor.userId;
    const calls: [string, string, unknown?][] = [
      ['GET', USERS],
      ['POST', USERS, { email: 'x@test.local', password: 'password-x', role: 'viewer' }],
      ['GET', `${USERS}/${id}`],
      ['PATCH', `${USERS}/${id}`, { role: 'admin' }],
      ['DELETE', `${USERS}/${id}`],
    ];
    for (const [method, path, body] of calls) {
      const a = await env.anon.req(method, path, body);
      expect(a.status, `${method} ${path} anonymous`).toBe(401);
      expect(a.body.error.code).toBe('unauthorized');
      for (const c of [editor, viewer]) {
        const r = await c.req(method, path, body);
        expect(r.status, `${method} ${path}`).toBe(403);
        expect(r.body.error).toEqual({ code: 'forbidden', message: 'Only admins may do this.' });
      }
    }
    // Nothing changed: the editor is still an editor.
    expect((await env.admin.get(`${USERS}/${id}`)).body.role).toBe('editor');
  });
});

describe('create', () => {
  it('returns 201 with the user, never the password hash; role defaults to viewer', async () => {
    const r = await env.admin.post(USERS, { email: 'new@test.local', password: 'password-new' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      email: 'new@test.local',
      role: 'viewer',
      account: 'default',
      superuser: false,
    });
    expect(Object.keys(r.body).sort()).toEqual([
      'account',
      'created_at',
      'email',
      'id',
      'role',
      'superuser',
      'updated_at',
    ]);
    expect(JSON.stringify(r.body)).not.toContain('password');
    const login = await env.anon.post('/api/v1/auth/login', {
      email: 'new@test.local',
      password: 'password-new',
    });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(r.body.id);
  });

  it('names every invalid field', async () => {
    const r = await env.admin.post(USERS, {
      email: 'not-an-email',
      password: 'short',
      role: 'owner',
      extra: 1,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.message).toBe('The input is not valid.');
    expect(r.body.error.details).toEqual({
      email: 'must be an email address',
      password: 'must be at least 8 characters',
      role: 'must be one of admin, editor, viewer',
      extra: 'unknown field',
    });
    const missing = await env.admin.post(USERS, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual({
      email: 'must be an email address',
      password: 'must be at least 8 characters',
    });
    const badAccount = await env.admin.post(USERS, {
      email: 'acc@test.local',
      password: 'password-1',
      account: 'Bad Account!',
    });
    expect(badAccount.status).toBe(400);
    expect(badAccount.body.error.details).toEqual({
      account: 'must be 1-63 lower-case letters, digits, - or _',
    });
  });

  it('refuses a duplicate email (any case) with 409 unique_violation', async () => {
    await env.admin.post(USERS, { email: 'dup@test.local', password: 'password-dup' });
    for (const email of ['dup@test.local', 'DUP@Test.Local']) {
      const r = await env.admin.post(USERS, { email, password: 'password-dup2' });
      expect(r.status).toBe(409);
      expect(r.body.error).toEqual({
        code: 'unique_violation',
        message: 'A user with this email already exists.',
        details: { email: 'must be unique' },
      });
    }
    const all = await env.admin.get(USERS);
    expect(
      all.body.items.filter((u: { email: string }) => u.email.toLowerCase() === 'dup@test.local'),
    ).toHaveLength(1);
  });
});

describe('get, list, patch, delete', () => {
  it('gets and lists users; 404 for an unknown id', async () => {
    const u = await env.admin.post(USERS, {
      email: 'listed@test.local',
      password: 'password-l',
      role: 'editor',
    });
    const g = await env.admin.get(`${USERS}/${u.body.id}`);
    expect(g.status).toBe(200);
    expect(g.body).toEqual(u.body);
    const l = await env.admin.get(USERS);
    expect(l.status).toBe(200);
    expect(l.body.items.map((x: { id: string }) => x.id)).toContain(u.body.id);
    expect(l.body.items.find((x: { email: string }) => x.email === ADMIN_EMAIL).superuser).toBe(true);
    const missing = await env.admin.get(`${USERS}/nosuchuser`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'not_found', message: "User 'nosuchuser' not found." });
  });

  it('patches email, role and password; a new password ends the other logins', async () => {
    const c = await userClient(env.admin, 'patchme@test.local', 'editor');
    const r = await env.admin.patch(`${USERS}/${c.userId}`, { email: 'patched@test.local', role: 'viewer' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: c.userId, email: 'patched@test.local', role: 'viewer' });
    // A role change takes effect at once for the existing token.
    expect((await c.get('/api/v1/auth/me')).body.user.role).toBe('viewer');

    const pw = await env.admin.patch(`${USERS}/${c.userId}`, { password: 'a-new-password' });
    expect(pw.status).toBe(200);
    expect((await c.get('/api/v1/auth/me')).status).toBe(401);
    const old = await env.anon.post('/api/v1/auth/login', {
      email: 'patched@test.local',
      password: 'password-patchme@test.local',
    });
    expect(old.status).toBe(401);
    const fresh = await env.anon.post('/api/v1/auth/login', {
      email: 'patched@test.local',
      password: 'a-new-password',
    });
    expect(fresh.status).toBe(200);
  });

  it('validates a patch and refuses a taken email', async () => {
    const a = await env.admin.post(USERS, { email: 'pa@test.local', password: 'password-pa' });
    await env.admin.post(USERS, { email: 'pb@test.local', password: 'password-pb' });
    const bad = await env.admin.patch(`${USERS}/${a.body.id}`, {
      email: 'nope',
      password: 'x',
      role: 'root',
      superuser: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual({
      email: 'must be an email address',
      password: 'must be at least 8 characters',
      role: 'must be one of admin, editor, viewer',
      superuser: 'unknown field',
    });
    const taken = await env.admin.patch(`${USERS}/${a.body.id}`, { email: 'PB@test.local' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('unique_violation');
    // Re-sending one's own email is fine.
    expect((await env.admin.patch(`${USERS}/${a.body.id}`, { email: 'pa@test.local' })).status).toBe(200);
    expect((await env.admin.patch(`${USERS}/nosuch`, { role: 'viewer' })).status).toBe(404);
  });

  it('deletes a user: 204, then 404, and their token stops working', async () => {
    const c = await userClient(env.admin, 'gone@test.local', 'editor');
    const d = await env.admin.del(`${USERS}/${c.userId}`);
    expect(d.status).toBe(204);
    expect((await env.admin.get(`${USERS}/${c.userId}`)).status).toBe(404);
    expect((await env.admin.del(`${USERS}/${c.userId}`)).status).toBe(404);
    const me = await c.get('/api/v1/auth/me');
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('unauthorized');
  });

  it('never deletes or demotes the superuser, and an admin cannot delete themself', async () => {
    const me = await env.admin.get('/api/v1/auth/me');
    const su = me.body.user.id;
    const d = await env.admin.del(`${USERS}/${su}`);
    expect(d.status).toBe(409);
    expect(d.body.error).toEqual({ code: 'conflict', message: 'The superuser cannot be deleted.' });
    const other = await userClient(env.admin, 'second-admin@test.local', 'admin');
    // To anyone but itself the superuser does not exist (tests/security/permissions.test.ts).
    expect((await other.del(`${USERS}/${su}`)).status).toBe(404);
    expect((await other.patch(`${USERS}/${su}`, { role: 'viewer' })).status).toBe(404);
    const demote = await env.admin.patch(`${USERS}/${su}`, { role: 'viewer' });
    expect(demote.status).toBe(400);
    expect(demote.body.error.details).toEqual({ role: 'the superuser stays an admin' });
    const self = await other.del(`${USERS}/${other.userId}`);
    expect(self.status).toBe(409);
    expect(self.body.error).toEqual({ code: 'conflict', message: 'You cannot delete yourself.' });
    expect((await env.admin.get(`${USERS}/${su}`)).body).toMatchObject({ role: 'admin', superuser: true });
  });
});

describe('accounts', () => {
  it('keeps an admin of account A away from the users of account B', async () => {
    const adminA = await userClient(env.admin, 'admin-a@test.local', 'admin', 'acct-a');
    const userB = await env.admin.post(USERS, {
      email: 'user-b@test.local',
      password: 'password-ub',
      account: 'acct-b',
    });
    expect(userB.status).toBe(201);
    expect(userB.body.account).toBe('acct-b');
    const idB = userB.body.id;

    const list = await adminA.get(USERS);
    expect(list.status).toBe(200);
    expect(list.body.items.every((u: { account: string }) => u.account === 'acct-a')).toBe(true);
    expect(list.body.items.map((u: { email: string }) => u.email)).toEqual(['admin-a@test.local']);

    for (const [method, body] of [['GET'], ['PATCH', { role: 'admin' }], ['DELETE']] as const) {
      const r = await adminA.req(method, `${USERS}/${idB}`, body);
      expect(r.status, method).toBe(404);
      expect(r.body.error).toEqual({ code: 'not_found', message: `User '${idB}' not found.` });
    }
    // The superuser sees across accounts; B is untouched.
    const b = await env.admin.get(`${USERS}/${idB}`);
    expect(b.body).toMatchObject({ role: 'viewer', account: 'acct-b' });
    expect((await env.admin.get(USERS)).body.items.map((u: { id: string }) => u.id)).toContain(idB);
  });

  it('lets only the superuser name an account', async () => {
    const adminA = await userClient(env.admin, 'admin-a2@test.local', 'admin', 'acct-a2');
    const other = await adminA.post(USERS, {
      email: 'sneak@test.local',
      password: 'password-s',
      account: 'acct-b2',
    });
    expect(other.status).toBe(400);
    expect(other.body.error.details).toEqual({ account: 'only the superuser may use another account' });
    const own = await adminA.post(USERS, {
      email: 'own@test.local',
      password: 'password-o',
      account: 'acct-a2',
    });
    expect(own.status).toBe(201);
    expect(own.body.account).toBe('acct-a2');
    const implicit = await adminA.post(USERS, { email: 'implicit@test.local', password: 'password-i' });
    expect(implicit.body.account).toBe('acct-a2');
    const move = await adminA.patch(`${USERS}/${own.body.id}`, { account: 'acct-b2' });
    expect(move.status).toBe(400);
    expect(move.body.error.details).toEqual({ account: 'only the superuser may use another account' });
    expect((await env.admin.get(`${USERS}/${own.body.id}`)).body.account).toBe('acct-a2');

    // The superuser may move a user; that ends the user's logins.
    const c = new Client(env.s.url);
    await c.login('own@test.local', 'password-o');
    const moved = await env.admin.patch(`${USERS}/${own.body.id}`, { account: 'acct-b2' });
    expect(moved.status).toBe(200);
    expect(moved.body.account).toBe('acct-b2');
    expect((await c.get('/api/v1/auth/me')).status).toBe(401);
    expect((await adminA.get(`${USERS}/${own.body.id}`)).status).toBe(404);
  });
});
