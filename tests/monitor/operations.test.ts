import { afterEach, describe, expect, it } from 'vitest';
import { userClient } from '../helpers/server';
import { closeAll, event, eventually, is, native, subscribed, type Frame } from '../helpers/ws';
import { lastSeq, useServer } from '../api/support';
import { closeAll as closeDialects, open, waitKeys, wsUrl as dialectUrl } from '../dialects/util';
import { openCollection, watcher } from './support';

const env = useServer();
afterEach(async () => {
  await closeAll();
  await closeDialects();
});

let n = 0;
const user = (role: 'editor' | 'admin' | 'viewer', account?: string) =>
  userClient(env.admin, `mon-op-${++n}@test.local`, role, account);

describe('GET /api/v1/monitor/explain', () => {
  it('says why each connection did or did not get an event: filter clause, view rule, account', async () => {
    const name = await openCollection(env.admin, { published: true });
    const admin = await user('admin');
    const editor = await user('editor');
    const otherAdmin = await user('admin', 'acct_explain_b');
    const plain = await native(env.s.url, { token: admin.token });
    await subscribed(plain, { collection: name });
    const filtered = await native(env.s.url, { token: admin.token });
    await subscribed(filtered, { collection: name, filter: { title: 'x' } });
    const byFilter = await native(env.s.url, { token: admin.token });
    await subscribed(byFilter, { collection: name, filter: { $and: [{ title: 'x' }, { n: { $gt: 100 } }] } });
    const byRule = await native(env.s.url, { token: editor.token });
    await subscribed(byRule, { collection: name });
    const elsewhere = await native(env.s.url, { token: otherAdmin.token });
    await subscribed(elsewhere, { collection: name });
    const idle = await native(env.s.url, { token: editor.token });

    const r = await env.admin.post(`/api/v1/collections/${name}/records`, {
      title: 'x',
      n: 5,
      published: false,
    });
    expect(r.status).toBe(201);
    await plain.next(event('record.created'));
    await filtered.next(event('record.created'));
    const seq = await lastSeq(env.admin);

    const started = performance.now();
    const res = await env.admin.get(`/api/v1/monitor/explain?seq=${seq}`);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const x = res.body;
    expect(x).toMatchObject({
      seq,
      event: { seq, type: 'record.created', collection: name, record_id: r.body.id, account: 'default' },
      subscriptions_as_of: expect.any(String),
      note: expect.stringMatching(/as it is now/),
      recorded: [
        {
          instance: 'local',
          candidates: 5,
          matched: 2,
          sent: 2,
          skipped_rule: 2,
          skipped_filter: 1,
          dropped: 0,
        },
      ],
      dropped_connections: [],
    });
    const of = (id: string) => x.connections.find((c: Frame) => c.connection === id);
    expect(of(plain.connectionId)).toMatchObject({
      delivered: true,
      dialect: 'native',
      subscriptions: [{ key: name, delivered: true, reason: 'delivered' }],
    });
    expect(of(filtered.connectionId)).toMatchObject({
      delivered: true,
      subscriptions: [{ delivered: true, reason: 'delivered', match: 'enter' }],
    });
    expect(of(byFilter.connectionId).subscriptions[0]).toMatchObject({
      delivered: false,
      reason: 'filter',
      clause: { expression: { n: { $gt: 100 } }, path: '$and[1]', value: false, actual: 5 },
    });
    expect(of(byRule.connectionId).subscriptions[0]).toMatchObject({
      delivered: false,
      reason: 'view_rule',
      clause: { expression: { published: { $eq: true } }, value: false, actual: false },
    });
    expect(of(elsewhere.connectionId).subscriptions[0]).toMatchObject({
      delivered: false,
      reason: 'account',
      message: expect.stringContaining("'acct_explain_b'"),
    });
    expect(of(idle.connectionId)).toMatchObject({ delivered: false, subscriptions: [] });

    // One connection; an update says before and after.
    const one = await env.admin.get(`/api/v1/monitor/explain?seq=${seq}&connection=${byFilter.connectionId}`);
    expect(one.body.connections).toHaveLength(1);
    await env.admin.patch(`/api/v1/collections/${name}/records/${r.body.id}`, { title: 'y' });
    const upd = await env.admin.get(
      `/api/v1/monitor/explain?seq=${await lastSeq(env.admin)}&connection=${filtered.connectionId}`,
    );
    expect(upd.body.connections[0].subscriptions[0]).toMatchObject({
      delivered: true,
      match: 'leave',
    });
    const upd2 = await env.admin.get(
      `/api/v1/monitor/explain?seq=${await lastSeq(env.admin)}&connection=${byFilter.connectionId}`,
    );
    expect(upd2.body.connections[0].subscriptions[0]).toMatchObject({
      reason: 'filter',
      before: { value: false, path: '$and[1]' },
      after: { value: false, path: '$and[0]', actual: 'y' },
    });

    // Another account's admin: the event does not exist; unknown things are 404; a seq is required.
    expect((await otherAdmin.get(`/api/v1/monitor/explain?seq=${seq}`)).status).toBe(404);
    expect((await env.admin.get(`/api/v1/monitor/explain?seq=${seq}&connection=nope`)).status).toBe(404);
    expect((await env.admin.get('/api/v1/monitor/explain')).body.error.code).toBe('bad_request');
    expect((await editor.get(`/api/v1/monitor/explain?seq=${seq}`)).status).toBe(403);
    expect((await env.anon.get(`/api/v1/monitor/explain?seq=${seq}`)).status).toBe(401);
  }, 30_000);
});

