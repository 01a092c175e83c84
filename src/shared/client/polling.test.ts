import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient, type ClientOptions, type FetchLike, type SwitchboardClient } from './index';
import { collect, RetainedLog, until } from './test-log';

// ---- an in-memory server behind an injected fetch: the event log (`GET /api/v1/events`, with
// 410 resume_gap) and one collection schema, as the real server answers them.

class MemoryServer extends RetainedLog {
  /** When true, every request fails as if the network were down. */
  down = false;
  /** Tokens accepted; any other bearer gets 401. */
  tokens = new Set(['t1']);
  requests: { url: URL; auth: string | undefined }[] = [];
  readonly url = 'http://sb.test:8000';

  fetch: FetchLike = async (input, init) => {
    if (this.down) throw new TypeError('fetch failed');
    const url = new URL(input);
    const auth = (init?.headers as Record<string, string> | undefined)?.authorization?.replace(
      /^Bearer /,
      '',
    );
    this.requests.push({ url, auth });
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
    if (auth && !this.tokens.has(auth))
      return json(401, { error: { code: 'unauthorized', message: 'bad token' } });
    if (url.pathname === '/api/v1/collections/posts') {
      if (!auth) return json(401, { error: { code: 'unauthorized', message: 'Sign in first' } });
      return json(200, {
        name: 'posts',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'published', type: 'date' },
        ],
      });
    }
    if (url.pathname !== '/api/v1/events') return json(404, { error: { code: 'not_found', message: 'no' } });
    const since = Number(url.searchParams.get('since'));
    const limit = Number(url.searchParams.get('limit'));
    const collection = url.searchParams.get('collection');
    if (since > 0 && since < this.trimmedTo) {
      const details = { oldest_seq: this.trimmedTo + 1, last_seq: this.lastSeq };
      return json(410, { error: { code: 'resume_gap', message: 'too old', details } });
    }
    const scanned = this.log.filter((e) => e.seq > since).slice(0, limit);
    return json(200, {
      events: scanned.filter((e) => !collection || e.collection === collection),
      next_since: scanned.at(-1)?.seq ?? since,
      last_seq: this.lastSeq,
    });
  };
}

let server: MemoryServer;
const clients: SwitchboardClient[] = [];

function client(opts: Partial<ClientOptions> = {}): SwitchboardClient {
  const c = createClient({
    url: server.url,
    fetch: server.fetch,
    pollIntervalMs: 20,
    backoff: { initialMs: 10, maxMs: 50 },
    ...opts,
  });
  clients.push(c);
  return c;
}

beforeEach(() => {
  server = new MemoryServer();
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

describe('polling transport', () => {
  it('is chosen when there is no WebSocket and starts from the current last seq', async () => {
    expect(typeof (globalThis as { WebSocket?: unknown }).WebSocket).toBe('undefined');
    server.emit('posts', 'record.created', { id: 'before' });
    const c = client();
    expect(c.state.transport).toBe('polling');
    const got = collect(c, 'posts');
    await until(() => c.state.status === 'polling');
    server.emit('posts', 'record.created', { id: 'a' });
    server.emit('tags', 'record.created', { id: 't' });
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ seq: 2, record_id: 'a', type: 'record.created' });
    expect(server.requests.some((r) => r.url.searchParams.get('collection') === 'posts')).toBe(true);
  });

  it('applies collection, events, id, filter (with match) and select locally', async () => {
    const c = client();
    const created = collect(c, 'posts', { events: ['record.created'] });
    const one = collect(c, 'posts', { id: 'b' });
    const titled = collect(c, 'posts', { filter: { title: 'x' }, select: ['title'] });
    const star = collect(c, '*');
    await until(() => c.state.status === 'polling');
    server.emit('posts', 'record.created', { id: 'a', title: 'y', body: 1 });
    server.emit('posts', 'record.updated', { id: 'a', title: 'x', body: 2 }, { id: 'a', title: 'y' });
    server.emit('posts', 'record.created', { id: 'b', title: 'x' });
    server.emit('posts', 'record.deleted', { id: 'a', title: 'x' });
    server.emit('tags', 'record.created', { id: 't' });
    await until(() => star.length === 5);
    expect(created.map((e) => e.record_id)).toEqual(['a', 'b']);
    expect(one.map((e) => e.seq)).toEqual([3]);
    expect(titled.map((e) => [e.seq, e.match, e.data])).toEqual([
      [2, 'enter', { id: 'a', title: 'x' }],
      [3, 'enter', { id: 'b', title: 'x' }],
      [4, 'leave', { id: 'a', title: 'x' }],
    ]);
  });

  it('uses the schema when a token can read it (date fields compare as dates)', async () => {
    const c = client({ token: 't1' });
    const got = collect(c, 'posts', { filter: { published: { $gte: '2024-01-01' } } });
    await until(() => c.state.status === 'polling');
    server.emit('posts', 'record.created', { id: 'old', published: '2023-12-31T23:00:00.000Z' });
    server.emit('posts', 'record.created', { id: 'new', published: '2024-01-01T00:00:00.000Z' });
    await until(() => got.length === 1);
    expect(got[0]!.record_id).toBe('new');
    expect(
      server.requests.some((r) => r.url.pathname === '/api/v1/collections/posts' && r.auth === 't1'),
    ).toBe(true);
  });

  it('pages through a backlog without waiting and never repeats a seq', async () => {
    const c = client({ pollIntervalMs: 10_000 });
    const got = collect(c, 'posts');
    await until(() => c.state.status === 'polling');
    for (let i = 0; i < 1200; i++) server.emit('posts', 'record.created', { id: `r${i}` });
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toHaveLength(0);
    // a new subscription wakes the poller; it then pages without waiting for the interval
    c.subscribe('tags', {}, () => {});
    await until(() => got.length === 1200, 2000);
    expect(new Set(got.map((e) => e.seq)).size).toBe(1200);
  });

  it('reports a gap (410) and continues from the last seq', async () => {
    const c = client();
    const gaps: unknown[] = [];
    c.onGap((g) => gaps.push(g));
    const got = collect(c, 'posts');
    await until(() => c.state.status === 'polling');
    server.emit('posts', 'record.created', { id: 'a' });
    await until(() => got.length === 1);
    server.down = true;
    await until(() => c.state.status === 'reconnecting');
    expect(c.state.error).toMatchObject({ code: 'network' });
    for (let i = 0; i < 3; i++) server.emit('posts', 'record.created', { id: `x${i}` });
    server.trim(3);
    server.down = false;
    await until(() => gaps.length === 1);
    expect(gaps[0]).toEqual({ oldest_seq: 4, last_seq: 4 });
    server.emit('posts', 'record.created', { id: 'b' });
    await until(() => got.length === 2);
    expect(got.map((e) => e.seq)).toEqual([1, 5]);
  });

  it('stops with the error on 401 when no new token comes', async () => {
    const c = client({ token: 'revoked' });
    collect(c, 'posts');
    await until(() => c.state.status === 'closed');
    expect(c.state.error).toEqual({ code: 'unauthorized', message: 'bad token' });
    c.setToken('t1');
    await until(() => c.state.status === 'polling');
  });

  it('reports presence as unsupported', async () => {
    const c = client();
    const errors: string[] = [];
    c.onError((e) => errors.push(e.code));
    c.presence({ here: true });
    expect(errors).toEqual(['unsupported']);
  });
});
