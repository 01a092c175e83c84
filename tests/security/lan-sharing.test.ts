/**
 * LAN sharing: the superuser's runtime switch moves the listening socket to 0.0.0.0 (checked on the
 * socket itself) and back, persists, and closes LAN connections with 1001 when turned off; the
 * desktop's own token is refused from other machines. Traffic never leaves loopback: a client bound
 * to 127.0.0.2 poses as a LAN peer (the `peers` seam), everything else uses 127.0.0.1.
 */
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { plainAddress } from '../../src/main/api/client-address';
import { isLoopback } from '../../src/main/server/host-policy';
import { peers, refusesLocalCredential } from '../../src/main/server/lan';
import { adminClient, Client, startServer, userClient, type TestServer } from '../helpers/server';
import { closeAll, native, openWs, wsUrl } from '../helpers/ws';

const LAN_PEER = '127.0.0.2';
const realIsLocal = peers.isLocal;

/** A GET from the posing LAN peer (source address 127.0.0.2, to 127.0.0.1). */
function lanGet(url: string, path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        localAddress: LAN_PEER,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('LAN sharing', () => {
  let s: TestServer;
  let admin: Client;

  beforeAll(async () => {
    peers.isLocal = (a) => plainAddress(a) !== LAN_PEER && realIsLocal(a);
    s = await startServer();
    admin = await adminClient(s);
  });
  afterAll(async () => {
    peers.isLocal = realIsLocal;
    await s?.stop();
  });
  afterEach(closeAll);

  it('is off by default, on loopback only', async () => {
    const r = await admin.get('/api/v1/sharing');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ lan: false, locked: false, urls: [], lan_clients: 0 });
    expect(r.body.listening).toEqual([`127.0.0.1:${new URL(s.url).port}`]);
  });

  it('is for the superuser only, with a boolean', async () => {
    expect((await new Client(s.url).get('/api/v1/sharing')).status).toBe(401);
    const other = await userClient(admin, 'lan-admin@test.local', 'admin');
    const r = await other.req('PUT', '/api/v1/sharing', { lan: true });
    expect(r.status).toBe(403);
    const bad = await admin.req('PUT', '/api/v1/sharing', { lan: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual({ lan: 'must be true or false' });
  });

  it('turning on listens on 0.0.0.0 at once, answers LAN URLs, and keeps loopback clients', async () => {
    const keep = await native(s.url, { token: admin.token });
    const r = await admin.req('PUT', '/api/v1/sharing', { lan: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const port = new URL(s.url).port;
    expect(r.body.lan).toBe(true);
    expect(r.body.listening).toEqual([`0.0.0.0:${port}`]);
    for (const u of r.body.urls) expect(u).toMatch(new RegExp(`^http://.+:${port}/$`));
    // IPv4 before IPv6.
    const firstV6 = r.body.urls.findIndex((u: string) => u.startsWith('http://['));
    if (firstV6 >= 0)
      expect(r.body.urls.slice(firstV6).every((u: string) => u.startsWith('http://['))).toBe(true);
    // The connection opened before the move is untouched; new ones work.
    keep.send({ action: 'ping' });
    expect(keep.ws.readyState).toBe(keep.ws.OPEN);
    expect((await admin.get('/api/v1/health')).status).toBe(200);
  });

  it('counts LAN clients and refuses the desktop token from the LAN, not a password login', async () => {
    const desktop = await s.server.issueAdminToken();
    // From this machine the desktop token works.
    expect((await new Client(s.url, desktop).get('/api/v1/auth/me')).status).toBe(200);
    const refused = await lanGet(s.url, '/api/v1/auth/me', desktop);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body).error.message).toMatch(/only on this machine/);
    // A password login from the LAN works.
    expect((await lanGet(s.url, '/api/v1/auth/me', admin.token)).status).toBe(200);
    // Realtime: the desktop token from the LAN is closed with 4001.
    const ws = await openWs(wsUrl(s.url, '/api/v1/ws/realtime', desktop), { localAddress: LAN_PEER });
    expect((await ws.waitClose()).code).toBe(4001);
    const lanWs = await native(s.url, { token: admin.token, ws: { localAddress: LAN_PEER } });
    const st = await admin.get('/api/v1/sharing');
    expect(st.body.lan_clients).toBeGreaterThanOrEqual(1);
    await lanWs.close();
  });

  it('turning off moves back to 127.0.0.1, closes LAN realtime with 1001, keeps local ones', async () => {
    const lanWs = await native(s.url, { token: admin.token, ws: { localAddress: LAN_PEER } });
    const localWs = await native(s.url, { token: admin.token });
    const r = await admin.req('PUT', '/api/v1/sharing', { lan: false });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ lan: false, urls: [], listening: [`127.0.0.1:${new URL(s.url).port}`] });
    const closed = await lanWs.waitClose();
    expect(closed).toEqual({ code: 1001, reason: 'LAN sharing was turned off' });
    expect(localWs.ws.readyState).toBe(localWs.ws.OPEN);
  });

  it('persists the switch across a restart', async () => {
    expect((await admin.req('PUT', '/api/v1/sharing', { lan: true })).status).toBe(200);
    await s.stop({ keepData: true });
    s = await startServer({ dataDir: s.dataDir });
    admin = await adminClient(s);
    const r = await admin.get('/api/v1/sharing');
    expect(r.body.lan).toBe(true);
    expect(r.body.listening[0]).toMatch(/^0\.0\.0\.0:/);
    expect((await admin.req('PUT', '/api/v1/sharing', { lan: false })).status).toBe(200);
  });
});

describe('a server started on 0.0.0.0', () => {
  it('is shared from the start and the switch is locked', async () => {
    const s = await startServer({ host: '0.0.0.0' });
    try {
      const admin = new Client(s.url.replace('0.0.0.0', '127.0.0.1'));
      await admin.login();
      const r = await admin.get('/api/v1/sharing');
      expect(r.body).toMatchObject({ lan: true, locked: true });
      const put = await admin.req('PUT', '/api/v1/sharing', { lan: false });
      expect(put.status).toBe(409);
    } finally {
      await s.stop();
    }
  });
});

describe('the local-token rule', () => {
  it('refuses a local credential from any non-loopback peer only', () => {
    expect(peers.isLocal).toBe(realIsLocal);
    expect(refusesLocalCredential({ local: true }, '192.168.1.20')).toBe(true);
    expect(refusesLocalCredential({ local: true }, '::ffff:10.0.0.3')).toBe(true);
    expect(refusesLocalCredential({ local: true }, 'fd00::2')).toBe(true);
    expect(refusesLocalCredential({ local: true }, '127.0.0.1')).toBe(false);
    expect(refusesLocalCredential({ local: true }, '::ffff:127.0.0.1')).toBe(false);
    expect(refusesLocalCredential({ local: true }, '::1')).toBe(false);
    expect(refusesLocalCredential({}, '192.168.1.20')).toBe(false);
    expect(refusesLocalCredential(null, '192.168.1.20')).toBe(false);
    expect(isLoopback('127.0.0.2')).toBe(true);
  });
});
