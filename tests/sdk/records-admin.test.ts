import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, type SwitchboardClient } from '../../src/shared/client';
import { batchErrors, etagOf, recordsAdmin } from '../../src/shared/client/records-admin';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type TestServer } from '../helpers/server';
import { uniq } from '../api/support';

let s: TestServer;
let sb: SwitchboardClient;
let name: string;

beforeAll(async () => {
  s = await startServer();
  sb = createClient({ url: s.url, transport: 'polling' });
  await sb.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD);
  name = uniq('posts');
  await sb.admin.collections.create({
    name,
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'n', type: 'number' },
    ],
    rules: { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' },
  });
});
afterAll(async () => {
  sb?.close();
  await s?.stop();
});

describe('records admin helpers against a real server', () => {
  const ra = () => recordsAdmin({ url: s.url, token: () => sb.token }, name);

  it('updates with If-Match and answers a typed conflict on 412', async () => {
    const rec = await sb.records(name).create({ title: 'a' });
    const ok = await ra().update(rec.id, { title: 'b' }, etagOf(rec));
    expect(ok).toMatchObject({ ok: true, value: { title: 'b' } });
    const stale = await ra().update(rec.id, { title: 'c' }, etagOf(rec));
    expect(stale.ok).toBe(false);
    if (stale.ok) return;
    expect(stale.current).toMatchObject({ id: rec.id, title: 'b' });
    expect(stale.etag).toBe(etagOf(ok.ok ? ok.value : rec));
    const del = await ra().delete(rec.id, etagOf(rec));
    expect(del.ok).toBe(false);
    expect(await ra().delete(rec.id, stale.etag!)).toEqual({ ok: true, value: undefined });
  });

  it('dry-runs and creates batches, reporting failing rows', async () => {
    const dry = await ra().dryRun([{ title: 'x' }, { n: 1 }, { title: 'y', n: 'z' }]);
    expect(dry.valid).toBe(1);
    expect(dry.errors).toEqual([
      { index: 1, errors: { title: 'is required' } },
      { index: 2, errors: { n: 'expected a number, got string' } },
    ]);
    const e = await ra()
      .createBatch([{ title: 'x' }, { n: 1 }])
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ApiError);
    expect(batchErrors(e)).toEqual([{ index: 1, errors: { title: 'is required' } }]);
    const made = await ra().createBatch([
      { title: 'bulk', n: 1 },
      { title: 'bulk', n: 2 },
    ]);
    expect(made).toHaveLength(2);
  });

  it('bulk-updates and bulk-deletes by filter, and builds the export URL', async () => {
    expect(await ra().bulkUpdate({ title: 'bulk' }, { n: 7 })).toBe(2);
    const url = ra().exportUrl({ filter: { n: 7 }, sort: '-n', withToken: true });
    expect(url).toContain(`/api/v1/collections/${name}/records/export?format=csv`);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('id,created_at,updated_at,title,n');
    expect(await ra().bulkDelete({ n: 7 })).toBe(2);
  });
});
