import { afterEach, describe, expect, it } from 'vitest';
import { userClient } from '../helpers/server';
import { closeAll, event, eventually, is, native, subscribed, type Frame } from '../helpers/ws';
import { useServer } from '../api/support';
import { openCollection, watcher } from './support';

const env = useServer();
afterEach(closeAll);

let n = 0;
const user = (role: 'admin' | 'editor', account?: string) =>
  userClient(env.admin, `mon-stats-${++n}@test.local`, role, account);

/** Every counter tuple for connection `id` in the `connection.stats` frames received so far. */
const statsOf = (frames: Frame[], id: string): Frame[] =>
  frames
    .filter((f) => f.type === 'connection.stats')
    .flatMap((f) => f.data.connections as Frame[])
    .filter((c) => c.id === id);

describe('monitor feed: connection.stats', () => {
  it("a connection's counters arrive in a stats delta after it sends and receives", async () => {
    const name = await openCollection(env.admin);
    const m = await watcher(env.s.url, env.admin.token!);
    const c = await native(env.s.url, { token: env.admin.token });
    const opened = await m.next((f) => f.type === 'connection.opened' && f.data.id === c.connectionId);
    expect(opened.data).toMatchObject({
      bytes_in: expect.any(Number),
      bytes_out: expect.any(Number),
      buffered: expect.any(Number),
      last_seen: expect.any(Number),
    });
    await subscribed(c, { collection: name });
    const r = await env.admin.post(`/api/v1/collections/${name}/records`, { title: 'a' });
    expect(r.status).toBe(201);
    await c.next(event('record.created'));
    const before = Date.now();
    c.send({ action: 'ping' });
    await c.next(is('pong'));

    const last = await eventually(
      async () => statsOf(m.frames, c.connectionId).at(-1),
      (s) => !!s && s.messages_in >= 2 && s.messages_out >= 3,
      5000,
    );
    expect(last).toEqual({
      id: c.connectionId,
      messages_in: expect.any(Number),
      messages_out: expect.any(Number),
      bytes_in: expect.any(Number),
      bytes_out: expect.any(Number),
      buffered: expect.any(Number),
      last_seen: expect.any(Number),
    });
    // The subscribe and the ping in; connected, authenticated, subscribed, the event and the pong out.
    expect(last!.bytes_in).toBeGreaterThan(JSON.stringify({ action: 'ping' }).length);
    expect(last!.bytes_out).toBeGreaterThan(JSON.stringify(r.body).length);
    expect(last!.last_seen).toBeGreaterThanOrEqual(before - 5);
    // The snapshot and the REST list agree with the delta once nothing moves.
    const list = await env.admin.get('/api/v1/monitor/connections');
    const row = list.body.connections.find((x: Frame) => x.id === c.connectionId);
    expect(row).toMatchObject({ bytes_in: last!.bytes_in, bytes_out: last!.bytes_out });

    // Only what changed: an idle connection is not sent again.
    const count = statsOf(m.frames, c.connectionId).length;
    await m.next(is('tick'));
    await m.next(is('tick'));
    expect(statsOf(m.frames, c.connectionId)).toHaveLength(count);
  }, 20_000);

  it("an account's admin only sees its account's connections' counters", async () => {
    const name = await openCollection(env.admin);
    const bAdmin = await user('admin', 'acct_stats_b');
    const bEditor = await user('editor', 'acct_stats_b');
    const mine = await native(env.s.url, { token: bEditor.token });
    const other = await native(env.s.url, { token: env.admin.token });
    const super_ = await watcher(env.s.url, env.admin.token!);
    const scoped = await watcher(env.s.url, bAdmin.token!);
    for (const c of [mine, other]) {
      c.send({ action: 'ping' });
      await c.next(is('pong'));
    }
    await subscribed(other, { collection: name });
    await eventually(
      async () => [
        statsOf(scoped.frames, mine.connectionId).length,
        statsOf(super_.frames, other.connectionId).length,
      ],
      ([a, b]) => (a ?? 0) > 0 && (b ?? 0) > 0,
      5000,
    );
    await super_.next(is('tick'));
    expect(statsOf(super_.frames, mine.connectionId).length).toBeGreaterThan(0);
    expect(statsOf(scoped.frames, other.connectionId)).toEqual([]);
    for (const f of scoped.frames.filter((x) => x.type === 'connection.stats'))
      for (const c of f.data.connections as Frame[]) expect(c.id).not.toBe(other.connectionId);
  }, 20_000);
});
