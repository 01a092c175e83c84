/**
 * The login throttle: a budget per client address over all emails, a backoff per email that
 * does not keep the owner out from another address, X-Forwarded-For believed only from
 * trusted proxies, and an edge-style forward that says who the client is.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forward } from '../../src/main/server/proxy';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  adminClient,
  startServer,
  userClient,
  type TestServer,
} from '../helpers/server';

const LOGIN = '/api/v1/auth/login';

async function login(s: TestServer, email: string, password: string, headers: Record<string, string> = {}) {
  const r = await fetch(s.url + LOGIN, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
  return {
    status: r.status,
    headers: r.headers,
    body: (await r.json()) as { error?: Record<string, unknown> },
  };
}

const from = (address: string) => ({ 'x-forwarded-for': address });

describe('per-address budget (all emails)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ loginLimits: { addressMaxFailures: 4 } });
    await userClient(await adminClient(s), 'victim@test.local', 'editor');
  });
  afterAll(() => s?.stop());

  it('refuses an address that failed on many emails, for every email, with 429 and Retry-After', async () => {
    for (let i = 0; i < 4; i++)
      expect((await login(s, `guess-${i}@test.local`, 'nope-nope-1')).status).toBe(401);
    const blocked = await login(s, 'victim@test.local', 'password-victim@test.local');
    expect(blocked.status).toBe(429);
    const retry = Number(blocked.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    expect(blocked.body.error).toEqual({
      code: 'rate_limited',
      message: `Too many failed logins from this address; try again in ${retry} s.`,
      details: { retry_after_s: retry },
    });
    // Without trusted proxies, X-Forwarded-For is the client's own word and changes nothing.
    expect((await login(s, ADMIN_EMAIL, ADMIN_PASSWORD, from('203.0.113.9'))).status).toBe(429);
  });
});

describe('behind trusted proxies', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({
      trustedProxies: ['loopback'],
      loginLimits: { addressMaxFailures: 3, accountFreeFailures: 2, accountBaseDelayMs: 3000 },
    });
    await userClient(await adminClient(s), 'owner@test.local', 'editor');
  });
  afterAll(() => s?.stop());

  it('budgets each client behind the proxy on its own; the right-most untrusted hop is the client', async () => {
    for (let i = 0; i < 3; i++)
      expect((await login(s, `spray-${i}@test.local`, 'wrong-password', from('198.51.100.1'))).status).toBe(
        401,
      );
    expect((await login(s, ADMIN_EMAIL, ADMIN_PASSWORD, from('198.51.100.1'))).status).toBe(429);
    // A forged left-most entry does not help the client: the proxy appended its real address.
    expect((await login(s, ADMIN_EMAIL, ADMIN_PASSWORD, from('10.9.9.9, 198.51.100.1'))).status).toBe(429);
    // Another client behind the same proxy is not affected.
    expect((await login(s, ADMIN_EMAIL, ADMIN_PASSWORD, from('198.51.100.2'))).status).toBe(200);
  });

  it('backs off per email, lets the owner in from a fresh address at once, and from any address after the wait', async () => {
    const attacker = from('192.0.2.66');
    const attacker2 = from('192.0.2.67');
    for (let i = 0; i < 2; i++)
      expect((await login(s, 'owner@test.local', `guess-${i}-xx`, attacker)).status).toBe(401);
    const waiting = await login(s, 'owner@test.local', 'password-owner@test.local', attacker);
    expect(waiting.status).toBe(429);
    expect(waiting.body.error!.message).toMatch(
      /^Too many failed logins for this account; try again in [1-3] s\.$/,
    );
    // Unknown emails are throttled alike: the answer does not tell which exist.
    for (let i = 0; i < 2; i++) await login(s, 'ghost@test.local', `guess-${i}-xx`, attacker2);
    expect((await login(s, 'ghost@test.local', 'whatever-1', attacker2)).status).toBe(429);
    // The owner, at an address that has not failed on this email, is let in despite the backoff.
    expect((await login(s, 'owner@test.local', 'password-owner@test.local', from('192.0.2.10'))).status).toBe(
      200,
    );

    // Failures from many addresses still slow the email down: each new failure is a longer wait.
    expect((await login(s, 'owner@test.local', 'guess-a-xx', from('192.0.2.70'))).status).toBe(401);
    expect((await login(s, 'owner@test.local', 'guess-b-xx', from('192.0.2.71'))).status).toBe(401);
    const slowed = await login(s, 'owner@test.local', 'guess-c-xx', from('192.0.2.71'));
    expect(slowed.status).toBe(429);
    const retry = slowed.body.error!.details as { retry_after_s: number };
    await new Promise((r) => setTimeout(r, retry.retry_after_s * 1000 + 100));
    // After the wait the right password works from an address that had failed.
    expect((await login(s, 'owner@test.local', 'password-owner@test.local', from('192.0.2.71'))).status).toBe(
      200,
    );
  });

  it('throttles a burst of parallel guesses before their passwords are checked', async () => {
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        login(s, `burst-${i}@test.local`, 'wrong-password', from('192.0.2.99')),
      ),
    );
    const statuses = burst.map((r) => r.status).sort();
    expect(statuses.filter((x) => x === 401)).toHaveLength(3);
    expect(statuses.filter((x) => x === 429)).toHaveLength(5);
  });
});

describe('an edge forwarding to the primary', () => {
  let primary: TestServer;
  let edge: Server;
  let edgeUrl: string;
  beforeAll(async () => {
    primary = await startServer({ trustedProxies: ['127.0.0.1'], loginLimits: { addressMaxFailures: 2 } });
    const target = new URL(primary.url);
    edge = createHttpServer((req, res) => forward(target, req, res));
    await new Promise<void>((r) => edge.listen(0, '127.0.0.1', () => r()));
    edgeUrl = `http://127.0.0.1:${(edge.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => edge?.close(() => r()));
    await primary?.stop();
  });

  it('appends the client to X-Forwarded-For, drops the Origin it checked, and the primary limits per client', async () => {
    const via = (headers: Record<string, string>, password: string) =>
      fetch(edgeUrl + LOGIN, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ email: ADMIN_EMAIL, password }),
      });
    // The edge's own origin means nothing to the primary; the edge removes it after its own check.
    expect((await via({ origin: edgeUrl }, ADMIN_PASSWORD)).status).toBe(200);
    // A client behind the edge (as nginx would say) uses up its own budget...
    for (let i = 0; i < 2; i++) expect((await via(from('198.51.100.7'), 'wrong-password')).status).toBe(401);
    expect((await via(from('198.51.100.7'), ADMIN_PASSWORD)).status).toBe(429);
    // ...and not the one of others behind the same edge.
    expect((await via(from('198.51.100.8'), ADMIN_PASSWORD)).status).toBe(200);
  });
});
