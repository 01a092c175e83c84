import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, type ClientOptions, type ConnectionState, type SwitchboardClient } from './index';
import { collect, RetainedLog, until, type LoggedEvent } from './test-log';

// ---- a tiny stand-in for the native realtime endpoint: a retained event log with seqs, `subscribe`
// with `since` replay and `resume_gap`, ping/pong, presence, and knobs to misbehave.

interface FakeSub {
  collection: string;
  filter?: Record<string, unknown>;
  events?: string[];
  id?: string;
  since?: number;
}

interface FakeConn {
  ws: WebSocket;
  url: URL;
  subs: Map<string, FakeSub>;
  received: Record<string, unknown>[];
  index: number;
}

/** A simple "plain values are $eq" matcher: enough for the fake; the SDK's own matching is tested elsewhere. */
function matches(sub: FakeSub, e: LoggedEvent): boolean {
  if (sub.collection !== '*' && sub.collection !== e.collection) return false;
  if (sub.events && !sub.events.includes(e.type)) return false;
  if (sub.id && sub.id !== e.record_id) return false;
  if (sub.filter) return Object.entries(sub.filter).every(([k, v]) => e.data[k] === v);
  return true;
}

class FakeServer extends RetainedLog {
  conns = new Set<FakeConn>();
  /** Every connection ever made, in order, with its time. */
  attempts: { at: number; url: URL }[] = [];
  /** Every message any client sent, with the index of its connection in `attempts`. */
  messages: { conn: number; msg: Record<string, unknown> }[] = [];
  /** Called on each connection before the `connected` frame; return false to skip the default greeting. */
  onConnect: (conn: FakeConn) => boolean | void = () => {};
  /** Replays this many already-seen events before the requested ones (a sloppy server; the SDK must dedupe). */
  replayOverlap = 0;
  /** Send every live event twice. */
  duplicateLive = false;
  /** Delays the replay of a resumed subscription (other subscriptions stay live meanwhile, as in the hub). */
  replayDelayMs = 0;
  /** Collections whose subscription is refused with this error code. */
  refuse = new Map<string, string>();
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<void> {
    const wss = new WebSocketServer({ noServer: true });
    const http = createServer((_req, res) => res.writeHead(404).end());
    http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname !== '/api/v1/ws/realtime') return socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, url));
    });
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
    this.port = (http.address() as AddressInfo).port;
    this.http = http;
    this.wss = wss;
  }

  /** Stops listening and kills every connection (code 1006 on the client). */
  async stop(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
    this.wss?.close();
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    this.http = undefined;
  }

  private accept(ws: WebSocket, url: URL): void {
    const conn: FakeConn = { ws, url, subs: new Map(), received: [], index: this.attempts.length };
    this.attempts.push({ at: Date.now(), url });
    this.conns.add(conn);
    ws.on('close', () => this.conns.delete(conn));
    ws.on('message', (raw) => this.onMessage(conn, JSON.parse(String(raw))));
    if (this.onConnect(conn) === false) return;
    this.send(conn, {
      type: 'connected',
      data: { connection_id: `c${this.attempts.length}`, server_time: new Date().toISOString() },
    });
  }

  send(conn: FakeConn, frame: unknown): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(frame));
  }

  private onMessage(conn: FakeConn, msg: Record<string, unknown>): void {
    conn.received.push(msg);
    this.messages.push({ conn: conn.index, msg });
    if (msg.action === 'ping') this.send(conn, { type: 'pong' });
    if (msg.action === 'unsubscribe') {
      conn.subs.delete(msg.collection as string);
      this.send(conn, { type: 'unsubscribed', data: { collection: msg.collection } });
    }
    if (msg.action !== 'subscribe') return;
    const sub = msg as unknown as FakeSub;
    const refused = this.refuse.get(sub.collection);
    if (refused)
      return this.send(conn, {
        type: 'error',
        data: { code: refused, message: 'no', collection: sub.collection },
      });
    if (sub.since !== undefined && sub.since < this.trimmedTo) {
      const data = {
        code: 'resume_gap',
        message: 'too old',
        collection: sub.collection,
        oldest_seq: this.trimmedTo + 1,
        last_seq: this.lastSeq,
      };
      return this.send(conn, { type: 'error', data });
    }
    conn.subs.set(sub.collection, sub);
    this.send(conn, {
      type: 'subscribed',
      data: { collection: sub.collection, filter: sub.filter ?? null, last_seq: this.lastSeq },
    });
    if (sub.since === undefined) return;
    const from = Math.max(0, sub.since - this.replayOverlap);
    const replay = () => {
      for (const e of this.log) if (e.seq > from && matches(sub, e)) this.send(conn, this.frame(e));
    };
    if (this.replayDelayMs) setTimeout(replay, this.replayDelayMs);
    else replay();
  }

  private frame(e: LoggedEvent): unknown {
    const { account: _a, ...data } = e;
    return { type: 'event', data, timestamp: e.timestamp };
  }

  /** Commits an event and fans it out to every matching subscription (one frame per connection). */
  override emit(
    collection: string,
    type: string,
    data: Record<string, unknown>,
    previous?: Record<string, unknown>,
  ): LoggedEvent {
    const e = super.emit(collection, type, data, previous);
    for (const c of this.conns) {
      if (![...c.subs.values()].some((s) => matches(s, e))) continue;
      this.send(c, this.frame(e));
      if (this.duplicateLive) this.send(c, this.frame(e));
    }
    return e;
  }

  /** Every message clients sent with this action, on any connection (or the given one). */
  sent(action: string, conn?: number): Record<string, unknown>[] {
    return this.messages
      .filter((m) => m.msg.action === action && (conn === undefined || m.conn === conn))
      .map((m) => m.msg);
  }
}

