/**
 * Anonymous realtime connections are capped per client address (the per-user cap does not see
 * them): the upgrade or the SSE request is answered 503 with the JSON envelope, signed-in
 * connections are not counted, and one that signs in later frees its slot.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, startServer, type Client, type TestServer } from '../helpers/server';
import { closeAll, eventually, is, native, openWs, sse, wsUrl } from '../helpers/ws';

const MESSAGE = 'Too many anonymous connections from this address (at most 2); sign in or use an API key.';
const FULL = { error: { code: 'unavailable', message: MESSAGE } };

let s: TestServer;
let admin: Client;
beforeAll(async () => {
  s = await startServer({ trustedProxies: ['loopback'], realtime: { maxAnonymousPerAddress: 2 } });
  admin = await adminClient(s);
});
afterAll(() => s?.stop());
afterEach(closeAll);

const total = async () => (await admin.get('/api/v1/stats')).body.total_connections as number;
/** Waits until the previous test's connections are gone on the server too. */
const settled = () => eventually(total, (n) => n === 0);

describe('anonymous connections per address (maxAnonymousPerAddress: 2)', () => {
  it('refuses the third anonymous WebSocket and SSE stream from one address with 503; others are unaffected', async () => {
    const a = await native(s.url);
    const b = await openWs(wsUrl(s.url, '/ws'));
    for (const path of ['/api/v1/ws/realtime', '/api/realtime/content?schema=x', '/ws']) {
      await expect(openWs(wsUrl(s.url, path)), path).rejects.toMatchObject({
        status: 503,
        body: JSON.stringify(FULL),
      });
    }
    const refused = await sse(`${s.url}/api/v1/sse/realtime?collection=presence`);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual(FULL);
    // Signed-in connections are the per-user cap's business.
    const signedIn = await native(s.url, { token: admin.token });
    const stream = await sse(`${s.url}/api/v1/sse/realtime?collection=presence&token=${admin.token}`);
    expect(stream.status).toBe(200);
    stream.close();
    await signedIn.close();
    // Another client behind a trusted proxy has its own allowance.
    const other = await openWs(wsUrl(s.url, '/api/v1/ws/realtime'), {
      headers: { 'x-forwarded-for': '198.51.100.5' },
    });
    expect((await other.next()).type).toBe('connected');
    // The open ones carry on; closing one frees a slot.
    a.send({ action: 'ping' });
    expect((await a.next()).type).toBe('pong');
    await b.close();
    await eventually(total, (n) => n === 2);
    const again = await native(s.url);
    expect(again.connectionId).toEqual(expect.any(String));
  });

  it('stops counting a connection once it signs in', async () => {
    await settled();
    const a = await native(s.url);
    const b = await native(s.url);
    await expect(openWs(wsUrl(s.url, '/api/v1/ws/realtime'))).rejects.toMatchObject({ status: 503 });
    b.send({ action: 'auth', token: admin.token });
    await b.next(is('authenticated'));
    const c = await native(s.url);
    expect(c.connectionId).toEqual(expect.any(String));
    await a.close();
  });

  it('closes a connection that looked credentialed but arrived anonymous over the cap', async () => {
    await settled();
    await native(s.url);
    await native(s.url);
    // The native dialect ignores X-Auth-Token: the upgrade passes, the connection is anonymous.
    const sneaky = await openWs(wsUrl(s.url, '/api/v1/ws/realtime'), { headers: { 'x-auth-token': 'junk' } });
    expect(await sneaky.waitClose()).toEqual({
      code: 1013,
      reason: 'too many anonymous connections from this address',
    });
  });
});
