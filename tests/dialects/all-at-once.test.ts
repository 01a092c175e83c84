import { afterEach, describe, expect, it } from 'vitest';
import { createCollection, uniq, useServer } from '../api/support';
import { closeAll, native, openWs, sse, subscribed, wsUrl } from '../helpers/ws';

const env = useServer();
afterEach(closeAll);

describe('every dialect at once', () => {
  it('one write reaches a subscriber of each of the five dialects, each in its own format', async () => {
    const name = uniq('venue');
    await createCollection(env.admin, {
      name,
      fields: [{ name: 'title', type: 'text' }],
      rules: { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' },
    });
    const token = env.admin.token!;
    const base = env.s.url;

    const nativeWs = await native(base, { token });
    await subscribed(nativeWs, { collection: name });
    const fastschema = await openWs(wsUrl(base, `/api/realtime/content?schema=${name}&event=create`), {
      headers: { authorization: `Bearer ${token}` },
    });
    const snackbase = await openWs(wsUrl(base, '/api/v1/realtime/ws', token));
    snackbase.send({ action: 'subscribe', collection: name, operations: ['create'] });
    await snackbase.next((f) => f.type === 'subscribed');
    const topics = await openWs(wsUrl(base, '/ws', token));
    topics.send({ type: 'subscribe', topics: [name] });
    const nativeSse = await sse(`${base}/api/v1/sse/realtime?collection=${name}&token=${token}`);
    expect(nativeSse.status).toBe(200);
    const snackSse = await sse(`${base}/api/v1/realtime/subscribe?collection=${name}&token=${token}`);
    expect(snackSse.status).toBe(200);
    // Every subscription is registered before the write (FastSchema and topics send no ack).
    await expect
      .poll(async () => (await env.admin.get('/api/v1/stats')).body.subscriptions_by_collection[name])
      .toBe(6);

    const w = await env.admin.post(`/api/v1/collections/${name}/records`, { title: 'Doors open' });
    expect(w.status).toBe(201);
    const id = w.body.id as string;
    const record = { id, title: 'Doors open', created_at: w.body.created_at, updated_at: w.body.updated_at };
    const seq = (await env.admin.get(`/api/v1/events?collection=${name}`)).body.last_seq as number;

    const n = await nativeWs.next((f) => f.type === 'event');
    expect(n.data).toMatchObject({
      type: 'record.created',
      collection: name,
      record_id: id,
      data: record,
      seq,
    });

    expect(await fastschema.next()).toEqual({ event: 'create', data: record });

    const sb = await snackbase.next((f) => f.type === `${name}.create`);
    expect(sb).toEqual({ type: `${name}.create`, timestamp: expect.any(String), data: record });

    const t = await topics.next((f) => f.event !== undefined);
    expect(t).toMatchObject({
      topic: name,
      event: 'ADDED',
      data: { entity_id: id, payload: record, user_id: expect.any(String), tenant_id: 'default' },
      trace_id: w.headers.get('x-trace-id'),
    });

    const s1 = await nativeSse.next((f) => f.event === 'record.created');
    expect(s1).toMatchObject({
      id: String(seq),
      data: { type: 'record.created', record_id: id, data: record },
    });

    const s2 = await snackSse.next((f) => f.event === 'message');
    expect(s2).toMatchObject({ id: String(seq), data: { type: `${name}.create`, data: record } });

    const stats = (await env.admin.get('/api/v1/stats')).body;
    expect(stats.connections_by_dialect).toMatchObject({
      native: 1,
      fastschema: 1,
      snackbase: 1,
      topics: 1,
      sse: 1,
      'snackbase-sse': 1,
    });
    nativeSse.close();
    snackSse.close();
  });
});