// ---- the tests

let server: FakeServer;
const clients: SwitchboardClient[] = [];

function client(opts: Partial<ClientOptions> = {}): SwitchboardClient {
  const c = createClient({
    url: () => server.url,
    WebSocket,
    backoff: { initialMs: 20, maxMs: 100 },
    ...opts,
  });
  clients.push(c);
  return c;
}

beforeEach(async () => {
  server = new FakeServer();
  await server.start();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  vi.restoreAllMocks();
  await server.stop();
});

describe('websocket transport', () => {
  it('connects lazily, subscribes with the options and delivers events', async () => {
    const c = client();
    const states: string[] = [];
    c.onState((s) => states.push(s.status));
    expect(states).toEqual(['idle']);
    const got = collect(c, 'posts', {
      filter: { status: 'live' },
      events: ['record.created'],
      select: ['title'],
    });
    await until(() => server.sent('subscribe').length === 1);
    expect(server.sent('subscribe')[0]).toEqual({
      action: 'subscribe',
      collection: 'posts',
      filter: { status: 'live' },
      events: ['record.created'],
      select: ['title'],
    });
    server.emit('posts', 'record.created', { id: 'a', status: 'live', title: 'A' });
    server.emit('posts', 'record.created', { id: 'b', status: 'draft', title: 'B' });
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ type: 'record.created', collection: 'posts', record_id: 'a', seq: 1 });
    expect(states).toEqual(['idle', 'connecting', 'open']);
    expect(c.state).toMatchObject({ status: 'open', transport: 'websocket', attempt: 0 });
  });

  it('answers the server ping with pong', async () => {
    const c = client();
    collect(c);
    await until(() => server.conns.size === 1);
    server.send([...server.conns][0]!, { type: 'ping', timestamp: new Date().toISOString() });
    await until(() => server.sent('pong').length === 1);
  });

  it('never delivers the same seq twice to a handler', async () => {
    server.duplicateLive = true;
    const c = client();
    const got = collect(c);
    await until(() => server.sent('subscribe').length === 1);
    server.emit('posts', 'record.created', { id: 'a' });
    server.emit('posts', 'record.updated', { id: 'a', n: 1 }, { id: 'a' });
    await until(() => got.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(got.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('reconnects after a drop and resumes from the last seq: nothing lost, nothing duplicated', async () => {
    server.replayOverlap = 2;
    const c = client();
    const got = collect(c);
    const states: ConnectionState[] = [];
    c.onState((s) => states.push(s));
    await until(() => server.sent('subscribe').length === 1);
    for (let i = 0; i < 3; i++) server.emit('posts', 'record.created', { id: `r${i}` });
    await until(() => got.length === 3);
    await server.stop();
    for (let i = 3; i < 6; i++) server.emit('posts', 'record.created', { id: `r${i}` });
    await until(() => c.state.status === 'reconnecting');
    expect(c.state.error).toMatchObject({ code: 'network', closeCode: 1006 });
    await server.start();
    await until(() => got.length === 6);
    server.emit('posts', 'record.created', { id: 'r6' });
    await until(() => got.length === 7);
    expect(got.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(server.sent('subscribe').at(-1)).toEqual({ action: 'subscribe', collection: 'posts', since: 3 });
    expect(c.state.status).toBe('open');
    expect(c.state.error).toBeUndefined();
    expect(states.map((s) => s.status)).toContain('reconnecting');
  });

  it('resumes from the subscription ack when no event has arrived yet', async () => {
    server.emit('posts', 'record.created', { id: 'old' });
    const c = client();
    const got = collect(c);
    await until(() => server.sent('subscribe').length === 1);
    await new Promise((r) => setTimeout(r, 30));
    for (const conn of server.conns) conn.ws.close(1013, 'slow consumer');
    server.emit('posts', 'record.created', { id: 'missed' });
    await until(() => server.sent('subscribe').length === 2);
    expect(server.sent('subscribe')[1]).toEqual({ action: 'subscribe', collection: 'posts', since: 1 });
    await until(() => got.length === 1);
    expect(got[0]!.record_id).toBe('missed');
  });

  it("does not move a resuming subscription's cursor with other subscriptions' live events", async () => {
    const c = client();
    const posts = collect(c, 'posts');
    const tags = collect(c, 'tags');
    await until(() => server.sent('subscribe').length === 2);
    server.emit('posts', 'record.created', { id: 'p1' });
    server.emit('tags', 'record.created', { id: 't2' });
    await until(() => posts.length === 1 && tags.length === 1);
    await server.stop();
    server.emit('posts', 'record.created', { id: 'p3' });
    server.replayDelayMs = 300;
    await server.start();
    await until(() => server.sent('subscribe').length === 4);
    expect(server.sent('subscribe').slice(2)).toEqual([
      { action: 'subscribe', collection: 'posts', since: 2 },
      { action: 'subscribe', collection: 'tags', since: 2 },
    ]);
    await new Promise((r) => setTimeout(r, 20));
    // posts' replay of p3 is still pending while tags is live
    server.replayDelayMs = 0;
    server.emit('tags', 'record.created', { id: 't4' });
    await until(() => tags.length === 2);
    for (const conn of server.conns) conn.ws.terminate();
    await until(() => server.sent('subscribe').length === 6);
    expect(server.sent('subscribe')[4]).toEqual({ action: 'subscribe', collection: 'posts', since: 2 });
    await until(() => posts.length === 2);
    expect(posts.map((e) => e.seq)).toEqual([1, 3]);
  });

  it('backs off exponentially with full jitter while the server refuses', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    server.onConnect = (conn) => {
      conn.ws.close(1013, 'too many connections');
      return false;
    };
    const c = client({ backoff: { initialMs: 40, maxMs: 200 } });
    const states: ConnectionState[] = [];
    c.onState((s) => states.push(s));
    collect(c);
    await until(() => server.attempts.length >= 6, 5000);
    const gaps = server.attempts.slice(1, 6).map((a, i) => a.at - server.attempts[i]!.at);
    const caps = [40, 80, 160, 200, 200];
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(caps[i]! * 0.9));
    expect(gaps[2]!).toBeGreaterThan(gaps[0]! * 2);
    const retrying = states.filter((s) => s.status === 'reconnecting');
    expect(retrying[0]).toMatchObject({ attempt: 1, error: { code: 'try_again_later', closeCode: 1013 } });
    expect(retrying.at(-1)!.attempt).toBeGreaterThanOrEqual(5);
  });

  it('stops on an expired token without getToken, and surfaces it', async () => {
    server.onConnect = (conn) => {
      conn.ws.close(4001, 'token expired');
      return false;
    };
    const c = client({ token: 'old' });
    collect(c);
    await until(() => c.state.status === 'closed');
    expect(c.state.error).toEqual({ code: 'token_expired', message: 'token expired', closeCode: 4001 });
    await new Promise((r) => setTimeout(r, 200));
    expect(server.attempts).toHaveLength(1);
    expect(server.attempts[0]!.url.searchParams.get('token')).toBe('old');
    server.onConnect = () => {};
    c.setToken('new');
    await until(() => c.state.status === 'open');
    expect(server.attempts.at(-1)!.url.searchParams.get('token')).toBe('new');
  });

  it('asks getToken for a fresh token after 4001 and reconnects with it', async () => {
    server.onConnect = (conn) => {
      if (conn.url.searchParams.get('token') !== 'fresh') {
        conn.ws.close(4001, 'invalid token');
        return false;
      }
    };
    const tokens = ['stale', 'fresh'];
    const getToken = vi.fn(() => tokens.shift() ?? 'fresh');
    const c = client({ getToken });
    collect(c);
    await until(() => server.attempts.length === 2 && c.state.status === 'open');
    expect(server.attempts.map((a) => a.url.searchParams.get('token'))).toEqual(['stale', 'fresh']);
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  it('retries with backoff when getToken throws', async () => {
    let calls = 0;
    const getToken = () => {
      if (++calls < 3) throw new Error('offline');
      return 'ok';
    };
    const c = client({ getToken });
    const errors: (string | undefined)[] = [];
    c.onState((st) => errors.push(st.error?.code));
    collect(c);
    await until(() => c.state.status === 'open');
    expect(errors).toContain('token_error');
    expect(server.attempts.map((a) => a.url.searchParams.get('token'))).toEqual(['ok']);
  });

  it('gives up when getToken returns the rejected token again', async () => {
    server.onConnect = (conn) => {
      conn.ws.close(4001, 'invalid token');
      return false;
    };
    const c = client({ getToken: () => 'same' });
    collect(c);
    await until(() => c.state.status === 'closed');
    expect(c.state.error).toMatchObject({ code: 'invalid_token' });
    expect(server.attempts).toHaveLength(1);
  });

  it('reports resume_gap and subscribes afresh', async () => {
    const c = client();
    const gaps: unknown[] = [];
    c.onGap((g) => gaps.push(g));
    const got = collect(c);
    await until(() => server.sent('subscribe').length === 1);
    server.emit('posts', 'record.created', { id: 'a' });
    await until(() => got.length === 1);
    await server.stop();
    for (let i = 0; i < 5; i++) server.emit('posts', 'record.created', { id: `x${i}` });
    server.trim(4);
    await server.start();
    await until(() => gaps.length === 1);
    expect(gaps[0]).toEqual({ collection: 'posts', oldest_seq: 5, last_seq: 6 });
    await until(() => server.sent('subscribe').length === 3);
    expect(server.sent('subscribe').slice(1)).toEqual([
      { action: 'subscribe', collection: 'posts', since: 1 },
      { action: 'subscribe', collection: 'posts' },
    ]);
    server.emit('posts', 'record.created', { id: 'b' });
    await until(() => got.length === 2);
    expect(got.map((e) => e.seq)).toEqual([1, 7]);
  });

  it('replaces a silent connection after idleTimeoutMs', async () => {
    server.onConnect = () => false;
    const c = client({ idleTimeoutMs: 150 });
    const errors: unknown[] = [];
    c.onState((s) => errors.push(s.error?.code));
    collect(c);
    await until(() => server.attempts.length === 2, 3000);
    expect(errors).toContain('timeout');
  });

  it('sends presence on open and again after a reconnect', async () => {
    const c = client();
    c.presence({ page: 'home' });
    await until(() => server.sent('presence').length === 1);
    expect(server.sent('presence')[0]).toEqual({ action: 'presence', state: { page: 'home' } });
    for (const conn of server.conns) conn.ws.terminate();
    await until(() => server.sent('presence').length === 2);
  });

  it('unsubscribes with the last handler and closes for good', async () => {
    const c = client();
    const off = c.subscribe('posts', {}, () => {});
    await until(() => server.sent('subscribe').length === 1);
    off();
    await until(() => server.sent('unsubscribe').length === 1);
    c.close();
    expect(c.state.status).toBe('closed');
    await until(() => server.conns.size === 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.attempts).toHaveLength(1);
    expect(() => c.subscribe('posts', {}, () => {})).toThrow('client is closed');
  });
});

describe('ready', () => {
  it('resolves when the server confirms, also for a second handler on a confirmed subscription', async () => {
    const c = client();
    const first = c.subscribe('posts', {}, () => {});
    await first.ready;
    expect(server.sent('subscribe')).toHaveLength(1);
    const second = c.subscribe('posts', {}, () => {});
    await second.ready;
    expect(server.sent('subscribe')).toHaveLength(1);
  });

  it('rejects with the server error when the subscription is refused', async () => {
    server.refuse.set('secret', 'forbidden');
    const c = client();
    const errors: unknown[] = [];
    c.onError((e) => errors.push(e));
    const off = c.subscribe('secret', {}, () => {});
    await expect(off.ready).rejects.toMatchObject({
      name: 'SubscriptionError',
      code: 'forbidden',
      collection: 'secret',
    });
    expect(errors).toEqual([{ code: 'forbidden', message: 'no', collection: 'secret' }]);
  });
});

describe('shared wire subscriptions', () => {
  it('merges handlers with different filters into one subscription and filters locally', async () => {
    const c = client();
    const live = collect(c, 'posts', { filter: { status: 'live' } });
    const all = collect(c, 'posts', { select: ['status'] });
    await until(() => server.sent('subscribe').length === 1);
    expect(server.sent('subscribe')[0]).toEqual({ action: 'subscribe', collection: 'posts' });
    server.emit('posts', 'record.created', { id: 'a', status: 'draft', title: 'A' });
    server.emit(
      'posts',
      'record.updated',
      { id: 'a', status: 'live', title: 'A' },
      { id: 'a', status: 'draft' },
    );
    server.emit(
      'posts',
      'record.updated',
      { id: 'a', status: 'gone', title: 'A' },
      { id: 'a', status: 'live' },
    );
    await until(() => all.length === 3 && live.length === 2);
    expect(live.map((e) => [e.seq, e.match])).toEqual([
      [2, 'enter'],
      [3, 'leave'],
    ]);
    expect(all[0]!.data).toEqual({ id: 'a', status: 'draft' });
    expect(all[1]!.previous).toEqual({ id: 'a', status: 'draft' });
  });

  it("with '*' alongside a collection, '*' alone carries both: matched here, each seq once", async () => {
    const c = client();
    const star = collect(c, '*');
    const posts = collect(c, 'posts', { filter: { status: 'live' }, select: ['status'] });
    await until(() => server.sent('subscribe').length === 1);
    expect(server.sent('subscribe')).toEqual([{ action: 'subscribe', collection: '*' }]);
    server.emit('posts', 'record.created', { id: 'a', status: 'live', title: 'A' });
    server.emit('posts', 'record.created', { id: 'b', status: 'draft' });
    server.emit('tags', 'record.created', { id: 't' });
    await until(() => star.length === 3 && posts.length === 1);
    expect(star[0]!.data).toEqual({ id: 'a', status: 'live', title: 'A' });
    expect(posts[0]).toMatchObject({ seq: 1, match: 'enter', data: { id: 'a', status: 'live' } });
  });

  it("hands a collection over to '*' and back without losing or repeating an event", async () => {
    server.duplicateLive = true;
    const c = client();
    const posts = collect(c, 'posts');
    await until(() => server.sent('subscribe').length === 1);
    server.emit('posts', 'record.created', { id: 'a' });
    await until(() => posts.length === 1);
    const off = c.subscribe('*', {}, () => {});
    await off.ready;
    await until(() => server.sent('unsubscribe').length === 1);
    // the '*' subscription went out before posts was dropped
    expect(server.messages.map((m) => `${m.msg.action}:${m.msg.collection}`).slice(-2)).toEqual([
      'subscribe:*',
      'unsubscribe:posts',
    ]);
    server.emit('posts', 'record.created', { id: 'b' });
    await until(() => posts.length === 2);
    off();
    await until(() => server.sent('subscribe').length === 3);
    expect(server.sent('subscribe')[2]).toEqual({ action: 'subscribe', collection: 'posts', since: 2 });
    server.emit('posts', 'record.created', { id: 'c' });
    await until(() => posts.length === 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(posts.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('keeps delivering to other handlers when one throws, and reports it', async () => {
    const c = client();
    const errors: string[] = [];
    c.onError((e) => errors.push(e.code));
    c.subscribe('posts', {}, () => {
      throw new Error('boom');
    });
    const got = collect(c);
    await until(() => server.sent('subscribe').length >= 1);
    await new Promise((r) => setTimeout(r, 30));
    server.emit('posts', 'record.created', { id: 'a' });
    await until(() => got.length === 1);
    expect(errors).toEqual(['handler_error']);
  });
});
