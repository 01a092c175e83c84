import { afterEach, describe, expect, it } from 'vitest';
import { userClient } from '../helpers/server';
import { closeAll, native, subscribed, type Frame, type WsClient } from '../helpers/ws';
import { useServer } from '../api/support';

const env = useServer();
afterEach(closeAll);

let n = 0;
const user = (account?: string) => userClient(env.admin, `pr-${++n}@test.local`, 'editor', account);
const presenceEvent = (f: Frame) => f.type === 'event' && f.data.type.startsWith('user.');

/** An admin connection subscribed to presence events. */
async function observer(): Promise<WsClient> {
  const c = await native(env.s.url, { token: env.admin.token });
  await subscribed(c, { collection: 'presence' });
  return c;
}

/** The next presence event as [type, user_id]. */
const nextPresence = async (c: WsClient) => {
  const f = await c.next(presenceEvent);
  return [f.data.type, f.data.data.user_id];
};

describe('joined and left', () => {
  it("joined on a user's first authenticated connection, left when the last one closes", async () => {
    const obs = await observer();
    const u = await user();
    const v = await user();

    const first = await native(env.s.url, { token: u.token });
    const joined = await obs.next(presenceEvent);
    expect(joined).toEqual({
      type: 'event',
      data: {
        type: 'user.joined',
        data: {
          user_id: u.userId,
          kind: 'user',
          connection_id: first.connectionId,
          dialect: 'native',
          email: `pr-${n - 1}@test.local`,
        },
        timestamp: expect.any(String),
        actor: u.userId,
      },
      timestamp: joined.data.timestamp,
    });
    expect(joined.data).not.toHaveProperty('seq');

    const anon = await native(env.s.url);
    const second = await native(env.s.url, { auth: u.token });
    // V joining is the marker: had U joined twice, that event would come first.
    const vConn = await native(env.s.url, { token: v.token });
    expect(await nextPresence(obs)).toEqual(['user.joined', v.userId]);

    await first.close();
    await anon.close();
    await vConn.close();
    expect(await nextPresence(obs)).toEqual(['user.left', v.userId]);
    await second.close();
    const left = await obs.next(presenceEvent);
    expect(left.data).toMatchObject({
      type: 'user.left',
      data: { user_id: u.userId, connection_id: second.connectionId },
    });
  });

  it('anonymous connections never join, and do not receive presence events', async () => {
    const anonObs = await native(env.s.url);
    await subscribed(anonObs, { collection: 'presence' });
    const obs = await observer();
    await native(env.s.url);
    const u = await user();
    await native(env.s.url, { token: u.token });
    expect(await nextPresence(obs)).toEqual(['user.joined', u.userId]);
    expect(obs.pending(presenceEvent)).toEqual([]);
    expect(anonObs.frames.filter(presenceEvent)).toEqual([]);
  });

  it('an API key is present as kind "key", without an email', async () => {
    const obs = await observer();
    const key = (await env.admin.post('/api/v1/keys', { name: 'display', role: 'viewer' })).body;
    const k = await native(env.s.url, { token: key.key });
    const j = await obs.next(presenceEvent);
    expect(j.data.data).toMatchObject({ user_id: key.id, kind: 'key', connection_id: k.connectionId });
    expect(j.data.data).not.toHaveProperty('email');
    await k.close();
    expect(await nextPresence(obs)).toEqual(['user.left', key.id]);
  });
});

describe('GET /api/v1/presence', () => {
  it('lists present users of the caller account with their connection count and dialects', async () => {
    const u = await user();
    const b = await user('acct_pr_b');
    const c1 = await native(env.s.url, { token: u.token });
    await native(env.s.url, { bearer: u.token });
    await native(env.s.url, { token: b.token });

    const r = await env.admin.get('/api/v1/presence');
    expect(r.status).toBe(200);
    const mine = r.body.users.find((x: Frame) => x.user_id === u.userId);
    expect(mine).toEqual({
      user_id: u.userId,
      email: expect.stringMatching(/^pr-/),
      kind: 'user',
      account: 'default',
      connections: 2,
      dialects: ['native'],
      since: expect.any(String),
    });
    expect(Date.parse(mine.since)).toBeLessThanOrEqual(Date.now());
    // The superuser sees every account; a user of account B only B.
    expect(r.body.users.map((x: Frame) => x.user_id)).toContain(b.userId);
    const fromB = (await b.get('/api/v1/presence')).body.users.map((x: Frame) => x.user_id);
    expect(fromB).toEqual([b.userId]);
    const fromU = (await u.get('/api/v1/presence')).body.users.map((x: Frame) => x.user_id);
    expect(fromU).toContain(u.userId);
    expect(fromU).not.toContain(b.userId);

    await c1.close();
    const after = (await env.admin.get('/api/v1/presence')).body.users.find(
      (x: Frame) => x.user_id === u.userId,
    );
    expect(after.connections).toBe(1);
  });

  it('anonymous callers see nobody', async () => {
    const u = await user();
    await native(env.s.url, { token: u.token });
    const r = await env.anon.get('/api/v1/presence');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ users: [] });
  });
});

describe('presence state', () => {
  it('sets a state others see as user.state and on GET /presence; refuses one too big', async () => {
    const obs = await observer();
    const u = await user();
    const c = await native(env.s.url, { token: u.token });
    await obs.next(presenceEvent);

    const state = { status: 'editing', page: 'menu' };
    c.send({ action: 'presence', state });
    expect(await c.next()).toEqual({ type: 'presence', data: { state } });
    const ev = await obs.next(presenceEvent);
    expect(ev.data).toMatchObject({
      type: 'user.state',
      data: { user_id: u.userId, connection_id: c.connectionId, state },
    });
    const listed = (await env.admin.get('/api/v1/presence')).body.users.find(
      (x: Frame) => x.user_id === u.userId,
    );
    expect(listed.state).toEqual(state);

    const tooBig = { note: 'x'.repeat(1024) };
    const err = {
      message: 'Presence state must be a JSON object of at most 1024 bytes',
      code: 'invalid_state',
    };
    c.send({ action: 'presence', state: tooBig });
    expect(await c.next()).toEqual({ type: 'error', data: err });
    for (const bad of [[1, 2], 'busy', null]) {
      c.send({ action: 'presence', state: bad });
      expect(await c.next()).toEqual({ type: 'error', data: err });
    }
    c.send({ action: 'presence' });
    expect(await c.next()).toEqual({ type: 'error', data: err });
    // The refused states changed nothing.
    const still = (await env.admin.get('/api/v1/presence')).body.users.find(
      (x: Frame) => x.user_id === u.userId,
    );
    expect(still.state).toEqual(state);
    expect(obs.pending(presenceEvent)).toEqual([]);

    const anon = await native(env.s.url);
    anon.send({ action: 'presence', state: { status: 'lurking' } });
    expect(await anon.next()).toEqual({
      type: 'error',
      data: { message: 'Authenticate before setting presence', code: 'unauthorized' },
    });
  });
});
