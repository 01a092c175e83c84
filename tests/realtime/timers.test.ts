import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, Client, startServer, userClient, type TestServer } from '../helpers/server';
import {
  closeAll,
  event,
  eventually,
  is,
  native,
  openWs,
  sse,
  subscribed,
  within,
  wsUrl,
  type WsClient,
} from '../helpers/ws';
import { createCollection, createRecord, uniq } from '../api/support';

afterEach(closeAll);

/** The `exp` claim of a JWT, in ms. */
const expiryOf = (jwt: string): number =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).exp * 1000;

/** The raw socket under a `ws` client, to stop reading from it. */
const socketOf = (c: WsClient) => (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;

describe('token expiry (accessTtlS: 2)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ accessTtlS: 2 });
  });
  afterAll(() => s?.stop());

  it('closes the connection at expiry with 4001 "token expired", whichever way it authenticated', async () => {
    const admin = await adminClient(s);
    // The observer uses an API key: admin tokens expire too on this server.
    const key = (await admin.post('/api/v1/keys', { name: 'observer', role: 'admin' })).body.key;
    const obs = await native(s.url, { token: key });
    await subscribed(obs, { collection: 'presence' });
    // The token lives 1-2 s from here (exp is in whole seconds): connect right away.
    const u = await userClient(admin, 'exp@test.local', 'editor');
    const token = u.token!;
    const exp = expiryOf(token);
    const byUrl = await native(s.url, { token });
    const byAction = await native(s.url, { auth: token });
    const [a, b] = await Promise.all([byUrl.waitClose(4000), byAction.waitClose(4000)]);
    const closedAt = Date.now();
    expect(a).toEqual({ code: 4001, reason: 'token expired' });
    expect(b).toEqual({ code: 4001, reason: 'token expired' });
    expect(closedAt).toBeGreaterThanOrEqual(exp - 50);
    expect(closedAt).toBeLessThan(exp + 1000);
    expect((await obs.next(event('user.left'))).data.data.user_id).toBe(u.userId);

    // The same token, now expired: refused on the URL (4001) and by the auth action (an error frame).
    const late = await openWs(wsUrl(s.url, '/api/v1/ws/realtime', token));
    expect((await late.next()).type).toBe('connected');
    expect(await late.waitClose()).toEqual({ code: 4001, reason: 'token expired' });
    const lateAuth = await native(s.url);
    lateAuth.send({ action: 'auth', token });
    expect(await lateAuth.next()).toEqual({
      type: 'error',
      data: { message: 'Invalid or expired token', code: 'token_expired' },
    });
    expect(lateAuth.ws.readyState).toBe(lateAuth.ws.OPEN);
    const stream = await sse(`${s.url}/api/v1/sse/realtime?collection=presence&token=${token}`);
    expect(stream.status).toBe(401);
    expect(stream.body).toEqual({ error: { code: 'token_expired', message: 'Realtime: token expired.' } });
  }, 15_000);

  it('ends an SSE stream at expiry with a close event', async () => {
    const login = await new Client(s.url).login();
    const stream = await sse(`${s.url}/api/v1/sse/realtime?collection=presence&token=${login.access_token}`);
    expect(stream.status).toBe(200);
    await within(stream.ended, 4000, 'the SSE stream to end');
    expect(Date.now()).toBeGreaterThanOrEqual(expiryOf(login.access_token) - 50);
    expect(stream.frames).toEqual([{ event: 'close', data: { reason: 'token expired' } }]);
  }, 10_000);
});

