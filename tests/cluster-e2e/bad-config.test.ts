import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, tempDir } from '../helpers/server';
import { freePort, startRedis, type TestRedis } from '../helpers/redis';
import { createClient } from 'redis';
import { createCollection, runCli, startCluster, type CliRun } from '../helpers/cluster';
import { closeAll, native } from '../helpers/ws';

// One redis-server with no primary behind it (nothing ever wrote the primary's key).
let empty: TestRedis;
let dead: string;
let dir: string;
beforeAll(async () => {
  empty = await startRedis();
  // A port nothing listens on: Redis is unreachable there.
  dead = `redis://127.0.0.1:${await freePort()}`;
  dir = tempDir('sb-badconf-');
});
afterAll(async () => {
  await empty?.cleanup();
  if (dir) cleanup(dir);
});

/** Exit 1, nothing on stdout, and exactly one line on stderr, which is returned. */
function oneLine(r: CliRun): string {
  expect({ code: r.code, signal: r.signal, stdout: r.stdout }).toEqual({ code: 1, signal: null, stdout: '' });
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('bad cluster configuration fails at start with one clear line and exit 1', () => {
  it('a primary whose Redis is unreachable', async () => {
    const line = oneLine(await runCli(['--port', '0', '--data-dir', dir, '--redis', dead]));
    expect(line).toMatch(
      /^switchboard: redis relay: cannot use redis:\/\/127\.0\.0\.1:\d+\/?: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
    );
  });

  it('an edge whose Redis is unreachable', async () => {
    const line = oneLine(
      await runCli(['--edge', '--port', '0', '--redis', dead, '--primary', 'http://127.0.0.1:9']),
    );
    expect(line).toMatch(
      /^switchboard: redis: cannot connect to redis:\/\/127\.0\.0\.1:\d+\/?: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
    );
  });

  it('an edge without --primary', async () => {
    const line = oneLine(await runCli(['--edge', '--port', '0', '--redis', empty.url]));
    expect(line).toBe(
      'switchboard: an edge needs --primary http://HOST:PORT (the instance that holds the data)',
    );
  });

  it('an edge without --redis', async () => {
    const line = oneLine(await runCli(['--edge', '--port', '0', '--primary', 'http://127.0.0.1:9']));
    expect(line).toBe('switchboard: an edge needs --redis URL (the stream the primary relays to)');
  });

  it('an edge whose Redis has no primary yet', async () => {
    const line = oneLine(
      await runCli(['--edge', '--port', '0', '--redis', empty.url, '--primary', 'http://127.0.0.1:9']),
    );
    expect(line).toMatch(
      /^switchboard: redis redis:\/\/127\.0\.0\.1:\d+\/? holds no primary's key yet: start the primary with --redis first$/,
    );
  });

  it('an edge with a --primary that is not a URL', async () => {
    const line = oneLine(
      await runCli(['--edge', '--port', '0', '--redis', empty.url, '--primary', 'not a url']),
    );
    expect(line).toBe("switchboard: invalid --primary 'not a url': use http://HOST:PORT");
  });
});

describe('a second primary on a running cluster’s Redis', () => {
  it('fails at start with one line and leaves the running cluster as it was', async () => {
    const c = await startCluster({ edges: 1 });
    const second = tempDir('sb-second-');
    const r = createClient({ url: c.redis.url });
    r.on('error', () => {});
    try {
      await createCollection(c.admin, 'first_primary');
      const k = await c.admin.post('/api/v1/keys', { name: 'kiosk', role: 'viewer' });
      expect(k.status).toBe(201);
      await r.connect();
      const before = { jwk: await r.get('switchboard:jwk'), keys: await r.hGetAll('switchboard:keys') };

      const line = oneLine(await runCli(['--port', '0', '--data-dir', second, '--redis', c.redis.url]));
      expect(line).toMatch(
        /^switchboard: redis relay: cannot use redis:\/\/127\.0\.0\.1:\d+\/?: stream 'switchboard:events' is ahead of the outbox \(last id \d+, last seq \d+\): another primary writes to it or the database was replaced; delete the key or use another one$/,
      );
      // It wrote nothing: the edge still verifies the first primary's tokens and keys.
      expect({ jwk: await r.get('switchboard:jwk'), keys: await r.hGetAll('switchboard:keys') }).toEqual(
        before,
      );
      await native(c.edges[0]!.url, { token: k.body.key });
      await native(c.edges[0]!.url, { token: c.admin.token });
      await closeAll();
    } finally {
      r.destroy();
      cleanup(second);
      await c.stop();
    }
  }, 60_000);
});
