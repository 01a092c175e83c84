import { afterEach, describe, expect, it } from 'vitest';
import { userClient } from '../helpers/server';
import { closeAll, event, native, openWs, subscribe, subscribed, wsUrl } from '../helpers/ws';
import { createCollection, createRecord, lastSeq, uniq, useServer } from '../api/support';

const env = useServer();
afterEach(closeAll);

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A collection with the given read rule; anyone signed in may write. */
async function collection(view = 'public'): Promise<string> {
  const name = uniq('n');
  await createCollection(env.admin, {
    name,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'n', type: 'number' },
    ],
    rules: { list: view, view, create: 'auth', update: 'auth', delete: 'auth' },
  });
  return name;
}

let users = 0;
const editor = () => userClient(env.admin, `np-ed-${++users}@test.local`, 'editor');

describe('connecting and authenticating', () => {
  it('greets every connection with connected {connection_id, server_time}', async () => {
    const c = await openWs(wsUrl(env.s.url, '/api/v1/ws/realtime'));
    const f = await c.next();
    expect(f).toEqual({
      type: 'connected',
      data: { connection_id: expect.any(String), server_time: expect.stringMatching(ISO) },
    });
    expect(Math.abs(Date.parse(f.data.server_time) - Date.now())).toBeLessThan(5000);
    const other = await native(env.s.url);
    expect(other.connectionId).not.toBe(f.data.connection_id);
  });

  it('auth action: a good token -> authenticated; a bad one -> error and the socket stays open', async () => {
    const c = await native(env.s.url);
    c.send({ action: 'auth', token: 'not-a-token' });
    expect(await c.next()).toEqual({
      type: 'error',
      data: { message: 'Invalid or expired token', code: 'invalid_token' },
    });
    c.send({ action: 'auth' });
    expect(await c.next()).toEqual({
      type: 'error',
      data: { message: 'Invalid or expired token', code: 'invalid_token' },
    });
    c.send({ action: 'Auth', token: env.admin.token });
    const me = (await env.admin.get('/api/v1/auth/me')).body.user;
    expect(await c.next()).toEqual({ type: 'authenticated', data: { user_id: me.id, email: me.email } });
    c.send({ action: 'ping' });
    expect((await c.next()).type).toBe('pong');
  });

  it('takes the token on the URL and as Authorization: Bearer', async () => {
    const ed = await editor();
    const byUrl = await openWs(wsUrl(env.s.url, '/api/v1/ws/realtime', ed.token));
    expect((await byUrl.next()).type).toBe('connected');
    expect(await byUrl.next()).toEqual({
      type: 'authenticated',
      data: { user_id: ed.userId, email: expect.stringMatching(/^np-ed-/) },
    });
    const byHeader = await native(env.s.url, { bearer: ed.token });
    expect(byHeader.frames[1]).toEqual({
      type: 'authenticated',
      data: { user_id: ed.userId, email: expect.any(String) },
    });
  });

  it('closes with 4001 "invalid token" when the URL token is bad', async () => {
    const c = await openWs(wsUrl(env.s.url, '/api/v1/ws/realtime', 'garbage.token.here'));
    expect((await c.next()).type).toBe('connected');
    expect(await c.waitClose()).toEqual({ code: 4001, reason: 'invalid token' });
    const bearer = await openWs(wsUrl(env.s.url, '/api/v1/ws/realtime'), {
      headers: { authorization: 'Bearer sbk_nope' },
    });
    expect(await bearer.waitClose()).toEqual({ code: 4001, reason: 'invalid token' });
  });

  it('accepts an API key wherever a token goes, and the key sees what its role may', async () => {
    const name = await collection('auth');
    const key = (await env.admin.post('/api/v1/keys', { name: 'kiosk', role: 'viewer' })).body;
    const c = await native(env.s.url, { token: key.key });
    expect(c.frames[1]).toEqual({ type: 'authenticated', data: { user_id: key.id, email: null } });
    const byAction = await native(env.s.url, { auth: key.key });
    expect(byAction.frames.at(-1)!.data.user_id).toBe(key.id);
    await subscribed(c, { collection: name });
    const r = await createRecord(env.admin, name, { title: 'for the kiosk' });
    expect((await c.next(event('record.created'))).data.record_id).toBe(r.id);
  });
});