describe('heartbeat (ping 200 ms, dead after 600 ms, sweep 200 ms)', () => {
  let s: TestServer;
  let admin: Client;
  beforeAll(async () => {
    s = await startServer({ realtime: { pingEveryMs: 200, deadAfterMs: 600, sweepEveryMs: 200 } });
    admin = await adminClient(s);
  });
  afterAll(() => s?.stop());

  it('sends {"type":"ping","timestamp"} frames; a client that answers protocol pings stays', async () => {
    const c = await native(s.url);
    const pings = await c.take(6, is('ping'), 3000);
    expect(pings[0]).toEqual({
      type: 'ping',
      timestamp: expect.stringMatching(/Z$/),
      last_seq: expect.any(Number),
    });
    // Six pings is at least a second: twice the dead-after time, and the socket is alive.
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.send({ action: 'ping' });
    expect((await c.next(is('pong'))).type).toBe('pong');
  });

  it('a client that answers the JSON ping with {"action":"pong"} stays', async () => {
    const c = await native(s.url, { ws: { autoPong: false } });
    for (let i = 0; i < 6; i++) {
      await c.next(is('ping'), 2000);
      c.send({ action: 'pong' });
    }
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect(c.pending(is('pong'))).toEqual([]);
  });

  it('closes a silent client with 4000 "heartbeat timeout"', async () => {
    const opened = Date.now();
    const c = await native(s.url, { ws: { autoPong: false } });
    expect(await c.waitClose(3000)).toEqual({ code: 4000, reason: 'heartbeat timeout' });
    const lived = Date.now() - opened;
    expect(lived).toBeGreaterThanOrEqual(600);
    expect(lived).toBeLessThan(2000);
    expect(c.frames.filter(is('ping')).length).toBeGreaterThanOrEqual(2);
  });

  it('closes a client that stopped reading (paused socket), and others are unaffected', async () => {
    const name = uniq('hb');
    await createCollection(admin, {
      name,
      fields: [{ name: 't', type: 'text' }],
      rules: { view: 'public', list: 'public' },
    });
    const monitor = await openWs(wsUrl(s.url, '/api/v1/monitor', admin.token));
    await monitor.next(is('snapshot'));
    const healthy = await native(s.url);
    await subscribed(healthy, { collection: name });
    const stuck = await native(s.url);
    socketOf(stuck).pause();
    const closed = await monitor.next(
      (f) => f.type === 'connection.closed' && f.data.id === stuck.connectionId,
      3000,
    );
    expect(closed.data).toMatchObject({ code: 4000, reason: 'heartbeat timeout', dialect: 'native' });
    socketOf(stuck).resume();
    expect(await stuck.waitClose(3000)).toEqual({ code: 4000, reason: 'heartbeat timeout' });
    const r = await createRecord(admin, name, { t: 'still here' });
    expect((await healthy.next(event())).data.record_id).toBe(r.id);
  });

  it('leaves SSE streams alone (they cannot answer); TCP tells when they are gone', async () => {
    const stream = await sse(`${s.url}/api/v1/sse/realtime?collection=presence&token=${admin.token}`);
    expect(stream.status).toBe(200);
    const pinger = await native(s.url);
    await pinger.take(5, is('ping'), 3000);
    expect((await admin.get('/api/v1/stats')).body.connections_by_dialect.sse).toBe(1);
    stream.close();
    await within(stream.ended, 2000, 'the stream to close');
    await pinger.close();
    await eventually(
      async () => (await admin.get('/api/v1/stats')).body.total_connections,
      (n) => n === 0,
    );
  });
});

describe('shutdown', () => {
  it('closes WebSockets with 1001 "server shutting down", ends SSE streams and the monitor feed', async () => {
    const s = await startServer();
    const admin = await adminClient(s);
    const ws = await native(s.url, { token: admin.token });
    const stream = await sse(`${s.url}/api/v1/sse/realtime?collection=presence&token=${admin.token}`);
    const monitor = await openWs(wsUrl(s.url, '/api/v1/monitor', admin.token));
    await monitor.next(is('snapshot'));
    const stopping = s.stop();
    expect(await ws.waitClose()).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await monitor.waitClose()).toEqual({ code: 1001, reason: 'server shutting down' });
    await within(stream.ended, 5000, 'the SSE stream to end');
    expect(stream.frames.at(-1)).toEqual({ event: 'close', data: { reason: 'server shutting down' } });
    await within(stopping, 5000, 'the server to stop');
  });
});
