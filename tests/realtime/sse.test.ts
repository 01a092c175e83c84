import { afterEach, describe, expect, it } from 'vitest';
import { adminClient, startServer, userClient } from '../helpers/server';
import { closeAll, native, sse, within, type SseClient, type SseFrame } from '../helpers/ws';
import { createCollection, createRecord, lastSeq, uniq, useServer, withQuery } from '../api/support';

const env = useServer();
afterEach(closeAll);

const SSE = '/api/v1/sse/realtime';
const recs = (name: string) => `/api/v1/collections/${name}/records`;
const isRecord = (f: SseFrame) => !!f.event?.startsWith('record.');

async function collection(view = 'public', admin = env.admin): Promise<string> {
  const name = uniq('sse');
  await createCollection(admin, {
    name,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'n', type: 'number' },
    ],
    rules: { list: view, view, create: 'auth', update: 'auth', delete: 'auth' },
  });
  return name;
}

const open = (
  q: Record<string, string | number | object>,
  headers: Record<string, string> = {},
  base = env.s.url,
) => sse(base + withQuery(SSE, q), headers);

/** Opens a stream and waits until the hub has it (the response headers come first). */
async function subscribedStream(
  q: Record<string, string | number | object>,
  headers: Record<string, string> = {},
): Promise<SseClient> {
  const s = await open(q, headers);
  expect(s.status).toBe(200);
  return s;
}