describe('actions', () => {
  it('ping -> pong (action is case-insensitive); pong gets no reply', async () => {
    const c = await native(env.s.url);
    c.send({ action: 'PING' });
    expect(await c.next()).toEqual({ type: 'pong', timestamp: expect.stringMatching(ISO) });
    c.send({ action: 'pong' });
    c.send({ action: 'ping' });
    expect((await c.next()).type).toBe('pong');
    expect(c.pending()).toEqual([]);
  });

  it('answers unknown actions and bad JSON with an error and keeps the socket open', async () => {
    const c = await native(env.s.url);
    c.send({ action: 'dance' });
    expect(await c.next()).toEqual({
      type: 'error',
      data: { message: 'Unknown action: dance', code: 'unknown_action' },
    });
    c.send({ hello: 1 });
    expect(await c.next()).toEqual({
      type: 'error',
      data: { message: 'Unknown action: ', code: 'unknown_action' },
    });
    c.send('{"action": "subscribe", ');
    expect(await c.next()).toEqual({
      type: 'error',
      data: { message: 'Invalid JSON format', code: 'invalid_json' },
    });
    c.send('[1,2]');
    expect(await c.next()).toEqual({
      type: 'error',
      data: { message: 'Invalid message: expected a JSON object with an action', code: 'invalid_message' },
    });
    c.send({ action: 'ping' });
    expect((await c.next()).type).toBe('pong');
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });
});

