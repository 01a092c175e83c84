import { describe, expect, it } from 'vitest';
import { adminClient, startServer, userClient } from '../helpers/server';
import { createCollection, createRecord, eventsSince, lastSeq, uniq, useServer } from './support';

const env = useServer();
const EVENTS = '/api/v1/events';
const recs = (name: string) => `/api/v1/collections/${name}/records`;

async function collection(rules: Record<string, unknown> = {}): Promise<string> {
  const name = uniq('ev');
  await createCollection(env.admin, { name, fields: [{ name: 'title', type: 'text' }], rules });
  return name;
}

describe('the event log', () => {
  it('lists events after since in seq order, with next_since and last_seq', async () => {
    const name = await collection();
    const since = await lastSeq(env.admin);
    const created = [];
    for (const t of ['one', 'two', 'three']) created.push(await createRecord(env.admin, name, { title: t }));
    const r = await env.admin.get(`${EVENTS}?since=${since}`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['events', 'last_seq', 'next_since']);
    expect(r.body.events.map((e: { seq: number }) => e.seq)).toEqual([since + 1, since + 2, since + 3]);
    expect(r.body.events.map((e: { record_id: string }) => e.record_id)).toEqual(created.map((c) => c.id));
    expect(r.body.next_since).toBe(since + 3);
    expect(r.body.last_seq).toBe(since + 3);
    const e = r.body.events[0];
    expect(e).toMatchObject({
      type: 'record.created',
      collection: name,
      data: created[0],
      account: 'default',
    });
    expect(e.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(e.actor).toBe((await env.admin.get('/api/v1/auth/me')).body.user.id);
    expect(e).not.toHaveProperty('previous');

    // Nothing new: an empty page that keeps the cursor.
    const none = await env.admin.get(`${EVENTS}?since=${since + 3}`);
    expect(none.body).toEqual({ events: [], next_since: since + 3, last_seq: since + 3 });
    const ahead = await env.admin.get(`${EVENTS}?since=${since + 100}`);
    expect(ahead.body.events).toEqual([]);
    expect(ahead.body.next_since).toBe(since + 100);
  });

  it('pages with limit and resumes from next_since without gaps or repeats', async () => {
    const name = await collection();
    const since = await lastSeq(env.admin);
    for (let i = 0; i < 5; i++) await createRecord(env.admin, name, { title: `r${i}` });
    const seen: number[] = [];
    let cursor = since;
    for (let page = 0; page < 10; page++) {
      const r = await env.admin.get(`${EVENTS}?since=${cursor}&limit=2`);
      expect(r.body.events.length).toBeLessThanOrEqual(2);
      if (r.body.events.length === 0) break;
      seen.push(...r.body.events.map((e: { seq: number }) => e.seq));
      cursor = r.body.next_since;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5].map((i) => since + i));
    expect((await env.admin.get(`${EVENTS}?since=${since}&limit=1000`)).body.events).toHaveLength(5);
    expect((await env.admin.get(`${EVENTS}?since=${since}&limit=1`)).body.next_since).toBe(since + 1);
  });

  it.each([
    ['limit=0', "'limit' must be an integer from 1 to 1000, got '0'."],
    ['limit=1001', "'limit' must be an integer from 1 to 1000, got '1001'."],
    ['limit=many', "'limit' must be an integer from 1 to 1000, got 'many'."],
    ['limit=2.5', "'limit' must be an integer from 1 to 1000, got '2.5'."],
    ['since=-1', "'since' must be a non-negative integer seq, got '-1'."],
    ['since=abc', "'since' must be a non-negative integer seq, got 'abc'."],
    ['since=1.5', "'since' must be a non-negative integer seq, got '1.5'."],
  ])('refuses %s with 400', async (q, message) => {
    const r = await env.admin.get(`${EVENTS}?${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({ code: 'bad_request', message });
  });

  it('filters by collection', async () => {
    const a = await collection();
    const b = await collection();
    const since = await lastSeq(env.admin);
    const ra = await createRecord(env.admin, a, { title: 'a' });
    await createRecord(env.admin, b, { title: 'b' });
    const rb = await createRecord(env.admin, a, { title: 'a2' });
    const r = await env.admin.get(`${EVENTS}?since=${since}&collection=${a}`);
    expect(r.body.events.map((e: { record_id: string }) => e.record_id)).toEqual([ra.id, rb.id]);
    expect(r.body.next_since).toBe(since + 3);
    expect((await env.admin.get(`${EVENTS}?since=${since}&collection=nosuch`)).body.events).toEqual([]);
  });

  it('carries the trace id of the write (the x-trace-id response header)', async () => {
    const name = await collection();
    const since = await lastSeq(env.admin);
    const c = await env.admin.post(recs(name), { title: 'traced' });
    const trace = c.headers.get('x-trace-id');
    expect(trace).toMatch(/^[0-9a-f]{16}$/);
    const u = await env.admin.patch(`${recs(name)}/${c.body.id}`, { title: 'traced again' });
    const d = await env.admin.del(`${recs(name)}/${c.body.id}`);
    const evs = await eventsSince(env.admin, since);
    expect(evs.map((e) => e.trace_id)).toEqual([
      trace,
      u.headers.get('x-trace-id'),
      d.headers.get('x-trace-id'),
    ]);
    expect(new Set(evs.map((e) => e.trace_id)).size).toBe(3);
    // The same id is in the server's log line for that request.
    expect(
      env.s.logs.some((l) => l.startsWith(`POST ${recs(name)} 201`) && l.endsWith(`trace=${trace}`)),
    ).toBe(true);
  });

  it('holds previous on updates and the last state on deletes', async () => {
    const name = await collection();
    const since = await lastSeq(env.admin);
    const rec = await createRecord(env.admin, name, { title: 'v1' });
    const v2 = (await env.admin.patch(`${recs(name)}/${rec.id}`, { title: 'v2' })).body;
    await env.admin.del(`${recs(name)}/${rec.id}`);
    const [created, updated, deleted] = await eventsSince(env.admin, since);
    expect(created).toMatchObject({ type: 'record.created', data: rec });
    expect(updated).toMatchObject({ type: 'record.updated', data: v2, previous: rec });
    expect(deleted).toMatchObject({ type: 'record.deleted', data: v2 });
    expect(deleted).not.toHaveProperty('previous');
  });

  it('shows callers only what the view rule lets them see', async () => {
    const open = await collection({ list: 'public', view: 'public' });
    const closed = await collection();
    const since = await lastSeq(env.admin);
    const ro = await createRecord(env.admin, open, { title: 'open' });
    await createRecord(env.admin, closed, { title: 'closed' });
    const editor = await userClient(env.admin, 'ev-editor@test.local', 'editor');
    for (const c of [env.anon, editor]) {
      const r = await c.get(`${EVENTS}?since=${since}`);
      expect(r.status).toBe(200);
      expect(r.body.events.map((e: { record_id: string }) => e.record_id)).toEqual([ro.id]);
      // The cursor still moves past what the caller may not see.
      expect(r.body.next_since).toBe(since + 2);
    }
    // Schema events are for admins.
    const name = await collection();
    const s2 = await lastSeq(env.admin);
    await env.admin.del(`/api/v1/collections/${name}`);
    expect(
      (await env.admin.get(`${EVENTS}?since=${s2}`)).body.events.map((e: { type: string }) => e.type),
    ).toEqual(['collection.deleted']);
    expect((await editor.get(`${EVENTS}?since=${s2}`)).body.events).toEqual([]);
  });
});

describe('retention', () => {
  it('answers 410 resume_gap for a since older than the log keeps', async () => {
    const s = await startServer();
    const admin = await adminClient(s);
    const name = uniq('gap');
    await createCollection(admin, { name, fields: [{ name: 't', type: 'text' }] });
    for (let i = 0; i < 5; i++) await createRecord(admin, name, { t: String(i) });
    expect(await lastSeq(admin)).toBe(6);
    await s.stop({ keepData: true });

    // note: retention runs at start, so a restart with a smaller log trims it at once.
    const again = await startServer({ dataDir: s.dataDir, retainEvents: 2 });
    try {
      const c = await adminClient(again);
      const r = await c.get(`${EVENTS}?since=1`);
      expect(r.status).toBe(410);
      expect(r.body.error).toEqual({
        code: 'resume_gap',
        message: 'Events after 1 are no longer retained; reload and start from last_seq.',
        details: { oldest_seq: 5, last_seq: 6 },
      });
      const ok = await c.get(`${EVENTS}?since=4`);
      expect(ok.status).toBe(200);
      expect(ok.body.events.map((e: { seq: number }) => e.seq)).toEqual([5, 6]);
      // since=0 means "from whatever is kept".
      expect((await c.get(`${EVENTS}?since=0`)).body.events.map((e: { seq: number }) => e.seq)).toEqual([
        5, 6,
      ]);
      // Seqs are never reused after a trim and a restart.
      await createRecord(c, name, { t: 'after' });
      expect(await lastSeq(c)).toBe(7);
    } finally {
      await again.stop();
    }
  });
});

describe('health, stats and presence', () => {
  it('reports health to anyone', async () => {
    const r = await env.anon.get('/api/v1/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', version: expect.any(String), uptime_s: expect.any(Number) });
    expect(Date.parse(r.body.started_at)).not.toBeNaN();
  });

  it('reports stats in the FastCMS shape to signed-in callers only', async () => {
    const anon = await env.anon.get('/api/v1/stats');
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('unauthorized');
    const r = await env.admin.get('/api/v1/stats');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      total_connections: expect.any(Number),
      authenticated_connections: expect.any(Number),
      unique_users: expect.any(Number),
      pubsub_backend: 'memory',
      subscriptions: expect.any(Object),
    });
    expect(r.body.last_seq).toBe(await lastSeq(env.admin));
  });

  it('reports who is present', async () => {
    const r = await env.admin.get('/api/v1/presence');
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body.users)).toBe(true);
  });
});
