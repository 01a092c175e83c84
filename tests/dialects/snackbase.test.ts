import { afterEach, describe, expect, it } from 'vitest';
import { adminClient, startServer, type Client } from '../helpers/server';
import { useServer } from '../api/support';
import {
  bulkDelete,
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
  wsUrl,
  type Frame,
  type Ws,
} from './util';

const env = useServer();
afterEach(closeAll);

const PATH = '/api/v1/realtime/ws';

/** Connects as the SnackBase SDK does: `?token=` on the URL. */
const connect = (token: string, base = env.s.url) =>
  open(wsUrl(base, `${PATH}?token=${encodeURIComponent(token)}`));

/** Sends a subscribe and returns the answer (an acknowledgement or an error). */
async function subscribe(c: Ws, body: Record<string, unknown>): Promise<Frame> {
  c.send({ action: 'subscribe', ...body });
  return c.next((f) => f.type === 'subscribed' || 'error' in f);
}

async function subscribed(c: Ws, collection: string, operations?: string[]): Promise<void> {
  const f = await subscribe(c, { collection, ...(operations ? { operations } : {}) });
  expect(f).toEqual({ type: 'subscribed', status: 'subscribed', collection });
}

const ev = (name: string, op: string, data: unknown) => ({
  type: `${name}.${op}`,
  timestamp: expect.stringMatching(ISO),
  data,
});

describe('SnackBase WebSocket: authentication', () => {
  it('accepts, then closes 1008 "Missing token" without a token', async () => {
    const c = await open(wsUrl(env.s.url, PATH));
    expect(await closeOf(c)).toEqual({ code: 1008, reason: 'Missing token' });
  });

  it('accepts, then closes 1008 "Authentication failed" for a bad token', async () => {
    const c = await connect('not-a-token');
    expect(await closeOf(c)).toEqual({ code: 1008, reason: 'Authentication failed' });
  });

  it('takes the token as the raw Sec-WebSocket-Protocol value (and answers with it)', async () => {
    const name = await collection(env.admin);
    const c = await open(wsUrl(env.s.url, PATH), [env.admin.token!]);
    expect(c.ws.protocol).toBe(env.admin.token);
    await subscribed(c, name);
  });

  it('a subscribe sent right after open (as the SDK does on open) waits for the token check', async () => {
    const name = await collection(env.admin, 'auth');
    const c = await connect(env.admin.token!);
    c.send({ action: 'subscribe', collection: name, operations: ['create', 'update', 'delete'] });
    expect(await c.next()).toEqual({ type: 'subscribed', status: 'subscribed', collection: name });
  });

  it('labels the connection "snackbase" in stats and presence', async () => {
    const ed = await user(env.admin);
    await connect(ed.token!);
    const p = await env.admin.get('/api/v1/presence');
    const waitFor = async () => {
      for (let i = 0; i < 100; i++) {
        const users = (await env.admin.get('/api/v1/presence')).body.users as {
          user_id: string;
          dialects: string[];
        }[];
        const me = users.find((u) => u.user_id === ed.userId);
        if (me) return me;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`not present: ${JSON.stringify(p.body)}`);
    };
    expect((await waitFor()).dialects).toEqual(['snackbase']);
    expect((await dialectCounts(env.admin)).snackbase).toBeGreaterThanOrEqual(1);
  });

  it('closes 1008 "Token expired" when the token expires', async () => {
    const s = await startServer({ accessTtlS: 2 });
    try {
      const admin = await adminClient(s);
      const c = await connect(admin.token!, s.url);
      expect(await closeOf(c)).toEqual({ code: 1008, reason: 'Token expired' });
    } finally {
      await s.stop();
    }
  });
});

