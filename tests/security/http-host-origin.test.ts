/**
 * DNS rebinding and cross-site requests: only this server's own Host names are answered,
 * browsers' writes and WebSocket upgrades from foreign origins are refused (requests without an
 * Origin are not), JSON bodies need a JSON Content-Type, and the console and API carry the
 * browser security headers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, useServer } from '../api/support';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, tempDir, type TestServer } from '../helpers/server';
import { closeAll, openWs, wsUrl } from '../helpers/ws';

const staticDir = tempDir('sb-static-');
mkdirSync(join(staticDir, 'assets'));
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
const sdkDir = tempDir('sb-sdk-');
writeFileSync(join(sdkDir, 'switchboard.js'), 'export const x = 1;');

const env = useServer({ staticDir, sdkDir, allowedOrigins: ['http://kiosk.example:3000'] });
afterEach(closeAll);

const port = () => new URL(env.s.url).port;
const LOGIN_BODY = JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });

function req(method: string, path: string, headers: Record<string, string>, body?: string) {
  return rawRequest(env.s.url, { method, path, headers, body });
}

const WS_ENDPOINTS = [
  '/api/v1/ws/realtime',
  '/api/realtime/content?schema=anything',
  '/api/v1/realtime/ws',
  '/ws',
  '/api/v1/monitor',
];

describe('Host', () => {
  it('answers the loopback names with no port or the server port', async () => {
    for (const host of [
      `127.0.0.1:${port()}`,
      '127.0.0.1',
      `localhost:${port()}`,
      'LOCALHOST',
      `[::1]:${port()}`,
    ]) {
      const r = await req('GET', '/api/v1/health', { host });
      expect(r.status, host).toBe(200);
    }
  });

  it('refuses any other name, or a loopback name on another port, with 403 and the JSON envelope', async () => {
    for (const host of [
      `rebind.attacker.example:${port()}`,
      'rebind.attacker.example',
      `localhost:${Number(port()) + 1}`,
      `127.0.0.1:${port()}@x`,
      // The machine's own name is not a loopback name (unless it is one).
      ...(['localhost', 'localhost.localdomain'].includes(hostname()) ? [] : [`${hostname()}:${port()}`]),
    ]) {
      const r = await req('GET', '/api/v1/health', { host });
      expect(r.status, host).toBe(403);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      const body = JSON.parse(r.text);
      expect(body.error.code).toBe('forbidden');
      expect(body.error.message).toBe(
        `This server does not answer to the host '${host}'; use http://127.0.0.1:${port()} (a proxy's name can be added with --allowed-host).`,
      );
      expect(body.error.details).toEqual({ host });
    }
    // The console and the SSE endpoints too.
    expect((await req('GET', '/', { host: 'evil.example' })).status).toBe(403);
    expect(
      (await req('GET', '/api/v1/sse/realtime?collection=presence', { host: 'evil.example' })).status,
    ).toBe(403);
  });

  it('refuses a WebSocket upgrade with a foreign Host on the raw socket', async () => {
    await expect(
      openWs(wsUrl(env.s.url, '/api/v1/ws/realtime'), { headers: { host: 'evil.example' } }),
    ).rejects.toMatchObject({ status: 403, body: expect.stringContaining('"code":"forbidden"') });
  });
});

describe('Origin', () => {
  it('refuses writes from a foreign origin, allows own origin, allowed apps and no Origin at all', async () => {
    const json = { 'content-type': 'application/json' };
    const foreign = await req(
      'POST',
      '/api/v1/auth/login',
      { ...json, origin: 'http://evil.example' },
      LOGIN_BODY,
    );
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.text)).toEqual({
      error: {
        code: 'forbidden',
        message:
          "Requests from the origin 'http://evil.example' are not allowed; an app served elsewhere must be added with --allowed-origin.",
        details: { origin: 'http://evil.example' },
      },
    });
    // Another port on the same loopback name is another site.
    const otherPort = `http://127.0.0.1:${Number(port()) + 1}`;
    expect((await req('POST', '/api/v1/auth/login', { ...json, origin: otherPort }, LOGIN_BODY)).status).toBe(
      403,
    );
    expect((await req('POST', '/api/v1/auth/login', { ...json, origin: 'null' }, LOGIN_BODY)).status).toBe(
      403,
    );
    for (const origin of [
      `http://127.0.0.1:${port()}`,
      `http://localhost:${port()}`,
      'http://kiosk.example:3000',
      undefined,
    ]) {
      const r = await req('POST', '/api/v1/auth/login', origin ? { ...json, origin } : json, LOGIN_BODY);
      expect(r.status, String(origin)).toBe(200);
    }
    // Safe methods are not checked: a foreign page cannot read the answer without CORS anyway.
    expect((await req('GET', '/api/v1/health', { origin: 'http://evil.example' })).status).toBe(200);
    // DELETE and PATCH are unsafe too.
    for (const method of ['DELETE', 'PATCH', 'PUT']) {
      const r = await req(method, '/api/v1/collections/x', {
        ...json,
        origin: 'http://evil.example',
        authorization: `Bearer ${env.admin.token}`,
      });
      expect(r.status, method).toBe(403);
    }
  });

  it('refuses WebSocket upgrades from a foreign origin on every dialect endpoint with a JSON 403', async () => {
    for (const path of WS_ENDPOINTS) {
      await expect(
        openWs(wsUrl(env.s.url, path, env.admin.token), { origin: 'http://evil.example' }),
        path,
      ).rejects.toMatchObject({
        status: 403,
        body: JSON.stringify({
          error: {
            code: 'forbidden',
            message:
              "Requests from the origin 'http://evil.example' are not allowed; an app served elsewhere must be added with --allowed-origin.",
            details: { origin: 'http://evil.example' },
          },
        }),
      });
    }
  });

  it('lets WebSockets open from the own origin, an allowed app and without an Origin', async () => {
    for (const origin of [`http://127.0.0.1:${port()}`, 'http://kiosk.example:3000', undefined]) {
      const c = await openWs(wsUrl(env.s.url, '/api/v1/ws/realtime'), origin ? { origin } : {});
      expect((await c.next()).type, String(origin)).toBe('connected');
      await c.close();
    }
  });
});

describe('CORS for allowed apps', () => {
  it('answers the preflight of an allowed origin and none of another', async () => {
    const preflight = (origin: string) =>
      req('OPTIONS', '/api/v1/collections', {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      });
    const ok = await preflight('http://kiosk.example:3000');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('http://kiosk.example:3000');
    expect(ok.headers['access-control-allow-methods']).toContain('POST');
    expect(ok.headers['access-control-allow-headers']).toBe('authorization, content-type, last-event-id');
    const other = await preflight('http://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const write = await req(
      'POST',
      '/api/v1/auth/login',
      { 'content-type': 'application/json', origin: 'http://kiosk.example:3000' },
      LOGIN_BODY,
    );
    expect(write.status).toBe(200);
    expect(write.headers['access-control-allow-origin']).toBe('http://kiosk.example:3000');
    expect(write.headers['vary']).toBe('Origin');
  });
});

describe('JSON bodies', () => {
  it('refuses text/plain and a body without Content-Type with 415 (no preflight-free JSON)', async () => {
    const plain = await req('POST', '/api/v1/auth/login', { 'content-type': 'text/plain' }, LOGIN_BODY);
    expect(plain.status).toBe(415);
    expect(JSON.parse(plain.text).error).toEqual({
      code: 'unsupported_media_type',
      message: 'Send JSON (Content-Type: application/json), not text/plain.',
    });
    const none = await req('POST', '/api/v1/auth/login', {}, LOGIN_BODY);
    expect(none.status).toBe(415);
    expect(JSON.parse(none.text).error).toEqual({
      code: 'unsupported_media_type',
      message: 'Send JSON with Content-Type: application/json (the request has no Content-Type).',
    });
    const vendor = await req(
      'POST',
      '/api/v1/auth/login',
      { 'content-type': 'application/vnd.api+json' },
      LOGIN_BODY,
    );
    expect(vendor.status).toBe(200);
    const lookalike = await req(
      'POST',
      '/api/v1/auth/login',
      { 'content-type': 'application/jsonp' },
      LOGIN_BODY,
    );
    expect(lookalike.status).toBe(415);
  });

  it('still takes a bodiless POST without Content-Type', async () => {
    const r = await req('POST', '/api/v1/auth/logout', { authorization: `Bearer ${env.admin.token}` });
    expect(r.status).toBe(204);
  });
});

describe('security headers', () => {
  it('sends CSP, nosniff and X-Frame-Options with the console', async () => {
    for (const path of ['/', '/some/console/route']) {
      const r = await req('GET', path, {});
      expect(r.status).toBe(200);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${port()} wss://127.0.0.1:${port()}`);
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("img-src 'self' data: blob:");
      expect(csp).toContain("frame-ancestors 'none'");
    }
  });

  it('sends nosniff with API answers and errors', async () => {
    expect((await req('GET', '/api/v1/health', {})).headers['x-content-type-options']).toBe('nosniff');
    const missing = await req('GET', '/api/v1/nope', {});
    expect(missing.status).toBe(404);
    expect(missing.headers['x-content-type-options']).toBe('nosniff');
  });

  it('keeps the SDK loadable from any origin', async () => {
    const r = await req('GET', '/sdk/switchboard.js', { origin: 'http://elsewhere.example' });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });
});

describe('binding', () => {
  let lan: TestServer;
  beforeAll(async () => {
    lan = await startServer({ host: '0.0.0.0', allowedHosts: ['switchboard.venue.example'] });
  });
  afterAll(() => lan?.stop());

  it("on 0.0.0.0 also answers the machine's names and addresses, and configured names on any port", async () => {
    const p = new URL(lan.url).port;
    const addresses = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal)
      .map((a) => (a!.family === 'IPv6' ? `[${a!.address.replace(/%.*$/, '')}]` : a!.address));
    for (const host of [
      `127.0.0.1:${p}`,
      `${hostname()}:${p}`,
      `${hostname()}.local:${p}`,
      ...addresses.map((a) => `${a}:${p}`),
      'switchboard.venue.example',
      'switchboard.venue.example:8443',
    ]) {
      const r = await rawRequest(`http://127.0.0.1:${p}`, {
        method: 'GET',
        path: '/api/v1/health',
        headers: { host },
      });
      expect(r.status, host).toBe(200);
    }
    const other = await rawRequest(`http://127.0.0.1:${p}`, {
      method: 'GET',
      path: '/api/v1/health',
      headers: { host: `evil.example:${p}` },
    });
    expect(other.status).toBe(403);
    // A write from a page served by the proxy's name is same-site.
    const write = await rawRequest(`http://127.0.0.1:${p}`, {
      method: 'POST',
      path: '/api/v1/auth/login',
      headers: {
        host: 'switchboard.venue.example',
        origin: 'https://switchboard.venue.example',
        'content-type': 'application/json',
      },
      body: LOGIN_BODY,
    });
    expect(write.status).toBe(200);
  });

  it('fails at start with one line for a bad allowed origin', async () => {
    await expect(startServer({ allowedOrigins: ['kiosk.example'] })).rejects.toThrow(
      "invalid allowed origin 'kiosk.example': use http(s)://HOST[:PORT]",
    );
  });
});
