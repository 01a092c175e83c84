import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Principal } from '../../src/main/auth/principal';
import { ClusterPresence, type ConnInfo } from '../../src/main/cluster/cluster-presence';
import { REMOVE, scriptKeys } from '../../src/main/cluster/presence-scripts';
import { membershipKeys } from '../../src/main/cluster/membership-keys';
import { Registry } from '../../src/main/cluster/registry';
import type { LiveEvent } from '../../src/main/realtime/types';
import { startRedis, type TestRedis } from '../helpers/redis';
import { FAST_BACKOFF, eventually, inspector, logSink } from './fixtures';

// Short timings: a dead instance's users leave within DEAD_MS + a reap tick + a refresh.
const REFRESH_MS = 100;
const DEAD_MS = 600;
const REAP_MS = 100;

let redis: TestRedis;
let ins: Awaited<ReturnType<typeof inspector>>;
const cleanups: (() => unknown)[] = [];
let prefixNo = 0;
let connNo = 0;

beforeAll(async () => {
  redis = await startRedis();
  ins = await inspector(redis.url);
});
afterAll(async () => {
  ins.close();
  await redis.cleanup();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Who = ConnInfo['principal'];
const user = (id: string, account = 'default', email?: string): Who => ({
  kind: 'user',
  id,
  account,
  ...(email ? { email } : {}),
});
const viewer = (account: string, superuser = false): Principal => ({
  kind: 'user',
  id: `viewer-${account}`,
  role: 'admin',
  account,
  superuser,
  collections: null,
});

/** One "instance": a registry and a cluster presence with the same id, recording its events. */
function instance(c: ReturnType<typeof cluster>, id: string, backoff = FAST_BACKOFF) {
  const events: LiveEvent[] = [];
  const registry = new Registry({
    url: c.url,
    id,
    role: 'edge',
    address: `http://${id}.test`,
    load: () => ({ connections: presence.status().connections, events_per_s: 0 }),
    prefix: c.prefix,
    refreshMs: REFRESH_MS,
    deadAfterMs: DEAD_MS,
    backoff,
    onLog: c.logs.onLog,
  });
  const presence: ClusterPresence = new ClusterPresence({
    registry,
    onEvent: (ev) => void events.push(ev),
    reapEveryMs: REAP_MS,
    blockMs: 1000,
    backoff,
    onLog: c.logs.onLog,
  });
  const inst = {
    id,
    registry,
    presence,
    events,
    async start() {
      await registry.start();
      await presence.start();
    },
    /** A crash: timers and connections stop, nothing is deregistered. */
    async kill() {
      await presence.stop({ deregister: false });
      await registry.stop({ deregister: false });
    },
    async stop() {
      await presence.stop();
      await registry.stop();
    },
    /** Authenticates a new connection here; returns its id. */
    join(who: Who, dialect = 'native', state?: Record<string, unknown>): string {
      const connectionId = `c${++connNo}`;
      presence.connectionJoined({ connectionId, principal: who, dialect, connectedAt: Date.now(), state });
      return connectionId;
    },
    leave: (connectionId: string) => presence.connectionLeft({ connectionId }),
    /** Events of one type about one user. */
    of: (type: string, userId: string) => events.filter((e) => e.type === type && e.actor === userId),
    /** The users this instance's subscribers were told are present. */
    told(): string[] {
      const present = new Set<string>();
      for (const e of events) {
        if (e.type === 'user.joined') {
          expect(present.has(e.actor!), `${id}: joined twice for ${e.actor}`).toBe(false);
          present.add(e.actor!);
        } else if (e.type === 'user.left') {
          expect(present.has(e.actor!), `${id}: left without joined for ${e.actor}`).toBe(true);
          present.delete(e.actor!);
        }
      }
      return [...present].sort();
    },
  };
  cleanups.push(() => inst.stop());
  return inst;
}

/** A fresh cluster (its own key prefix). */
function cluster(url = redis.url) {
  const prefix = `presence-test-${++prefixNo}`;
  return { url, prefix, keys: membershipKeys(prefix), logs: logSink() };
}

type Inst = ReturnType<typeof instance>;

/** Waits until every instance got `n` events of `type` about `userId`. */
function seen(all: Inst[], type: string, userId: string, n = 1, ms = 3000) {
  return eventually(
    async () => all.map((i) => i.of(type, userId).length),
    (counts) => counts.every((k) => k >= n),
    ms,
  );
}

let markerNo = 0;
/**
 * Everything published before this is delivered everywhere once every instance has seen a
 * marker user join and leave (the stream is one ordered log).
 */
async function flush(all: Inst[]) {
  const marker = `marker-${++markerNo}`;
  const cid = all[0]!.join(user(marker));
  await seen(all, 'user.joined', marker);
  all[0]!.leave(cid);
  await seen(all, 'user.left', marker);
}

describe('cluster presence', () => {
  test('one user on two instances: one closes, no user.left; both close, one user.left everywhere', async () => {
    const c = cluster();
    const [a, b, x] = [instance(c, 'a'), instance(c, 'b'), instance(c, 'x')];
    const all = [a, b, x];
    for (const i of all) await i.start();

    const onA = a.join(user('u1'));
    const onB = b.join(user('u1'), 'snackbase');
    await seen(all, 'user.joined', 'u1');
    expect((await x.presence.list(viewer('default')))[0]).toMatchObject({ user_id: 'u1', connections: 2 });

    a.leave(onA);
    await flush(all);
    for (const i of all) {
      expect(i.of('user.joined', 'u1')).toHaveLength(1);
      expect(i.of('user.left', 'u1')).toHaveLength(0);
    }
    expect((await x.presence.list(viewer('default')))[0]).toMatchObject({
      user_id: 'u1',
      connections: 1,
      dialects: ['snackbase'],
    });

    b.leave(onB);
    await seen(all, 'user.left', 'u1');
    await flush(all);
    for (const i of all) expect(i.of('user.left', 'u1')).toHaveLength(1);
    // The event is the local Presence's shape, for hub.fanout.
    expect(x.of('user.left', 'u1')[0]).toEqual({
      type: 'user.left',
      account: 'default',
      actor: 'u1',
      data: { user_id: 'u1', kind: 'user', connection_id: onB, dialect: 'snackbase' },
      timestamp: expect.any(String),
    });
    expect(await x.presence.list(viewer('default', true))).toEqual([]);
    expect(await ins.client.hGetAll(c.keys.users)).toEqual({});
  });

  test('user.state propagates; list() is the cluster’s users, scoped by account', async () => {
    const c = cluster();
    const [a, b, x] = [instance(c, 'a'), instance(c, 'b'), instance(c, 'x')];
    const all = [a, b, x];
    for (const i of all) await i.start();

    const t0 = Date.now();
    a.join(user('u1', 'acme', 'u1@acme.test'));
    await new Promise((r) => setTimeout(r, 5));
    const u1b = b.join(user('u1', 'acme', 'u1@acme.test'), 'fastschema');
    b.join(user('u2', 'other'), 'topics', { status: 'away' });
    a.join({ kind: 'key', id: 'k1', account: 'acme' }, 'snackbase');
    await seen(all, 'user.joined', 'k1');
    await seen(all, 'user.joined', 'u2');

    b.presence.stateChanged({ connectionId: u1b, state: { status: 'busy' } });
    await seen(all, 'user.state', 'u1');
    expect(a.of('user.state', 'u1')[0]).toMatchObject({
      account: 'acme',
      data: { user_id: 'u1', connection_id: u1b, dialect: 'fastschema', state: { status: 'busy' } },
    });

    const acme = await x.presence.list(viewer('acme'));
    expect(acme).toEqual([
      {
        user_id: 'u1',
        email: 'u1@acme.test',
        kind: 'user',
        account: 'acme',
        connections: 2,
        dialects: ['native', 'fastschema'],
        since: expect.any(String),
        state: { status: 'busy' },
      },
      {
        user_id: 'k1',
        kind: 'key',
        account: 'acme',
        connections: 1,
        dialects: ['snackbase'],
        since: expect.any(String),
      },
    ]);
    expect(Date.parse(acme[0]!.since)).toBeGreaterThanOrEqual(t0);
    expect(Date.parse(acme[0]!.since)).toBeLessThan(Date.parse(acme[1]!.since) + 1);
    expect(await x.presence.list(viewer('other'))).toEqual([
      expect.objectContaining({ user_id: 'u2', state: { status: 'away' } }),
    ]);
    expect((await a.presence.list(viewer('acme', true))).map((u) => u.user_id).sort()).toEqual([
      'k1',
      'u1',
      'u2',
    ]);
    expect(await a.presence.list(null)).toEqual([]);
    expect(await b.presence.size()).toBe(3);
  });

  test('a dead instance’s users leave within the timeout, exactly once with two reapers', async () => {
    const c = cluster();
    const [a, b, x] = [instance(c, 'a'), instance(c, 'b'), instance(c, 'x')];
    const all = [a, b, x];
    for (const i of all) await i.start();
    a.join(user('only-a'));
    a.join(user('only-a'));
    a.join(user('both'));
    b.join(user('both'));
    await seen(all, 'user.joined', 'only-a');
    await seen(all, 'user.joined', 'both');
    // Reapers wait a full timeout after connecting (everyone's heartbeat is stale after an outage).
    await new Promise((r) => setTimeout(r, DEAD_MS));

    const died = Date.now();
    await a.kill();
    const survivors = [b, x];
    await seen(survivors, 'user.left', 'only-a', 1, DEAD_MS + 3000);
    const took = Date.now() - died;
    expect(took).toBeGreaterThanOrEqual(DEAD_MS - REFRESH_MS - 50);
    expect(took).toBeLessThan(DEAD_MS + REFRESH_MS + REAP_MS + 700);

    await flush(survivors);
    for (const i of survivors) {
      expect(i.of('user.left', 'only-a')).toHaveLength(1);
      expect(i.of('user.left', 'both')).toHaveLength(0);
    }
    expect(b.presence.status().reaped + x.presence.status().reaped).toBe(1);
    expect(c.logs.entries.filter((e) => e.code === 'presence_reaped')).toHaveLength(1);
    expect(await ins.client.hGetAll(c.keys.users)).toEqual({ 'user:both': '1' });
    expect((await ins.client.sMembers(c.keys.members)).sort()).toEqual(['b', 'x']);
    expect(await ins.client.exists(`${c.keys.connsPrefix}a`)).toBe(0);

    // Reaping again (a third racer, later) finds nothing to do.
    const again = await ins.client.eval(REMOVE, {
      keys: scriptKeys(c.keys),
      arguments: [c.keys.connsPrefix, 'late-reaper', '100', 'dead', String(DEAD_MS)],
    });
    expect(again).toEqual([]);
    expect(await x.presence.list(viewer('default'))).toEqual([
      expect.objectContaining({ user_id: 'both', connections: 1 }),
    ]);
  });

  test('stop() takes this instance’s connections out at once', async () => {
    const c = cluster();
    const [a, b] = [instance(c, 'a'), instance(c, 'b')];
    await a.start();
    await b.start();
    a.join(user('u'));
    a.join(user('shared'));
    b.join(user('shared'));
    await seen([b], 'user.joined', 'u');
    const stopped = Date.now();
    await a.stop();
    await seen([b], 'user.left', 'u', 1, DEAD_MS);
    expect(Date.now() - stopped).toBeLessThan(DEAD_MS);
    await flush([b]);
    expect(b.of('user.left', 'shared')).toHaveLength(0);
    expect(b.presence.status().reaped).toBe(0);
    expect(await ins.client.hGetAll(c.keys.users)).toEqual({ 'user:shared': '1' });
  });

  test('an instance taken for dead while alive re-registers its connections', async () => {
    const c = cluster();
    const [a, b] = [instance(c, 'a'), instance(c, 'b')];
    await a.start();
    await b.start();
    a.join(user('u'));
    a.join(user('u'));
    await seen([a, b], 'user.joined', 'u');
    // As if a's heartbeat had lapsed and another instance reaped it, in one step.
    await ins.client
      .multi()
      .zRem(c.keys.heartbeats, 'a')
      .eval(REMOVE, {
        keys: scriptKeys(c.keys),
        arguments: [c.keys.connsPrefix, 'b', '100', 'dead', String(DEAD_MS)],
      })
      .exec();
    await seen([a, b], 'user.joined', 'u', 2);
    expect(a.presence.status().resyncs).toBeGreaterThanOrEqual(1);
    expect(c.logs.codes()).toContain('presence_resync');
    expect(await ins.client.hGetAll(c.keys.users)).toEqual({ 'user:u': '2' });
    for (const i of [a, b]) expect(i.told()).toEqual(['u']);
  });

  test.each([
    ['loses its data', false],
    ['keeps its data (AOF)', true],
  ])(
    'Redis restarted (%s): local presence meanwhile, right counts after re-registration',
    async (_name, aof) => {
      const own = await startRedis({ aof });
      cleanups.push(() => own.cleanup());
      const look = await inspector(own.url);
      cleanups.push(() => look.close());
      const c = cluster(own.url);
      // a is slower to come back: b reads the cluster before a has re-registered.
      const [a, b] = [instance(c, 'a', { baseMs: 400, maxMs: 400 }), instance(c, 'b')];
      await a.start();
      await b.start();
      a.join(user('u'));
      const xOnA = a.join(user('x'));
      const uOnB = b.join(user('u'));
      const wOnB = b.join(user('w'));
      await seen([a, b], 'user.joined', 'w');
      await seen([a, b], 'user.joined', 'x');

      await own.stop();
      await eventually(
        async () => [a, b].map((i) => i.presence.status().connected),
        (up) => !up.some(Boolean),
      );
      // Away: each instance's own connections still count here, and a new user is seen at once.
      a.leave(xOnA);
      a.join(user('y'), 'topics');
      b.leave(uOnB);
      b.leave(wOnB);
      expect(a.of('user.joined', 'y')).toHaveLength(1);
      expect(b.of('user.joined', 'y')).toHaveLength(0);
      // A user who comes and goes while Redis is away is seen coming and going here only.
      a.leave(a.join(user('z')));
      expect(a.of('user.joined', 'z')).toHaveLength(1);
      expect(a.of('user.left', 'z')).toHaveLength(1);
      expect((await a.presence.list(viewer('default'))).map((u) => u.user_id).sort()).toEqual(['u', 'y']);
      expect(await b.presence.list(viewer('default'))).toEqual([]);

      await own.start();
      await eventually(
        () => look.client.hGetAll(c.keys.users),
        (users) => JSON.stringify(users) === JSON.stringify({ 'user:u': '1', 'user:y': '1' }),
      );
      // x and w left while Redis was away; after a data loss they leave once the grace has passed.
      for (const i of [a, b])
        await eventually(
          async () => i.told(),
          (t) => t.join() === 'u,y',
          DEAD_MS + 3000,
        );
      expect((await b.presence.list(viewer('default'))).map((u) => u.user_id).sort()).toEqual(['u', 'y']);
      expect(await b.presence.size()).toBe(2);
      for (const i of [a, b]) {
        expect(i.of('user.joined', 'y')).toHaveLength(1);
        expect(i.of('user.left', 'x')).toHaveLength(1);
        expect(i.of('user.left', 'w')).toHaveLength(1);
        expect(i.of('user.joined', 'u')).toHaveLength(1);
      }
      expect(b.of('user.joined', 'z')).toHaveLength(0);

      // And from here on, exactly once as usual.
      const last = a.presence.status().connections;
      expect(last).toBe(2);
      await a.presence.stop();
      await seen([b], 'user.left', 'u');
      await seen([b], 'user.left', 'y');
      expect(b.told()).toEqual([]);
      expect(await b.presence.list(viewer('default'))).toEqual([]);
    },
  );
});
