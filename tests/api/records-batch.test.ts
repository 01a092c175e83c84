import { describe, expect, it } from 'vitest';
import { userClient } from '../helpers/server';
import { createCollection, eventsSince, lastSeq, uniq, useServer } from './support';

// Batch create: all or nothing, one event per record, and a dry run for the console's import preview.

const env = useServer();
const recs = (name: string) => `/api/v1/collections/${name}/records`;
const batch = (name: string) => `${recs(name)}/batch`;

async function items(): Promise<string> {
  const name = uniq('b');
  await createCollection(env.admin, {
    name,
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'slug', type: 'text', unique: true },
      { name: 'n', type: 'number', min: 0 },
      { name: 'owner', type: 'text' },
    ],
    rules: { list: 'public', view: 'public', create: { owner: '@user.id' }, update: 'auth', delete: 'auth' },
  });
  return name;
}

async function count(name: string): Promise<number> {
  return (await env.admin.get(`${recs(name)}?per_page=1`)).body.total_items;
}

describe('batch create', () => {
  it('creates every record in order with one record.created event each', async () => {
    const name = await items();
    const since = await lastSeq(env.admin);
    const records = Array.from({ length: 250 }, (_, i) => ({ title: `t${i}`, slug: `s${i}`, n: i }));
    const r = await env.admin.post(batch(name), { records });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(201);
    expect(r.body.items).toHaveLength(250);
    expect(r.body.items.map((x: { title: string }) => x.title)).toEqual(records.map((x) => x.title));
    const events = await eventsSince(env.admin, since, name);
    expect(events.map((e) => e.type)).toEqual(Array(250).fill('record.created'));
    expect(events.map((e) => e.record_id)).toEqual(r.body.items.map((x: { id: string }) => x.id));
    expect(await count(name)).toBe(250);
  });

  it('writes nothing when any row is invalid, and names each failing row', async () => {
    const name = await items();
    const since = await lastSeq(env.admin);
    const r = await env.admin.post(batch(name), {
      records: [{ title: 'ok' }, { n: -1 }, { title: 'ok too' }, { title: 'x', extra: 1 }],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.message).toBe('2 of 4 records are not valid; nothing was written.');
    expect(r.body.error.details).toEqual({
      errors: [
        { index: 1, errors: { title: 'is required', n: 'must be at least 0' } },
        { index: 3, errors: { extra: 'unknown field' } },
      ],
    });
    expect(await count(name)).toBe(0);
    expect(await eventsSince(env.admin, since, name)).toEqual([]);
  });

  it('rolls back on a unique conflict found while writing, within the batch or with stored records', async () => {
    const name = await items();
    await env.admin.post(recs(name), { title: 'stored', slug: 'taken' });
    const since = await lastSeq(env.admin);
    const r = await env.admin.post(batch(name), {
      records: [
        { title: 'a', slug: 'fresh' },
        { title: 'b', slug: 'taken' },
        { title: 'c', slug: 'fresh' },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details.errors).toEqual([
      { index: 1, errors: { slug: 'must be unique' } },
      { index: 2, errors: { slug: 'must be unique' } },
    ]);
    expect(await count(name)).toBe(1);
    expect(await eventsSince(env.admin, since, name)).toEqual([]);
  });

  it('checks the create rule per row: one refused row refuses the batch', async () => {
    const name = await items();
    const editor = await userClient(env.admin, `batch-editor-${name}@test.local`, 'editor');
    const mine = { title: 'mine', owner: editor.userId };
    const ok = await editor.post(batch(name), { records: [mine, mine] });
    expect(ok.status).toBe(201);
    const r = await editor.post(batch(name), { records: [mine, { title: 'theirs', owner: 'someone' }] });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toBe(
      `The create rule of '${name}' does not allow record 1; nothing was written.`,
    );
    expect(await count(name)).toBe(2);
    expect((await env.anon.post(batch(name), { records: [mine] })).status).toBe(401);
  });

  it('refuses empty, oversized and malformed batches', async () => {
    const name = await items();
    const cases: [unknown, string][] = [
      [{}, 'must be an array'],
      [{ records: [] }, 'has 0 records'],
      [{ records: Array(1001).fill({ title: 'x' }) }, 'has 1001 records'],
    ];
    for (const [body, detail] of cases) {
      const r = await env.admin.post(batch(name), body);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toBe("Send 'records': an array of 1 to 1000 records.");
      expect(r.body.error.details.records).toBe(detail);
    }
    const extra = await env.admin.post(batch(name), { records: [{ title: 'x' }], mode: 'upsert' });
    expect(extra.status).toBe(400);
    expect(extra.body.error.details).toEqual({ mode: 'unknown key (use records, dry_run)' });
    expect(await count(name)).toBe(0);
  });
});

describe('dry run', () => {
  it('validates every row, conflicts included, and writes and emits nothing', async () => {
    const name = await items();
    await env.admin.post(recs(name), { title: 'stored', slug: 'taken' });
    const since = await lastSeq(env.admin);
    const records = [{ title: 'a' }, { n: 'x' }, { title: 'c', slug: 'taken' }, { title: 'd' }];
    for (const r of [
      await env.admin.post(`${batch(name)}?dry_run=1`, { records }),
      await env.admin.post(batch(name), { records, dry_run: true }),
    ]) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        valid: 2,
        errors: [
          { index: 1, errors: { title: 'is required', n: 'expected a number, got string' } },
          { index: 2, errors: { slug: 'must be unique' } },
        ],
      });
    }
    const clean = await env.admin.post(`${batch(name)}?dry_run=1`, { records: [{ title: 'a' }] });
    expect(clean.body).toEqual({ valid: 1, errors: [] });
    expect(await count(name)).toBe(1);
    expect(await eventsSince(env.admin, since, name)).toEqual([]);
  });

  it('lists rows the create rule refuses instead of refusing the request', async () => {
    const name = await items();
    const editor = await userClient(env.admin, `dry-editor-${name}@test.local`, 'editor');
    const r = await editor.post(`${batch(name)}?dry_run=1`, {
      records: [
        { title: 'mine', owner: editor.userId },
        { title: 'theirs', owner: 'x' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      valid: 1,
      errors: [{ index: 1, errors: { _rule: `the create rule of '${name}' does not allow this record` } }],
    });
  });
});
