import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPKCS8, SignJWT, type CryptoKey } from 'jose';
import { describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, Client, userClient } from '../helpers/server';
import { useServer } from './support';

const env = useServer();

const LOGIN = '/api/v1/auth/login';
const REFRESH = '/api/v1/auth/refresh';
const LOGOUT = '/api/v1/auth/logout';
const ME = '/api/v1/auth/me';

/** Signs a token the way the server does, with the given key and expiry. */
async function sign(key: CryptoKey, claims: Record<string, unknown>, exp: number): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'EdDSA' })
    .setSubject(sub as string)
    .setIssuer('switchboard')
    .setIssuedAt(exp - 3600)
    .setExpirationTime(exp)
    .sign(key);
}

describe('login', () => {
  it('returns the token pair and the user', async () => {
    const r = await env.anon.post(LOGIN, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'token_type',
      'user',
    ]);
    expect(r.body.token_type).toBe('bearer');
    expect(r.body.expires_in).toBe(3600);
    expect(r.body.access_token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(r.body.refresh_token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(r.body.access_token).not.toBe(r.body.refresh_token);
    expect(r.body.user).toMatchObject({
      email: ADMIN_EMAIL,
      role: 'admin',
      account: 'default',
      superuser: true,
    });
    expect(typeof r.body.user.id).toBe('string');
    expect(r.body.user).not.toHaveProperty('password_hash');
  });

  it('matches the email without regard to case', async () => {
    const r = await env.anon.post(LOGIN, { email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD });
    expect(r.status).toBe(200);
  });

  it('refuses a wrong password or an unknown email with the same 401', async () => {
    const wrong = await env.anon.post(LOGIN, { email: ADMIN_EMAIL, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: 'unauthorized', message: 'Wrong email or password.' } });
    const unknown = await env.anon.post(LOGIN, { email: 'nobody@test.local', password: 'whatever-1' });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('names each missing or empty field', async () => {
    const r = await env.anon.post(LOGIN, {});
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details).toEqual({ email: 'is required', password: 'is required' });
    const r2 = await env.anon.post(LOGIN, { email: ADMIN_EMAIL, password: '' });
    expect(r2.status).toBe(400);
    expect(r2.body.error.details).toEqual({ password: 'is required' });
    const r3 = await env.anon.post(LOGIN, { email: 42, password: ADMIN_PASSWORD });
    expect(r3.status).toBe(400);
    expect(r3.body.error.details).toEqual({ email: 'is required' });
  });

  it('rate-limits after 5 failures with 429 and Retry-After, even for the right password', async () => {
    const c = await userClient(env.admin, 'limited@test.local', 'editor');
    for (let i = 0; i < 5; i++) {
      const r = await c.post(LOGIN, { email: 'limited@test.local', password: `wrong-${i}-password` });
      expect(r.status, `attempt ${i + 1}`).toBe(401);
    }
    const blocked = await c.post(LOGIN, {
      email: 'limited@test.local',
      password: 'password-limited@test.local',
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(blocked.body.error.message).toMatch(
      /^Too many failed logins for this account; try again in \d+ s\.$/,
    );
    const retry = Number(blocked.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    expect(blocked.body.error.details).toEqual({ retry_after_s: retry });
    // The limit is per email: others still sign in, and the existing session still works.
    expect((await env.anon.post(LOGIN, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).status).toBe(200);
    expect((await c.get(ME)).status).toBe(200);
  });
});

describe('refresh', () => {
  it('rotates: a new pair, and the old refresh token reused revokes the whole login', async () => {
    const first = await env.anon.post(LOGIN, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const second = await env.anon.post(REFRESH, { refresh_token: first.body.refresh_token });
    expect(second.status).toBe(200);
    expect(second.body.token_type).toBe('bearer');
    expect(second.body.user.email).toBe(ADMIN_EMAIL);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    // note: an access token carries no jti, so one issued in the same second for the same login may be identical.
    expect((await new Client(env.s.url, second.body.access_token).get(ME)).status).toBe(200);

    const third = await env.anon.post(REFRESH, { refresh_token: second.body.refresh_token });
    expect(third.status).toBe(200);

    // Reusing an already-rotated refresh token: 401 and the family is revoked.
    const reuse = await env.anon.post(REFRESH, { refresh_token: first.body.refresh_token });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error).toEqual({
      code: 'unauthorized',
      message: 'This refresh token was already used; the login has been revoked. Sign in again.',
    });
    const newest = await env.anon.post(REFRESH, { refresh_token: third.body.refresh_token });
    expect(newest.status).toBe(401);
    expect(newest.body.error.message).toBe('This login has ended; sign in again.');
    for (const t of [first.body.access_token, third.body.access_token]) {
      const me = await new Client(env.s.url, t).get(ME);
      expect(me.status).toBe(401);
      expect(me.body.error.code).toBe('unauthorized');
    }
    // Other logins of the same user are not affected.
    expect((await env.admin.get(ME)).status).toBe(200);
  });

  it('refuses an access token used as a refresh token', async () => {
    const pair = await env.anon.post(LOGIN, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const r = await env.anon.post(REFRESH, { refresh_token: pair.body.access_token });
    expect(r.status).toBe(401);
    expect(r.body.error).toEqual({ code: 'unauthorized', message: 'Not a refresh token.' });
    // …and the login it belongs to is untouched.
    expect((await env.anon.post(REFRESH, { refresh_token: pair.body.refresh_token })).status).toBe(200);
  });

  it('refuses a refresh token used as an access token', async () => {
    const pair = await env.anon.post(LOGIN, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const r = await new Client(env.s.url, pair.body.refresh_token).get(ME);
    expect(r.status).toBe(401);
    expect(r.body.error).toEqual({ code: 'unauthorized', message: 'Not an access token.' });
  });

  it('needs a refresh_token, and refuses garbage', async () => {
    const r = await env.anon.post(REFRESH, {});
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details).toEqual({ refresh_token: 'is required' });
    const g = await env.anon.post(REFRESH, { refresh_token: 'not.a.jwt' });
    expect(g.status).toBe(401);
    expect(g.body.error).toEqual({ code: 'unauthorized', message: 'The token is not valid.' });
  });
});

describe('logout', () => {
  it('ends the login: the access token and the refresh token stop working', async () => {
    const pair = await env.anon.post(LOGIN, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const c = new Client(env.s.url, pair.body.access_token);
    expect((await c.get(ME)).status).toBe(200);
    const out = await c.post(LOGOUT);
    expect(out.status).toBe(204);
    expect(out.body).toBeUndefined();
    const me = await c.get(ME);
    expect(me.status).toBe(401);
    expect(me.body.error).toEqual({ code: 'unauthorized', message: 'This login has ended; sign in again.' });
    expect((await env.anon.post(REFRESH, { refresh_token: pair.body.refresh_token })).status).toBe(401);
    expect((await env.admin.get(ME)).status).toBe(200);
  });

  it('needs a caller, and API keys do not log out', async () => {
    const r = await env.anon.post(LOGOUT);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthorized');
    const k = await env.admin.post('/api/v1/keys', { name: 'logout key', role: 'viewer' });
    const kr = await new Client(env.s.url, k.body.key).post(LOGOUT);
    expect(kr.status).toBe(400);
    expect(kr.body.error).toEqual({
      code: 'bad_request',
      message: 'API keys do not log out; an admin deletes them.',
    });
  });
});

describe('me', () => {
  it('describes a user', async () => {
    const c = await userClient(env.admin, 'me-editor@test.local', 'editor');
    const r = await c.get(ME);
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe('user');
    expect(r.body.user).toMatchObject({
      id: c.userId,
      email: 'me-editor@test.local',
      role: 'editor',
      account: 'default',
    });
    expect(r.body.user.superuser).toBe(false);
  });

  it('describes an API key, without its secret', async () => {
    const k = await env.admin.post('/api/v1/keys', { name: 'kiosk', role: 'viewer', collections: ['posts'] });
    const r = await new Client(env.s.url, k.body.key).get(ME);
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe('key');
    expect(r.body.key).toMatchObject({
      id: k.body.id,
      name: 'kiosk',
      role: 'viewer',
      collections: ['posts'],
    });
    expect(JSON.stringify(r.body)).not.toContain(k.body.key);
  });

  it('is 401 for anonymous callers', async () => {
    const r = await env.anon.get(ME);
    expect(r.status).toBe(401);
    expect(r.body.error).toEqual({
      code: 'unauthorized',
      message: 'Sign in first: send Authorization: Bearer <token>.',
    });
  });
});

describe('bad tokens', () => {
  const claims = () => ({
    sub: 'x',
    sid: 'y',
    typ: 'access',
    role: 'admin',
    acct: 'default',
    email: ADMIN_EMAIL,
  });

  it.each([
    ['garbage', 'garbage'],
    ['three dots', 'a.b.c'],
    ['an unknown API key', 'sbk_notakey'],
  ])('refuses %s with 401 unauthorized', async (_what, token) => {
    const r = await new Client(env.s.url, token).get(ME);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthorized');
  });

  it('refuses a token with a tampered signature or payload', async () => {
    const t = env.admin.token!;
    const [h, p, sig] = t.split('.');
    const flipped = sig!.startsWith('A') ? 'B' + sig!.slice(1) : 'A' + sig!.slice(1);
    const r = await new Client(env.s.url, `${h}.${p}.${flipped}`).get(ME);
    expect(r.status).toBe(401);
    expect(r.body.error).toEqual({ code: 'unauthorized', message: 'The token is not valid.' });
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...payload, role: 'admin', acct: 'other' })).toString(
      'base64url',
    );
    const r2 = await new Client(env.s.url, `${h}.${forged}.${sig}`).get(ME);
    expect(r2.status).toBe(401);
    expect(r2.body.error.code).toBe('unauthorized');
  });

  it('refuses a token signed by another key', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'EdDSA');
    const t = await sign(key, claims(), Math.floor(Date.now() / 1000) + 600);
    const r = await new Client(env.s.url, t).get(ME);
    expect(r.status).toBe(401);
    expect(r.body.error).toEqual({ code: 'unauthorized', message: 'The token is not valid.' });
  });

  it('says token_expired for an expired token signed by the server key', async () => {
    const me = await env.admin.get(ME);
    const payload = JSON.parse(Buffer.from(env.admin.token!.split('.')[1]!, 'base64url').toString());
    const pem = readFileSync(join(env.s.dataDir, 'jwt-ed25519.pem'), 'utf8');
    const key = await importPKCS8(pem, 'EdDSA');
    const base = { ...claims(), sub: me.body.user.id, sid: payload.sid };
    // Sanity: the same claims with a future expiry are accepted.
    const fresh = await sign(key, base, Math.floor(Date.now() / 1000) + 600);
    expect((await new Client(env.s.url, fresh).get(ME)).status).toBe(200);
    const expired = await sign(key, base, Math.floor(Date.now() / 1000) - 10);
    const r = await new Client(env.s.url, expired).get(ME);
    expect(r.status).toBe(401);
    expect(r.body.error).toEqual({ code: 'token_expired', message: 'The token has expired.' });
    const viaQuery = await env.anon.get(`${ME}?token=${expired}`);
    expect(viaQuery.status).toBe(401);
    expect(viaQuery.body.error.code).toBe('token_expired');
  });

  it('refuses a bad token even on a public route, rather than treating the caller as anonymous', async () => {
    const r = await new Client(env.s.url, 'garbage').get('/api/v1/health');
    expect(r.status).toBe(401);
    expect((await env.anon.get('/api/v1/health')).status).toBe(200);
  });
});
