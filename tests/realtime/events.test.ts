import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, event, native, subscribed, type Frame, type WsClient } from '../helpers/ws';
import { createCollection, createRecord, lastSeq, uniq, useServer, withQuery } from '../api/support';

const env = useServer();
afterEach(closeAll);

const recs = (name: string) => `/api/v1/collections/${name}/records`;

async function collection(): Promise<string> {
  const name = uniq('e');
  await createCollection(env.admin, {
    name,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'n', type: 'number' },
      { name: 'body', type: 'text' },
    ],
    rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
  });
  return name;
}

/** A client subscribed to `collection` with extra subscribe fields. */
async function listener(collection: string, extra: Record<string, unknown> = {}): Promise<WsClient> {
  const c = await native(env.s.url);
  await subscribed(c, { collection, ...extra });
  return c;
}

/** Writes through REST and returns the body and the request's trace id. */
async function write(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) {
  const r = await env.admin.req(method, path, body);
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return { body: r.body, trace: r.headers.get('x-trace-id')! };
}

const me = async () => (await env.admin.get('/api/v1/auth/me')).body.user.id as string;

describe('record events', () => {
  it('sends created, updated (with previous) and deleted with seq, trace_id and actor', async () => {
    const name = await collection();
    const c = await listener(name);
    const actor = await me();
    const before = await lastSeq(env.admin);

    const created = await write('POST', recs(name), { title: 'hello', n: 1 });
    const f1 = await c.next(event());
    expect(f1).toEqual({
      type: 'event',
      data: {
        type: 'record.created',
        collection: name,
        record_id: created.body.id,
        data: created.body,
        timestamp: expect.any(String),
        seq: before + 1,
        trace_id: created.trace,
        actor,
      },
      timestamp: f1.data.timestamp,
    });
    expect(created.trace).toMatch(/^[0-9a-f]{16}$/);

    const updated = await write('PATCH', `${recs(name)}/${created.body.id}`, { title: 'changed' });
    const f2 = await c.next(event());
    expect(f2.data).toMatchObject({
      type: 'record.updated',
      record_id: created.body.id,
      data: updated.body,
      previous: created.body,
      seq: before + 2,
      trace_id: updated.trace,
    });
    expect(f2.data).not.toHaveProperty('match');

    const deleted = await write('DELETE', `${recs(name)}/${created.body.id}`);
    const f3 = await c.next(event());
    expect(f3.data).toMatchObject({
      type: 'record.deleted',
      record_id: created.body.id,
      data: updated.body,
      seq: before + 3,
      trace_id: deleted.trace,
    });
    expect(f3.data).not.toHaveProperty('previous');
    expect(await lastSeq(env.admin)).toBe(before + 3);
  });

  it('events: only the listed operations arrive', async () => {
    const name = await collection();
    const deletes = await listener(name, { events: ['record.deleted'] });
    const changes = await listener(name, { events: ['record.created', 'record.updated'] });
    const r = await createRecord(env.admin, name, { title: 'x' });
    await write('PATCH', `${recs(name)}/${r.id}`, { n: 2 });
    await write('DELETE', `${recs(name)}/${r.id}`);
    expect((await deletes.next(event())).data.type).toBe('record.deleted');
    expect(deletes.pending(event())).toEqual([]);
    const got = await changes.take(2, event());
    expect(got.map((f) => f.data.type)).toEqual(['record.created', 'record.updated']);
    // The delete came last: once a later marker arrives, nothing else is on the way.
    const marker = await createRecord(env.admin, name, { title: 'marker' });
    expect((await changes.next(event())).data.record_id).toBe(marker.id);
    expect(changes.pending(event())).toEqual([]);
  });

  it('id: only that record', async () => {
    const name = await collection();
    const a = await createRecord(env.admin, name, { title: 'a' });
    const b = await createRecord(env.admin, name, { title: 'b' });
    const c = await listener(name, { id: a.id });
    await write('PATCH', `${recs(name)}/${b.id}`, { n: 1 });
    await write('PATCH', `${recs(name)}/${a.id}`, { n: 2 });
    await write('DELETE', `${recs(name)}/${b.id}`);
    await write('DELETE', `${recs(name)}/${a.id}`);
    const got = await c.take(2, event());
    expect(got.map((f) => [f.data.type, f.data.record_id])).toEqual([
      ['record.updated', a.id],
      ['record.deleted', a.id],
    ]);
    expect(c.frames.filter(event()).every((f) => f.data.record_id === a.id)).toBe(true);
  });

  it('select: only the selected fields, id always stays, previous trimmed too', async () => {
    const name = await collection();
    const c = await listener(name, { select: ['title'] });
    const full = await listener(name);
    const r = await createRecord(env.admin, name, { title: 't', n: 5, body: 'long text' });
    expect((await c.next(event())).data.data).toEqual({ id: r.id, title: 't' });
    expect((await full.next(event())).data.data).toEqual(r);
    await write('PATCH', `${recs(name)}/${r.id}`, { title: 'u', body: 'other' });
    const u = await c.next(event());
    expect(u.data.data).toEqual({ id: r.id, title: 'u' });
    expect(u.data.previous).toEqual({ id: r.id, title: 't' });
    expect((await full.next(event())).data.data).toMatchObject({ title: 'u', body: 'other', n: 5 });
  });
});