describe('native SSE', () => {
  it('sends id: SEQ, event: TYPE and data: {native event}', async () => {
    const name = await collection();
    const s = await subscribedStream({ collection: name });
    expect(s.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.headers['cache-control']).toBe('no-cache, no-transform');
    const before = await lastSeq(env.admin);
    const r = await env.admin.post(recs(name), { title: 'hello', n: 1 });
    const f = await s.next(isRecord);
    expect(f).toEqual({
      id: String(before + 1),
      event: 'record.created',
      data: {
        type: 'record.created',
        collection: name,
        record_id: r.body.id,
        data: r.body,
        timestamp: expect.any(String),
        seq: before + 1,
        trace_id: r.headers.get('x-trace-id'),
        actor: expect.any(String),
      },
    });
    await env.admin.patch(`${recs(name)}/${r.body.id}`, { n: 2 });
    await env.admin.del(`${recs(name)}/${r.body.id}`);
    const rest = await s.take(2, isRecord);
    expect(rest.map((x) => [x.id, x.event])).toEqual([
      [String(before + 2), 'record.updated'],
      [String(before + 3), 'record.deleted'],
    ]);
    expect(rest[0]!.data!.previous.n).toBe(1);
  });

  it('filter (a live query), events and select from the query string; token as Bearer header', async () => {
    const name = await collection('auth');
    const ed = await userClient(env.admin, 'sse-ed@test.local', 'editor');
    const filtered = await subscribedStream(
      { collection: name, filter: { n: { $gt: 5 } }, select: 'title' },
      { authorization: `Bearer ${ed.token}` },
    );
    const deletes = await subscribedStream({ collection: name, events: 'record.deleted', token: ed.token! });
    const a = await createRecord(env.admin, name, { title: 'big', n: 10 });
    const b = await createRecord(env.admin, name, { title: 'small', n: 1 });
    await env.admin.patch(`${recs(name)}/${a.id}`, { n: 2 });
    await env.admin.del(`${recs(name)}/${b.id}`);
    await env.admin.del(`${recs(name)}/${a.id}`);
    const got = await filtered.take(2, isRecord);
    expect(got.map((f) => [f.event, f.data!.record_id, f.data!.match])).toEqual([
      ['record.created', a.id, 'enter'],
      ['record.updated', a.id, 'leave'],
    ]);
    expect(got[0]!.data!.data).toEqual({ id: a.id, title: 'big' });
    const del = await deletes.take(2, isRecord);
    expect(del.map((f) => [f.event, f.data!.record_id])).toEqual([
      ['record.deleted', b.id],
      ['record.deleted', a.id],
    ]);
    expect(deletes.pending(isRecord)).toEqual([]);
    expect(filtered.pending(isRecord)).toEqual([]);
  });

  it('resumes from the Last-Event-ID header or last_event_id while writes continue: no gap, no duplicate', async () => {
    const name = await collection();
    const first = await createRecord(env.admin, name, { title: 'seen', n: 0 });
    const seen = await lastSeq(env.admin);
    let written = 0;
    let reached!: () => void;
    const some = new Promise<void>((r) => (reached = r));
    const writing = (async () => {
      for (let i = 1; i <= 200; i++) {
        await createRecord(env.admin, name, { title: 'w', n: i });
        if (++written === 50) reached();
      }
    })();
    await some;
    const byHeader = await subscribedStream({ collection: name }, { 'last-event-id': String(seen) });
    const byQuery = await subscribedStream({ collection: name, last_event_id: seen });
    await writing;
    for (const s of [byHeader, byQuery]) {
      const got = await s.take(200, isRecord, 10_000);
      expect(got.map((f) => Number(f.id))).toEqual([...Array(200).keys()].map((i) => seen + 1 + i));
      expect(got.map((f) => f.data!.data.n)).toEqual([...Array(200).keys()].map((i) => i + 1));
    }
    expect(byHeader.frames.some((f) => f.data?.record_id === first.id)).toBe(false);
    const bad = await open({ collection: name }, { 'last-event-id': 'abc' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: { code: 'bad_request', message: "Last-Event-ID must be a seq, got 'abc'." },
    });
  });

  it('presence over SSE carries no id (presence events have no seq)', async () => {
    const s = await subscribedStream({ collection: 'presence', token: env.admin.token! });
    const ed = await userClient(env.admin, 'sse-presence@test.local', 'editor');
    await native(env.s.url, { token: ed.token });
    const f = await s.next((x) => x.event === 'user.joined');
    expect(f.id).toBeUndefined();
    expect(f.data).toMatchObject({ type: 'user.joined', data: { user_id: ed.userId, dialect: 'native' } });
  });

  it('answers a bad token with 401 JSON, an unknown collection with 404, a bad filter with 400', async () => {
    const name = await collection();
    const bad = await open({ collection: name, token: 'garbage' });
    expect(bad.status).toBe(401);
    expect(bad.headers['content-type']).toMatch(/^application\/json/);
    expect(bad.body).toEqual({ error: { code: 'unauthorized', message: 'Realtime: invalid token.' } });
    const missing = await open({ collection: 'no_such_collection' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { code: 'not_found', message: "Collection 'no_such_collection' not found" },
    });
    const filter = await open({ collection: name, filter: { nope: 1 } });
    expect(filter.status).toBe(400);
    expect(filter.body).toEqual({
      error: { code: 'bad_request', message: "Invalid filter: filter.nope: unknown field 'nope'" },
    });
    const none = await open({});
    expect(none.status).toBe(400);
    expect(none.body!.error.message).toBe('Missing collection');
  });

  it('refuses a collection the caller may not read before the stream starts (401 anonymous, 403 signed in)', async () => {
    const members = await collection('auth');
    const admins = await collection('admin');
    const anon = await open({ collection: members });
    expect(anon.status).toBe(401);
    expect(anon.body).toEqual({ error: { code: 'unauthorized', message: 'Sign in to do this.' } });
    const ed = await userClient(env.admin, 'sse-forbidden@test.local', 'editor');
    const editor = await open({ collection: admins, token: ed.token! });
    expect(editor.status).toBe(403);
    expect(editor.body).toEqual({
      error: { code: 'forbidden', message: `Only admins may view in '${admins}'.` },
    });
  });

  it('a Last-Event-ID older than the retained log: event resume_gap, then live', async () => {
    const first = await startServer();
    const admin1 = await adminClient(first);
    const name = await collection('public', admin1);
    for (let i = 0; i < 20; i++) await createRecord(admin1, name, { title: 'old', n: i });
    await first.stop({ keepData: true });
    const s = await startServer({ dataDir: first.dataDir, retainEvents: 5 });
    try {
      const admin = await adminClient(s);
      const stream = await open({ collection: name }, { 'last-event-id': '1' }, s.url);
      expect(stream.status).toBe(200);
      const gap = await stream.next();
      expect(gap).toEqual({
        event: 'resume_gap',
        data: {
          code: 'resume_gap',
          message: 'Events after 1 are no longer retained; reload, then subscribe without since.',
        },
      });
      const r = await createRecord(admin, name, { title: 'new', n: 99 });
      expect((await stream.next(isRecord)).data!.record_id).toBe(r.id);
      expect(stream.frames.filter(isRecord)).toHaveLength(1);
      stream.close();
      await within(stream.ended, 2000, 'the stream to close');
    } finally {
      await s.stop();
    }
  });
});
