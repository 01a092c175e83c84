import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorText, redactText, redactUrl } from '../../src/main/cluster/redis-link';
import { freePort, startRedis, type TestRedis } from '../helpers/redis';
import { adminClient, startServer, tempDir, type TestServer } from '../helpers/server';

// The Redis URL's password never reaches what the settings endpoint shows or what the
// server logs: `redis://user:pass@host` is shown as `redis://user:***@host`.

const SECRET = 'Sup3r-S3cret-pw';

describe('redactUrl / redactText', () => {
  it('masks the password, or a lone user name, and keeps the rest', () => {
    expect(redactUrl(`redis://app:${SECRET}@10.0.0.5:6379/2`)).toBe('redis://app:***@10.0.0.5:6379/2');
    expect(redactUrl(`rediss://:${SECRET}@cache.local`)).toBe('rediss://:***@cache.local');
    expect(redactUrl(`redis://${SECRET}@cache.local:6380`)).toBe('redis://***@cache.local:6380');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl(`not a url ${SECRET}`)).toBe('(invalid URL)');
  });

  it('masks URLs quoted inside free text, including an unescaped @ in the password', () => {
    expect(redactText(`cannot use redis://app:${SECRET}@h:1/0 and rediss://${SECRET}@k: refused`)).toBe(
      'cannot use redis://app:***@h:1/0 and rediss://***@k: refused',
    );
    expect(redactText(`redis://app:p@${SECRET}@h:1`)).toBe('redis://app:***@h:1');
    expect(errorText(new Error(`bad redis://u:${SECRET}@h`))).toBe('bad redis://u:***@h');
    expect(redactText('connect ECONNREFUSED 127.0.0.1:6379')).toBe('connect ECONNREFUSED 127.0.0.1:6379');
  });
});

describe('the settings endpoint and the logs with a password-protected Redis', () => {
  let redis: TestRedis;
  let server: TestServer | undefined;
  const dataDir = tempDir('sb-redact-');

  beforeAll(async () => {
    redis = await startRedis();
    const c = createClient({ url: redis.url });
    await c.connect();
    await c.configSet('requirepass', SECRET);
    await c.quit().catch(() => undefined);
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.cleanup();
  });

  const withPw = (pw: string, user = 'default') => `redis://${user}:${pw}@127.0.0.1:${redis.port}`;
  const noSecret = (what: unknown) => expect(JSON.stringify(what)).not.toContain(SECRET);

  it('PATCH and GET show redis://user:***@host, and the logs never hold the password', async () => {
    server = await startServer({ dataDir });
    const admin = await adminClient(server);
    const r = await admin.patch('/api/v1/settings', { redis_url: withPw(SECRET) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.scale_out).toMatchObject({
      redis_url: `redis://default:***@127.0.0.1:${redis.port}`,
      state: 'connected',
    });
    const g = await admin.get('/api/v1/settings');
    expect(g.body.scale_out.redis_url).toBe(`redis://default:***@127.0.0.1:${redis.port}`);
    noSecret(r.body);
    noSecret(g.body);

    // A wrong password (and a lone secret in the user part) is refused without echoing it.
    for (const url of [withPw(`${SECRET}-wrong`), `redis://${SECRET}@127.0.0.1:${redis.port}`]) {
      const bad = await admin.patch('/api/v1/settings', { redis_url: url });
      expect(bad.status).toBe(400);
      noSecret(bad.body);
    }
    noSecret(server.logs);
  });

  it('a saved setting whose Redis is away at start is shown and logged masked', async () => {
    await server!.stop({ keepData: true });
    server = undefined;
    // Save a lone-secret URL (the user part is what Redis would take as the password) to a dead port.
    const dead = `redis://${SECRET}@127.0.0.1:${await freePort()}`;
    const { Store } = await import('../../src/main/store');
    const store = new Store(dataDir);
    store.settings.set('redis_url', dead);
    store.close();

    server = await startServer({ dataDir });
    const admin = await adminClient(server);
    const g = await admin.get('/api/v1/settings');
    expect(g.body.scale_out).toMatchObject({ state: 'error', source: 'setting' });
    expect(g.body.scale_out.redis_url).toMatch(/^redis:\/\/\*\*\*@127\.0\.0\.1:\d+$/);
    noSecret(g.body);
    expect(server.logs.join('\n')).toMatch(/saved Redis redis:\/\/\*\*\*@127\.0\.0\.1:\d+ is unreachable/);
    noSecret(server.logs);
  });

  it('a --redis flag with a password that fails the start says so without the password', async () => {
    const port = await freePort();
    const err = await startServer({
      dataDir: tempDir('sb-redact-'),
      redisUrl: `redis://${SECRET}@127.0.0.1:${port}`,
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain(`redis://***@127.0.0.1:${port}`);
    noSecret(err!.message);
  });
});