describe('live queries', () => {
  it('says when a record enters, stays in or leaves a filtered subscription', async () => {
    const name = await collection();
    const c = await listener(name, { filter: { n: { $gt: 5 } } });
    const all = await listener(name);
    const m = (f: Frame) => [f.data.type, f.data.record_id, f.data.match];

    const big = await createRecord(env.admin, name, { title: 'big', n: 10 });
    const small = await createRecord(env.admin, name, { title: 'small', n: 1 });
    await write('PATCH', `${recs(name)}/${big.id}`, { n: 20 });
    await write('PATCH', `${recs(name)}/${big.id}`, { n: 2 });
    await write('PATCH', `${recs(name)}/${small.id}`, { n: 3 });
    await write('PATCH', `${recs(name)}/${small.id}`, { n: 7 });
    await write('DELETE', `${recs(name)}/${small.id}`);
    await write('DELETE', `${recs(name)}/${big.id}`);

    const got = await c.take(5, event());
    expect(got.map(m)).toEqual([
      ['record.created', big.id, 'enter'],
      ['record.updated', big.id, 'stay'],
      ['record.updated', big.id, 'leave'],
      ['record.updated', small.id, 'enter'],
      ['record.deleted', small.id, 'leave'],
    ]);
    expect(got[2]!.data.data.n).toBe(2);
    expect(got[2]!.data.previous.n).toBe(20);
    const everything = await all.take(8, event());
    expect(everything.every((f) => !('match' in f.data))).toBe(true);
    // The last delete (big, already out of the filter) is not for `c`: its next frame is the marker.
    const marker = await createRecord(env.admin, name, { title: 'marker', n: 100 });
    expect(m(await c.next(event()))).toEqual(['record.created', marker.id, 'enter']);
  });

  it('bulk update and bulk delete: one event per record, one trace id', async () => {
    const name = await collection();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createRecord(env.admin, name, { title: `r${i}`, n: i })).id);
    const c = await listener(name);
    const filtered = await listener(name, { filter: { n: { $gte: 3 } } });
    const before = await lastSeq(env.admin);

    const up = await write('PATCH', withQuery(recs(name), { filter: {} }), { title: 'bulk' });
    expect(up.body).toEqual({ updated: 5 });
    const got = await c.take(5, event());
    expect(got.map((f) => f.data.type)).toEqual(Array(5).fill('record.updated'));
    expect(got.map((f) => f.data.record_id).sort()).toEqual([...ids].sort());
    expect(got.map((f) => f.data.seq)).toEqual([1, 2, 3, 4, 5].map((i) => before + i));
    expect(new Set(got.map((f) => f.data.trace_id))).toEqual(new Set([up.trace]));
    expect(got.every((f) => f.data.data.title === 'bulk' && f.data.previous.title !== 'bulk')).toBe(true);
    const stays = await filtered.take(2, event());
    expect(stays.map((f) => f.data.match)).toEqual(['stay', 'stay']);

    const del = await write('DELETE', withQuery(recs(name), { filter: { n: { $lt: 2 } } }));
    expect(del.body).toEqual({ deleted: 2 });
    const gone = await c.take(2, event('record.deleted'));
    expect(gone.map((f) => f.data.seq)).toEqual([before + 6, before + 7]);
    const marker = await createRecord(env.admin, name, { title: 'marker', n: 9 });
    expect((await filtered.next(event())).data.record_id).toBe(marker.id);
    expect(filtered.pending(event())).toEqual([]);
  });
});