describe('subscribe and unsubscribe', () => {
  it('acknowledges with {collection, filter, last_seq}, and unsubscribe stops delivery', async () => {
    const a = await collection();
    const b = await collection();
    const c = await native(env.s.url);
    const seq = await lastSeq(env.admin);
    expect(await subscribe(c, { collection: a })).toEqual({
      type: 'subscribed',
      data: { collection: a, filter: null, last_seq: seq },
    });
    const filter = { n: { $gt: 1 } };
    expect(await subscribe(c, { collection: b, filter })).toEqual({
      type: 'subscribed',
      data: { collection: b, filter, last_seq: seq },
    });
    const r1 = await createRecord(env.admin, a, { title: 'one' });
    expect((await c.next(event())).data).toMatchObject({
      type: 'record.created',
      collection: a,
      record_id: r1.id,
    });

    c.send({ action: 'unsubscribe', collection: a });
    expect(await c.next()).toEqual({ type: 'unsubscribed', data: { collection: a } });
    await createRecord(env.admin, a, { title: 'unseen' });
    const marker = await createRecord(env.admin, b, { title: 'marker', n: 5 });
    expect((await c.next(event())).data.record_id).toBe(marker.id);
    expect(c.pending(event())).toEqual([]);

    c.send({ action: 'unsubscribe' });
    expect(await c.next()).toEqual({
      type: 'error',
      data: { message: 'Missing collection', code: 'invalid_collection' },
    });
  });

  it('"*" delivers every collection, collection.* events to admins only, and presence', async () => {
    const a = await collection();
    const b = await collection();
    const admin = await native(env.s.url, { token: env.admin.token });
    const ed = await editor();
    const other = await native(env.s.url, { token: ed.token });
    await subscribed(admin, { collection: '*' });
    await subscribed(other, { collection: '*' });

    const created = await collection();
    const adminSaw = await admin.next(event('collection.created'));
    expect(adminSaw.data).toMatchObject({ type: 'collection.created', collection: created });
    const ra = await createRecord(env.admin, a, { title: 'a' });
    const rb = await createRecord(ed, b, { title: 'b' });
    for (const c of [admin, other]) {
      expect((await c.next(event('record.created', a))).data.record_id).toBe(ra.id);
      expect((await c.next(event('record.created', b))).data.record_id).toBe(rb.id);
    }
    expect(other.pending(event('collection.created'))).toEqual([]);
    expect(other.frames.some((f) => f.type === 'event' && f.data.type.startsWith('collection.'))).toBe(false);

    const joiner = await editor();
    await native(env.s.url, { token: joiner.token });
    for (const c of [admin, other]) {
      const j = await c.next(event('user.joined'));
      expect(j.data).toMatchObject({
        type: 'user.joined',
        data: { user_id: joiner.userId, kind: 'user', dialect: 'native' },
      });
    }
  });

  it('names the bad part of an invalid filter, and rejects bad names, events, select and since', async () => {
    const name = await collection();
    const c = await native(env.s.url);
    const err = async (body: Record<string, unknown>) => (await subscribe(c, body)).data;
    expect(await err({ collection: name, filter: { nope: 1 } })).toEqual({
      message: "Invalid filter: filter.nope: unknown field 'nope'",
      code: 'invalid_filter',
      collection: name,
    });
    expect((await err({ collection: name, filter: { n: { $gt: 'x' } } })).message).toMatch(
      /^Invalid filter: filter\.n\.\$gt: /,
    );
    expect((await err({ collection: name, filter: { $or: [{ title: 'a' }, { bad: 1 }] } })).message).toBe(
      "Invalid filter: filter.$or[1].bad: unknown field 'bad'",
    );
    expect(await err({ collection: name, filter: '{not json' })).toEqual({
      message: 'Invalid filter: filter: invalid JSON',
      code: 'invalid_filter',
      collection: name,
    });
    expect(await err({ collection: '*', filter: { n: 1 } })).toEqual({
      message: "A filter needs a single collection, not '*'",
      code: 'invalid_filter',
      collection: '*',
    });
    expect(await err({})).toEqual({ message: 'Missing collection', code: 'invalid_collection' });
    expect((await err({ collection: 'Bad-Name' })).code).toBe('invalid_collection');
    expect((await err({ collection: name, events: ['record.exploded'] })).code).toBe('invalid_events');
    expect((await err({ collection: name, select: ['nope'] })).code).toBe('invalid_select');
    expect((await err({ collection: name, since: -1 })).code).toBe('invalid_since');
    c.send({ action: 'ping' });
    expect((await c.next()).type).toBe('pong');
  });

  it('answers an unknown collection with not_found', async () => {
    const c = await native(env.s.url, { token: env.admin.token });
    expect(await subscribe(c, { collection: 'no_such_thing' })).toEqual({
      type: 'error',
      data: {
        message: "Collection 'no_such_thing' not found",
        code: 'not_found',
        collection: 'no_such_thing',
      },
    });
  });

  it('refuses a collection the subscriber may not read with code forbidden', async () => {
    const adminOnly = await collection('admin');
    const authOnly = await collection('auth');
    const ed = await editor();
    const c = await native(env.s.url, { token: ed.token });
    expect(await subscribe(c, { collection: adminOnly })).toEqual({
      type: 'error',
      data: { message: `Only admins may view in '${adminOnly}'.`, code: 'forbidden', collection: adminOnly },
    });
    const anon = await native(env.s.url);
    expect(await subscribe(anon, { collection: authOnly })).toEqual({
      type: 'error',
      data: { message: 'Sign in to do this.', code: 'forbidden', collection: authOnly },
    });
    // Nothing leaks afterwards either.
    await createRecord(env.admin, adminOnly, { title: 'secret' });
    const open = await collection();
    await subscribed(c, { collection: open });
    const marker = await createRecord(env.admin, open, { title: 'marker' });
    expect((await c.next(event())).data.record_id).toBe(marker.id);
    expect(c.pending(event())).toEqual([]);
  });
});