describe('SnackBase WebSocket: messages', () => {
  it('subscribe -> {type,status:"subscribed",collection}; events {type:"posts.create",timestamp,data}', async () => {
    const name = await collection(env.admin);
    const c = await connect(env.admin.token!);
    await subscribed(c, name);
    const r = await create(env.admin, name, { title: 'a' });
    expect(await c.next()).toEqual(ev(name, 'create', r));
    const u = await update(env.admin, name, r.id, { title: 'b' });
    expect(await c.next()).toEqual(ev(name, 'update', u));
    await remove(env.admin, name, r.id);
    expect(await c.next()).toEqual(ev(name, 'delete', u));
  });

  it('bulk writes send one event per record', async () => {
    const name = await collection(env.admin);
    const c = await connect(env.admin.token!);
    await subscribed(c, name);
    const rs = [];
    for (let i = 0; i < 3; i++) rs.push(await create(env.admin, name, { title: `t${i}`, n: i }));
    for (const r of rs) expect(await c.next()).toEqual(ev(name, 'create', r));
    expect(await bulkUpdate(env.admin, name, {}, { status: 'x' })).toBe(3);
    for (const r of rs)
      expect(await c.next()).toEqual(
        ev(name, 'update', { ...r, status: 'x', updated_at: expect.any(String) }),
      );
    expect(await bulkDelete(env.admin, name, {})).toBe(3);
    for (const r of rs)
      expect(await c.next()).toEqual(ev(name, 'delete', expect.objectContaining({ id: r.id })));
  });

  it('operations filters; subscribing again replaces; omitted or empty means all', async () => {
    const name = await collection(env.admin);
    const c = await connect(env.admin.token!);
    await subscribed(c, name, ['create']);
    const r = await create(env.admin, name, { title: 'a' });
    await update(env.admin, name, r.id, { title: 'b' });
    expect(await c.next()).toEqual(ev(name, 'create', r));
    await subscribed(c, name, ['delete']);
    await create(env.admin, name, { title: 'c' });
    await remove(env.admin, name, r.id);
    expect(await c.next()).toEqual(ev(name, 'delete', expect.objectContaining({ id: r.id })));
    await subscribed(c, name, []);
    const r2 = await create(env.admin, name, { title: 'd' });
    expect(await c.next()).toEqual(ev(name, 'create', r2));
    expect(c.pending()).toEqual([]);
  });

  it('unsubscribe -> {type,status:"unsubscribed",collection} and no more events', async () => {
    const name = await collection(env.admin);
    const other = await collection(env.admin);
    const c = await connect(env.admin.token!);
    await subscribed(c, name);
    await subscribed(c, other);
    c.send({ action: 'unsubscribe', collection: name });
    expect(await c.next()).toEqual({ type: 'unsubscribed', status: 'unsubscribed', collection: name });
    await create(env.admin, name, { title: 'gone' });
    const r = await create(env.admin, other, { title: 'still' });
    expect(await c.next()).toEqual(ev(other, 'create', r));
  });

  it('ping -> pong; errors: Missing collection, Invalid JSON, unknown action and collection, bad operations', async () => {
    const c = await connect(env.admin.token!);
    c.send({ action: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
    c.send({ action: 'subscribe' });
    expect(await c.next()).toEqual({ error: 'Missing collection' });
    c.send({ action: 'unsubscribe' });
    expect(await c.next()).toEqual({ error: 'Missing collection' });
    c.send('{not json');
    expect(await c.next()).toEqual({ error: 'Invalid JSON' });
    c.send('[1]');
    expect(await c.next()).toEqual({ error: 'Invalid message: expected a JSON object with an action' });
    c.send({ action: 'dance' });
    expect(await c.next()).toEqual({ error: 'Unknown action: dance' });
    c.send({ action: 'subscribe', collection: 'nope' });
    expect(await c.next()).toEqual({ error: "Collection 'nope' not found" });
    c.send({ action: 'subscribe', collection: '*' });
    expect((await c.next()).error).toMatch(/^Invalid collection name '\*'/);
    const name = await collection(env.admin);
    c.send({ action: 'subscribe', collection: name, operations: ['create', 'upsert'] });
    expect(await c.next()).toEqual({ error: 'Invalid operations: use a list of create, update, delete' });
    c.send({ action: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
  });

  it('sends {"type":"heartbeat","timestamp"} every pingEveryMs', async () => {
    const s = await startServer({ realtime: { pingEveryMs: 150 } });
    try {
      const admin = await adminClient(s);
      const c = await connect(admin.token!, s.url);
      expect(await c.next()).toEqual({ type: 'heartbeat', timestamp: expect.stringMatching(ISO) });
      expect(await c.next()).toEqual({ type: 'heartbeat', timestamp: expect.stringMatching(ISO) });
    } finally {
      await s.stop();
    }
  });

  it('over the limit -> {"error":"Max subscriptions reached (N)"}; replacing one does not count', async () => {
    const s = await startServer({ realtime: { maxSubscriptions: 2 } });
    try {
      const admin = await adminClient(s);
      const names = [await collection(admin), await collection(admin), await collection(admin)];
      const c = await connect(admin.token!, s.url);
      await subscribed(c, names[0]!);
      await subscribed(c, names[1]!);
      expect(await subscribe(c, { collection: names[2] })).toEqual({
        error: 'Max subscriptions reached (2)',
      });
      await subscribed(c, names[1]!, ['create']);
    } finally {
      await s.stop();
    }
  });
});

describe('SnackBase WebSocket: rules and accounts', () => {
  it('events never cross accounts, and follow the read rule', async () => {
    const name = await collection(env.admin, { owner: '@user.id' });
    const a = await user(env.admin);
    const other = await user(env.admin, 'editor', 'acme');
    const ca = await connect(a.token!);
    const co = await connect(other.token!);
    await subscribed(ca, name);
    await subscribed(co, name);
    await create(env.admin, name, { title: "not a's", owner: 'someone' });
    await create(other, name, { title: 'acme, owner a', owner: a.userId });
    const mine = await create(a, name, { title: 'a', owner: a.userId });
    expect(await ca.next()).toEqual(ev(name, 'create', mine));
    const own = await create(other, name, { title: 'own', owner: other.userId });
    expect(await co.next()).toEqual(ev(name, 'create', own));
  });

  it('a collection the caller may not read -> an error', async () => {
    const name = await collection(env.admin, 'admin');
    const viewer: Client = await user(env.admin, 'viewer');
    const c = await connect(viewer.token!);
    expect(await subscribe(c, { collection: name })).toEqual({ error: `Only admins may view in '${name}'.` });
  });
});