describe('frames of an inspected connection', () => {
  it('are kept and streamed only while an admin inspects it', async () => {
    const name = await openCollection(env.admin);
    const c = await native(env.s.url);
    await subscribed(c, { collection: name }); // not inspected: not kept
    const m = await watcher(env.s.url, env.admin.token!);
    const before = await env.admin.get(`/api/v1/monitor/connections/${c.connectionId}/frames`);
    expect(before.body).toEqual({
      connection: c.connectionId,
      instance: 'local',
      inspected: false,
      frames: [],
    });

    m.send({ type: 'inspect', connection: c.connectionId });
    expect((await m.next(is('inspecting'))).data).toEqual({
      connection: c.connectionId,
      instance: 'local',
      frames: [],
    });
    c.send({ action: 'ping' });
    await c.next(is('pong'));
    const fin = await m.next(is('frame'));
    expect(fin.data).toMatchObject({
      connection: c.connectionId,
      direction: 'in',
      text: '{"action":"ping"}',
      size: 17,
      truncated: false,
      at: expect.any(Number),
    });
    const fout = await m.next(is('frame'));
    expect(fout.data).toMatchObject({ direction: 'out', text: expect.stringContaining('"pong"') });
    await env.admin.post(`/api/v1/collections/${name}/records`, { title: 'seen' });
    await c.next(event('record.created'));
    const fev = await m.next(is('frame'));
    expect(JSON.parse(fev.data.text)).toMatchObject({ type: 'event', data: { type: 'record.created' } });
    const kept = await env.admin.get(`/api/v1/monitor/connections/${c.connectionId}/frames`);
    expect(kept.body.inspected).toBe(true);
    expect(kept.body.frames.map((f: Frame) => f.direction)).toEqual(['in', 'out', 'out']);

    m.send({ type: 'uninspect' });
    await eventually(
      async () => (await env.admin.get(`/api/v1/monitor/connections/${c.connectionId}/frames`)).body,
      (b) => b.inspected === false,
    );
    c.send({ action: 'ping' });
    await c.next(is('pong'));
    const after = await env.admin.get(`/api/v1/monitor/connections/${c.connectionId}/frames`);
    expect(after.body.frames).toEqual([]);
    expect(m.pending(is('frame'))).toEqual([]);

    m.send({ type: 'inspect', connection: 'nope' });
    expect((await m.next(is('error'))).data).toMatchObject({ code: 'not_found' });
  });

  it("an account's admin cannot inspect another account's connection", async () => {
    const b = await user('admin', 'acct_frames_b');
    const c = await native(env.s.url);
    const m = await watcher(env.s.url, b.token!);
    m.send({ type: 'inspect', connection: c.connectionId });
    expect((await m.next(is('error'))).data).toMatchObject({ code: 'not_found' });
    expect((await b.get(`/api/v1/monitor/connections/${c.connectionId}/frames`)).status).toBe(404);
  });
});

describe('POST /api/v1/monitor/connections/{id}/disconnect', () => {
  it('closes the connection with 4010 and the reason, which the client receives', async () => {
    const c = await native(env.s.url);
    const r = await env.admin.post(`/api/v1/monitor/connections/${c.connectionId}/disconnect`, {
      reason: 'testing the kiosk',
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      connection: c.connectionId,
      instance: 'local',
      code: 4010,
      reason: 'disconnected by an admin: testing the kiosk',
    });
    expect(await c.waitClose()).toEqual({
      code: 4010,
      reason: 'disconnected by an admin: testing the kiosk',
    });
    expect(
      (await env.admin.post(`/api/v1/monitor/connections/${c.connectionId}/disconnect`, {})).status,
    ).toBe(404);
    const ed = await user('editor');
    expect((await ed.post(`/api/v1/monitor/connections/x/disconnect`, {})).status).toBe(403);
  });
});

describe('POST /api/v1/monitor/send', () => {
  it("sends a test record in each subscriber's dialect: to a collection's subscribers, or to one connection", async () => {
    const name = await openCollection(env.admin);
    const nat = await native(env.s.url);
    await subscribed(nat, { collection: name });
    const topics = await open(dialectUrl(env.s.url, '/ws'));
    topics.send({ type: 'subscribe', topics: [name] });
    await waitKeys(env.admin, (k) => k === name, 2);
    const other = await native(env.s.url);

    const all = await env.admin.post('/api/v1/monitor/send', { collection: name, data: { title: 'hello' } });
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.sent).toBe(2);
    expect(all.body.connections.map((c: Frame) => c.dialect).sort()).toEqual(['native', 'topics']);
    const nf = await nat.next(event('record.created'));
    expect(nf.data).toMatchObject({ collection: name, data: { title: 'hello', id: 'monitor-test' } });
    const tf = await topics.next();
    expect(tf).toMatchObject({ topic: name, event: 'ADDED', data: { payload: { title: 'hello' } } });
    expect(other.pending(event())).toEqual([]);

    const one = await env.admin.post('/api/v1/monitor/send', {
      connection: nat.connectionId,
      data: { id: 't1', title: 'just you' },
    });
    expect(one.body).toEqual({
      sent: 1,
      connections: [{ connection: nat.connectionId, instance: 'local', dialect: 'native' }],
    });
    expect((await nat.next(event('record.created'))).data).toMatchObject({
      data: { id: 't1', title: 'just you' },
    });
    const none = await env.admin.post('/api/v1/monitor/send', { connection: other.connectionId, data: {} });
    expect(none.status).toBe(404);
    const bad = await env.admin.post('/api/v1/monitor/send', { data: {} });
    expect(bad.body.error.code).toBe('bad_request');
  });
});
