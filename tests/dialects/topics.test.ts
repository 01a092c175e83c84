import { afterEach, describe, expect, it } from 'vitest';
import { adminClient, startServer } from '../helpers/server';
import { useServer } from '../api/support';
import {
  bulkUpdate,
  closeAll,
  closeOf,
  collection,
  create,
  dialectCounts,
  ISO,
  open,
  remove,
  update,
  user,
  waitKeys,
  wsUrl,
  type Frame,
  type Ws,
} from './util';

const env = useServer();
afterEach(closeAll);

/** Connects as the document's client does: `/ws?token=`. */
const connect = (token?: string, base = env.s.url) =>
  open(wsUrl(base, token ? `/ws?token=${encodeURIComponent(token)}` : '/ws'));

/** Subscribes (the document has no acknowledgement) and waits until the topics are live. */
async function subscribe(c: Ws, topics: string[]): Promise<void> {
  c.send({ type: 'subscribe', topics });
  for (const t of topics) await waitKeys(env.admin, (k) => k === t);
}

/** The document's event shape for a record event. */
const ev = (topic: string, event: string, record: Frame, actor?: string, account = 'default') => ({
  topic,
  event,
  data: {
    entity_id: record.id,
    payload: record,
    ...(actor ? { user_id: actor } : {}),
    tenant_id: account,
    timestamp: expect.stringMatching(ISO),
  },
  trace_id: expect.stringMatching(/^[0-9a-f]{16}$/),
});

let adminId = '';
const me = async () => (adminId ||= (await env.admin.get('/api/v1/auth/me')).body.user.id);

describe('topics: events', () => {
  it('subscribe ["posts"] -> ADDED / UPDATED / DELETED with entity_id, payload, user_id, tenant_id, trace_id', async () => {
    const name = await collection(env.admin);
    const c = await connect(env.admin.token);
    await subscribe(c, [name]);
    const r = await create(env.admin, name, { title: 'a' });
    const f = await c.next();
    expect(f).toEqual(ev(name, 'ADDED', r, await me()));
    const u = await update(env.admin, name, r.id, { title: 'b' });
    expect(await c.next()).toEqual(ev(name, 'UPDATED', u, await me()));
    await remove(env.admin, name, r.id);
    expect(await c.next()).toEqual(ev(name, 'DELETED', u, await me()));
  });

  it('"posts:ID" carries that record only, with the topic the client subscribed to', async () => {
    const name = await collection(env.admin);
    const r = await create(env.admin, name, { title: 'one' });
    const other = await create(env.admin, name, { title: 'two' });
    const c = await connect(env.admin.token);
    await subscribe(c, [`${name}:${r.id}`]);
    await update(env.admin, name, other.id, { title: 'x' });
    const u = await update(env.admin, name, r.id, { title: 'y' });
    expect(await c.next()).toEqual(ev(`${name}:${r.id}`, 'UPDATED', u, await me()));
    // subscribed to both: one frame per topic
    await subscribe(c, [name]);
    const u2 = await update(env.admin, name, r.id, { title: 'z' });
    const frames = [await c.next(), await c.next()];
    expect(frames.map((f) => f.topic).sort()).toEqual([name, `${name}:${r.id}`].sort());
    for (const f of frames) expect(f.data.payload).toEqual(u2);
  });

  it("bulk writes: one event per record, sharing the write's trace_id", async () => {
    const name = await collection(env.admin);
    const rs = [await create(env.admin, name, { title: '1' }), await create(env.admin, name, { title: '2' })];
    const c = await connect(env.admin.token);
    await subscribe(c, [name]);
    await bulkUpdate(env.admin, name, {}, { status: 'bulk' });
    const fs = [await c.next(), await c.next()];
    expect(fs.map((f) => [f.event, f.data.entity_id, f.data.payload.status])).toEqual(
      rs.map((r) => ['UPDATED', r.id, 'bulk']),
    );
    expect(fs[0]!.trace_id).toBe(fs[1]!.trace_id);
  });

  it('unsubscribe stops a topic; no acknowledgements are sent', async () => {
    const a = await collection(env.admin);
    const b = await collection(env.admin);
    const c = await connect(env.admin.token);
    await subscribe(c, [a, b]);
    c.send({ type: 'unsubscribe', topics: [a] });
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
    await create(env.admin, a, { title: 'gone' });
    const r = await create(env.admin, b, { title: 'still' });
    expect(await c.next()).toEqual(ev(b, 'ADDED', r, await me()));
    expect(c.frames.filter((f) => f.type !== 'pong' && !f.topic)).toEqual([]);
  });
});

