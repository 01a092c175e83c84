import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createClient,
  type ClientEvent,
  type ClientOptions,
  type SwitchboardClient,
} from '../../src/shared/client';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  adminClient,
  startServer,
  userClient,
  type TestServer,
} from '../helpers/server';
import { createCollection, eventsSince, lastSeq, uniq } from '../api/support';

const servers: TestServer[] = [];
const clients: SwitchboardClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
});

async function server(overrides: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer(overrides);
  servers.push(s);
  return s;
}

function sdk(url: string | (() => string), opts: Partial<ClientOptions> = {}): SwitchboardClient {
  const c = createClient({ url, WebSocket, backoff: { initialMs: 50, maxMs: 500 }, ...opts });
  clients.push(c);
  return c;
}

/** A collection anyone may read and any signed-in user may write. */
async function collection(s: TestServer): Promise<string> {
  const name = uniq('p');
  await createCollection(await adminClient(s), {
    name,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'n', type: 'number' },
      { name: 'live', type: 'bool' },
    ],
    rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
  });
  return name;
}

async function until(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SDK against the real server (WebSocket)', () => {
  it('logs in, writes through records(), and receives created/updated/deleted live', async () => {
    const s = await server();
    const name = await collection(s);
    const writer = sdk(s.url);
    const login = await writer.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(login.token_type).toBe('bearer');
    expect(writer.user?.email).toBe(ADMIN_EMAIL);

    const reader = sdk(s.url);
    const all: ClientEvent[] = [];
    const liveOnly: ClientEvent[] = [];
    await reader.subscribe(name, {}, (e) => all.push(e)).ready;
    await reader.subscribe(name, { filter: { live: true }, select: ['title'] }, (e) => liveOnly.push(e))
      .ready;
    expect(reader.state).toMatchObject({ status: 'open', transport: 'websocket' });

    const posts = writer.records(name);
    const a = await posts.create({ title: 'A', n: 1, live: false });
    await posts.update(a.id, { live: true });
    await posts.update(a.id, { n: 2 });
    await posts.update(a.id, { live: false });
    await posts.delete(a.id);
    await until(() => all.length === 5);
    expect(all.map((e) => e.type)).toEqual([
      'record.created',
      'record.updated',
      'record.updated',
      'record.updated',
      'record.deleted',
    ]);
    expect(all.every((e) => e.collection === name && e.record_id === a.id)).toBe(true);
    const seqs = all.map((e) => e.seq!);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    await until(() => liveOnly.length === 3);
    expect(liveOnly.map((e) => e.match)).toEqual(['enter', 'stay', 'leave']);
    expect(liveOnly[0]!.data).toEqual({ id: a.id, title: 'A' });

    const page = await posts.list({ filter: { n: 2 } });
    expect(page).toMatchObject({ items: [], total_items: 0 });
    await expect(posts.get(a.id)).rejects.toMatchObject({ name: 'ApiError', status: 404, code: 'not_found' });
  });

  it('reconnects after a server restart on the same data dir and resumes: nothing lost, nothing duplicated', async () => {
    let s = await server();
    const port = Number(new URL(s.url).port);
    const name = await collection(s);
    // note: while `paused`, the SDK is pointed at a closed port, so the writes below surely happen
    // while it is away and must come back through `since`.
    let paused = false;
    const reader = sdk(() => (paused ? 'http://127.0.0.1:1' : s.url));
    const got: ClientEvent[] = [];
    await reader.subscribe(name, {}, (e) => got.push(e)).ready;
    const before = await lastSeq(await adminClient(s));

    let admin = await adminClient(s);
    const write = async (i: number) => {
      const r = await admin.post(`/api/v1/collections/${name}/records`, { title: `t${i}`, n: i });
      expect(r.status).toBe(201);
    };
    for (let i = 0; i < 20; i++) await write(i);
    await until(() => got.length === 20);

    const states: string[] = [];
    reader.onState((st) => states.push(st.status));
    paused = true;
    await s.stop({ keepData: true });
    servers.splice(servers.indexOf(s), 1);
    await until(() => reader.state.status === 'reconnecting');
    s = await server({ dataDir: s.dataDir, port });
    admin = await adminClient(s);
    for (let i = 20; i < 40; i++) await write(i);
    expect(got).toHaveLength(20);
    paused = false;
    await until(() => reader.state.status === 'open');
    for (let i = 40; i < 60; i++) await write(i);
    await until(() => got.length >= 60);
    await new Promise((r) => setTimeout(r, 200));

    const logged = (await eventsSince(admin, before, name)).map((e) => e.seq as number);
    expect(logged).toHaveLength(60);
    expect(got.map((e) => e.seq)).toEqual(logged);
    expect(got.map((e) => e.data?.n)).toEqual([...Array(60).keys()]);
    expect(states).toContain('reconnecting');
  }, 30_000);

  it('asks getToken again when the token expires (4001) and resumes with the fresh one', async () => {
    const s = await server({ accessTtlS: 2 });
    const name = await collection(s);
    const tokens: string[] = [];
    const getToken = async () => {
      const r = await fetch(`${s.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
      });
      const t = ((await r.json()) as { access_token: string }).access_token;
      tokens.push(t);
      return t;
    };
    const reader = sdk(s.url, { getToken });
    const errors: (string | undefined)[] = [];
    reader.onState((st) => errors.push(st.error?.code));
    const got: ClientEvent[] = [];
    await reader.subscribe(name, {}, (e) => got.push(e)).ready;
    const write = async (n: number) => {
      // note: a fresh admin session each time: its token lives 2 s too.
      const r = await (await adminClient(s)).post(`/api/v1/collections/${name}/records`, { n });
      expect(r.status).toBe(201);
    };
    await write(1);
    await until(() => errors.includes('token_expired'), 5000, 'the expiry close');
    await write(2);
    await until(() => got.length === 2 && reader.state.status === 'open');
    expect(got.map((e) => e.data?.n)).toEqual([1, 2]);
    expect(new Set(tokens).size).toBeGreaterThanOrEqual(2);
  }, 15_000);

  it('reports a refused subscription through ready and onError', async () => {
    const s = await server();
    const reader = sdk(s.url);
    const errors: unknown[] = [];
    reader.onError((e) => errors.push(e));
    const off = reader.subscribe('nope', {}, () => {});
    await expect(off.ready).rejects.toMatchObject({ code: 'not_found', collection: 'nope' });
    expect(errors).toEqual([
      { code: 'not_found', message: "Collection 'nope' not found", collection: 'nope' },
    ]);
    const name = await collection(s);
    const bad = reader.subscribe(name, { filter: { missing: 1 } }, () => {});
    await expect(bad.ready).rejects.toMatchObject({ code: 'invalid_filter', collection: name });
    // Dropping a refused subscription sends no unsubscribe (the server would answer not_subscribed).
    off();
    bad();
    const live = reader.subscribe(name, {}, () => {});
    await live.ready;
    expect(errors.map((e) => (e as { code: string }).code)).toEqual(['not_found', 'invalid_filter']);
  });
});

describe('SDK presence against the real server', () => {
  it('sets presence state and sees others join, change state and leave', async () => {
    const s = await server();
    const admin = await adminClient(s);
    const editor = await userClient(admin, 'ed@test.local', 'editor');
    const watcher = sdk(s.url, { token: admin.token });
    const seen: ClientEvent[] = [];
    await watcher.subscribe('presence', {}, (e) => seen.push(e)).ready;
    const other = sdk(s.url, { token: editor.token });
    other.presence({ page: 'home' });
    await until(() => seen.some((e) => e.type === 'user.state'));
    expect(seen.find((e) => e.type === 'user.joined')?.data).toMatchObject({ user_id: editor.userId });
    expect(seen.find((e) => e.type === 'user.state')?.data).toMatchObject({ state: { page: 'home' } });
    other.close();
    await until(() => seen.some((e) => e.type === 'user.left'));
    expect(seen.every((e) => e.seq === undefined)).toBe(true);
  });
});

describe('SDK against the real server (polling fallback)', () => {
  it('polls GET /api/v1/events when there is no WebSocket, filtering locally', async () => {
    const s = await server();
    const name = await collection(s);
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined();
    const reader = createClient({ url: s.url, pollIntervalMs: 50 });
    clients.push(reader);
    expect(reader.state.transport).toBe('polling');
    await reader.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const all: ClientEvent[] = [];
    const big: ClientEvent[] = [];
    await reader.subscribe(name, {}, (e) => all.push(e)).ready;
    await reader.subscribe(
      name,
      { filter: { n: { $gte: 10 } }, events: ['record.created', 'record.updated'] },
      (e) => big.push(e),
    ).ready;
    expect(reader.state.status).toBe('polling');
    const posts = reader.records(name);
    const a = await posts.create({ title: 'a', n: 5 });
    await posts.create({ title: 'b', n: 50 });
    await posts.update(a.id, { n: 11 });
    await posts.delete(a.id);
    await until(() => all.length === 4);
    await until(() => big.length === 2);
    expect(big.map((e) => [e.type, e.match])).toEqual([
      ['record.created', 'enter'],
      ['record.updated', 'enter'],
    ]);
    const logged = await eventsSince(await adminClient(s), 0, name);
    const records = logged.filter((e) => e.type.startsWith('record.')).map((e) => e.seq as number);
    expect(all.map((e) => e.seq)).toEqual(records);
  });
});
