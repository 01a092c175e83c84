import { describe, expect, it } from 'vitest';
import { Client, userClient } from '../helpers/server';
import { createCollection, createRecord, uniq, useServer } from './support';

// The console's rule dry run: would this caller be allowed, and what decided it?

const env = useServer();
const check = (c: Client, name: string, body: Record<string, unknown>) =>
  c.post(`/api/v1/collections/${name}/rules/check`, body);

async function notes(): Promise<string> {
  const name = uniq('rc');
  await createCollection(env.admin, {
    name,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'owner', type: 'text' },
      { name: 'status', type: 'text' },
    ],
    rules: {
      list: 'public',
      view: 'auth',
      create: 'admin',
      update: { $or: [{ owner: '@user.id' }, { status: 'open' }] },
      delete: { owner: '@user.id', status: 'draft' },
    },
  });
  return name;
}

describe('rules/check', () => {
  it('says which kind of rule decided: public, auth, admin', async () => {
    const name = await notes();
    const editor = await userClient(env.admin, `rc-ed-${name}@test.local`, 'editor');
    const as = { user_id: editor.userId };
    let r = await check(env.admin, name, { rule: 'list', as: { anonymous: true } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ allowed: true, rule: 'public', decided_by: { kind: 'public' } });
    expect(r.body.reason).toBe('The list rule is "public": anyone may list.');
    r = await check(env.admin, name, { rule: 'view', as: { anonymous: true } });
    expect(r.body).toMatchObject({ allowed: false, rule: 'auth', decided_by: { kind: 'auth' } });
    r = await check(env.admin, name, { rule: 'view', as });
    expect(r.body).toMatchObject({ allowed: true, decided_by: { kind: 'auth' } });
    r = await check(env.admin, name, { rule: 'create', as });
    expect(r.body).toMatchObject({ allowed: false, rule: 'admin', decided_by: { kind: 'admin' } });
    r = await check(env.admin, name, { rule: 'create', as: {} });
    expect(r.status).toBe(400);
  });

  it('names the deciding clause of a filter rule, before and after an update', async () => {
    const name = await notes();
    const editor = await userClient(env.admin, `rc-f-${name}@test.local`, 'editor');
    const as = { user_id: editor.userId };
    const rec = await createRecord(env.admin, name, { title: 't', owner: editor.userId, status: 'draft' });
    // $and (two keys): the first false clause decides.
    let r = await check(env.admin, name, { rule: 'delete', as, record_id: rec.id });
    expect(r.body).toMatchObject({ allowed: true, decided_by: { kind: 'filter', clause: { value: true } } });
    r = await check(env.admin, name, {
      rule: 'delete',
      as,
      record: { owner: editor.userId, status: 'live' },
    });
    expect(r.body.allowed).toBe(false);
    expect(r.body.decided_by).toEqual({
      kind: 'filter',
      clause: { expression: { status: { $eq: 'draft' } }, value: false, actual: 'live' },
      path: '$and[1]',
    });
    // $or: the first true clause decides; all false: the whole $or.
    r = await check(env.admin, name, { rule: 'update', as, record: { owner: 'someone', status: 'open' } });
    expect(r.body.allowed).toBe(true);
    expect(r.body.decided_by.path).toBe('$or[1]');
    r = await check(env.admin, name, { rule: 'update', as, record_id: rec.id, record: { owner: 'someone' } });
    expect(r.body.allowed).toBe(false);
    expect(r.body.reason).toMatch(/does not match after the change/);
    expect(r.body.decided_by.clause.expression).toEqual({
      $or: [{ owner: { $eq: '@user.id' } }, { status: { $eq: 'open' } }],
    });
    // Anonymous: @user.id never matches.
    r = await check(env.admin, name, { rule: 'update', as: { anonymous: true }, record_id: rec.id });
    expect(r.body.allowed).toBe(false);
    // No record: allowed for the records the filter matches, with how many that is now.
    r = await check(env.admin, name, { rule: 'delete', as });
    expect(r.body).toMatchObject({ allowed: true, decided_by: { kind: 'filter' } });
    expect(r.body.reason).toMatch(/\(1 of the 1 in account 'default' now\)/);
  });

  it('tests an expression instead of the saved rule, and rejects a bad one', async () => {
    const name = await notes();
    const editor = await userClient(env.admin, `rc-x-${name}@test.local`, 'editor');
    const expression = { title: { $like: 'a%' } };
    let r = await check(env.admin, name, {
      rule: 'view',
      expression,
      as: { user_id: editor.userId },
      record: { title: 'abc' },
    });
    expect(r.body).toMatchObject({ allowed: true, rule: expression, decided_by: { kind: 'filter' } });
    r = await check(env.admin, name, { rule: 'view', expression: { nope: 1 }, as: { anonymous: true } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_filter');
    r = await check(env.admin, name, { rule: 'publish', as: { anonymous: true } });
    expect(r.body.error.details).toEqual({ rule: 'must be one of list, view, create, update, delete' });
  });

  it('covers role, scope, account and superuser decisions', async () => {
    const name = await notes();
    const viewer = await userClient(env.admin, `rc-v-${name}@test.local`, 'viewer');
    let r = await check(env.admin, name, { rule: 'update', as: { user_id: viewer.userId } });
    expect(r.body).toMatchObject({ allowed: false, decided_by: { kind: 'role' } });
    const key = await env.admin.post('/api/v1/keys', { name: 'k', role: 'editor', collections: ['other'] });
    r = await check(env.admin, name, { rule: 'list', as: { key_id: key.body.id } });
    expect(r.body).toMatchObject({ allowed: false, decided_by: { kind: 'scope' } });
    const tenant = await userClient(env.admin, `rc-t-${name}@test.local`, 'admin', 'rc-tenant');
    const rec = await createRecord(env.admin, name, { title: 'default account' });
    r = await check(env.admin, name, { rule: 'view', as: { user_id: tenant.userId }, record_id: rec.id });
    expect(r.body).toMatchObject({ allowed: false, decided_by: { kind: 'account' } });
    r = await check(env.admin, name, { rule: 'create', as: { user_id: tenant.userId } });
    expect(r.body).toMatchObject({ allowed: true, decided_by: { kind: 'admin' } });
    r = await check(env.admin, name, { rule: 'delete', record_id: rec.id });
    expect(r.body).toMatchObject({ allowed: true, decided_by: { kind: 'superuser' } });
  });

  it('is for admins: within their account, and a scoped key within its collections', async () => {
    const name = await notes();
    const editor = await userClient(env.admin, `rc-e2-${name}@test.local`, 'editor');
    expect((await check(editor, name, { rule: 'list' })).status).toBe(403);
    expect((await check(env.anon, name, { rule: 'list' })).status).toBe(401);
    const tenant = await userClient(env.admin, `rc-ta-${name}@test.local`, 'admin', 'rc-other');
    // Another account's users and records do not exist for a tenant admin.
    let r = await check(tenant, name, { rule: 'list', as: { user_id: editor.userId } });
    expect(r.status).toBe(404);
    const rec = await createRecord(env.admin, name, { title: 'x' });
    r = await check(tenant, name, { rule: 'view', as: { anonymous: true }, record_id: rec.id });
    expect(r.status).toBe(404);
    const scoped = await env.admin.post('/api/v1/keys', { name: 's', role: 'admin', collections: [name] });
    const k = new Client(env.s.url, scoped.body.key);
    expect((await check(k, name, { rule: 'list', as: { anonymous: true } })).status).toBe(200);
    const other = await notes();
    expect((await check(k, other, { rule: 'list', as: { anonymous: true } })).status).toBe(404);
  });
});