describe('topics: authentication', () => {
  it('takes the token as the first message {"type":"auth","token"}', async () => {
    const name = await collection(env.admin, 'auth');
    const c = await connect();
    c.send({ type: 'auth', token: env.admin.token });
    await subscribe(c, [name]);
    const r = await create(env.admin, name, { title: 'a' });
    expect(await c.next()).toEqual(ev(name, 'ADDED', r, await me()));
  });

  it('an anonymous connection reads public topics only', async () => {
    const pub = await collection(env.admin);
    const priv = await collection(env.admin, 'auth');
    const c = await connect();
    c.send({ type: 'subscribe', topics: [priv, pub] });
    expect(await c.next()).toEqual({
      type: 'error',
      message: 'Sign in to do this.',
      code: 'forbidden',
      topic: priv,
    });
    await waitKeys(env.admin, (k) => k === pub);
    const r = await create(env.admin, pub, { title: 'a' });
    expect(await c.next()).toEqual(ev(pub, 'ADDED', r, await me()));
  });

  it('a bad token on the URL closes 1008 "invalid token"; a bad auth message is an error and the socket stays', async () => {
    const bad = await connect('nope');
    expect(await closeOf(bad)).toEqual({ code: 1008, reason: 'invalid token' });
    const c = await connect();
    c.send({ type: 'auth', token: 'nope' });
    expect(await c.next()).toEqual({ type: 'error', message: 'Invalid token', code: 'invalid_token' });
    c.send({ type: 'auth' });
    expect(await c.next()).toEqual({ type: 'error', message: 'Missing token', code: 'invalid_token' });
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
  });

  it('closes 4001 "token expired" when the token expires; labels the connection "topics"', async () => {
    const s = await startServer({ accessTtlS: 2 });
    try {
      const admin = await adminClient(s);
      const c = await connect(admin.token, s.url);
      for (let i = 0; i < 100 && !(await dialectCounts(admin)).topics; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect((await dialectCounts(admin)).topics).toBe(1);
      expect(await closeOf(c)).toEqual({ code: 4001, reason: 'token expired' });
    } finally {
      await s.stop();
    }
  });
});

describe('topics: bad input keeps the socket open', () => {
  it('ping -> pong; errors for JSON, messages, types, topics and collections', async () => {
    const c = await connect(env.admin.token);
    const err = async (msg: unknown, body: Record<string, unknown>) => {
      c.send(msg);
      expect(await c.next()).toEqual({ type: 'error', ...body });
    };
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
    await err('{oops', { message: 'Invalid JSON', code: 'invalid_json' });
    await err(
      { topics: ['x'] },
      { message: 'Invalid message: expected a JSON object with a type', code: 'invalid_message' },
    );
    await err({ type: 'dance' }, { message: 'Unknown message type: dance', code: 'unknown_type' });
    await err(
      { type: 'subscribe', topics: 'posts' },
      { message: "'topics' must be a list of at most 1000 strings", code: 'invalid_topics' },
    );
    await err(
      { type: 'subscribe', topics: ['Bad Topic'] },
      {
        message: "Invalid topic 'Bad Topic': use collection or collection:record_id",
        code: 'invalid_topic',
        topic: 'Bad Topic',
      },
    );
    await err(
      { type: 'subscribe', topics: ['posts:'] },
      {
        message: "Invalid topic 'posts:': use collection or collection:record_id",
        code: 'invalid_topic',
        topic: 'posts:',
      },
    );
    await err(
      { type: 'subscribe', topics: ['nope'] },
      { message: "Collection 'nope' not found", code: 'not_found', topic: 'nope' },
    );
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
  });

  it('over the subscription limit -> an error naming the topic', async () => {
    const s = await startServer({ realtime: { maxSubscriptions: 1 } });
    try {
      const admin = await adminClient(s);
      const name = await collection(admin);
      const c = await connect(admin.token, s.url);
      c.send({ type: 'subscribe', topics: [name, `${name}:x`] });
      expect(await c.next()).toEqual({
        type: 'error',
        message: 'Max subscriptions reached (1)',
        code: 'too_many_subscriptions',
        topic: `${name}:x`,
      });
    } finally {
      await s.stop();
    }
  });
});

describe('topics: rules and accounts', () => {
  it('events never cross accounts, and follow the read rule', async () => {
    const name = await collection(env.admin, { owner: '@user.id' });
    const a = await user(env.admin);
    const other = await user(env.admin, 'editor', 'acme');
    const ca = await connect(a.token);
    const co = await connect(other.token);
    ca.send({ type: 'subscribe', topics: [name] });
    co.send({ type: 'subscribe', topics: [name] });
    await waitKeys(env.admin, (k) => k === name, 2);
    await create(env.admin, name, { title: 'someone', owner: 'someone' });
    await create(other, name, { title: 'acme, owner a', owner: a.userId });
    const mine = await create(a, name, { title: 'a', owner: a.userId });
    expect(await ca.next()).toEqual(ev(name, 'ADDED', mine, a.userId));
    const own = await create(other, name, { title: 'own', owner: other.userId });
    expect(await co.next()).toEqual(ev(name, 'ADDED', own, other.userId, 'acme'));
  });
});
