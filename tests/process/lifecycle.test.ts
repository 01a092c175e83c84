import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  cleanup,
  Client,
  exited,
  spawnServer,
  startServer,
  tempDir,
} from '../helpers/server';

const POSTS = {
  name: 'posts',
  fields: [
    { name: 'title', type: 'text', required: true },
    { name: 'n', type: 'number' },
  ],
  rules: { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' },
};

describe('server lifecycle', () => {
  it('keeps collections, records, users, keys, events and tokens across a restart', async () => {
    const first = await startServer();
    const admin = new Client(first.url);
    await admin.login();
    expect((await admin.post('/api/v1/collections', POSTS)).status).toBe(201);
    const rec = await admin.post('/api/v1/collections/posts/records', { title: 'kept', n: 1 });
    const user = await admin.post('/api/v1/users', {
      email: 'ed@test.local',
      password: 'password-1',
      role: 'editor',
    });
    const key = await admin.post('/api/v1/keys', { name: 'kiosk', role: 'viewer' });
    const lastSeq = (await admin.get('/api/v1/events')).body.last_seq;
    await first.stop({ keepData: true });

    const second = await startServer({ dataDir: first.dataDir });
    try {
      // The signing key lives in the data dir, so a token from before the restart still works.
      const again = new Client(second.url, admin.token);
      expect((await again.get(`/api/v1/collections/posts/records/${rec.body.id}`)).body.title).toBe('kept');
      expect((await again.get(`/api/v1/users/${user.body.id}`)).body.email).toBe('ed@test.local');
      const viaKey = new Client(second.url, key.body.key);
      expect((await viaKey.get('/api/v1/collections/posts/records')).body.total_items).toBe(1);
      const ev = await again.get('/api/v1/events');
      expect(ev.body.last_seq).toBe(lastSeq);
      expect(ev.body.events.map((e: { type: string }) => e.type)).toEqual([
        'collection.created',
        'record.created',
      ]);
      // The first-run superuser is not re-created or re-printed.
      expect(second.logs.some((l) => l.startsWith('created superuser'))).toBe(false);
    } finally {
      await second.stop();
    }
  });

  it('prints a generated superuser password once on first run when none is configured', async () => {
    const s = await startServer({ env: {} });
    try {
      const line = s.logs.find((l) => l.startsWith('created superuser'));
      expect(line).toMatch(/^created superuser admin@localhost with password (\S+) \(shown once/);
      const password = /with password (\S+)/.exec(line!)![1]!;
      await new Client(s.url).login('admin@localhost', password);
    } finally {
      await s.stop();
    }
  });

  it('refuses a port in use with one clear line and exit code 1', async () => {
    const dir = tempDir();
    const a = await spawnServer(dir);
    const port = new URL(a.url).port;
    const dir2 = tempDir();
    try {
      const b = spawnServer(dir2, ['--port', port]);
      const err = await b.then(
        () => '',
        (e: Error) => e.message,
      );
      expect(err).toContain(`switchboard: port ${port} on 127.0.0.1 is already in use`);
      expect(err).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace
    } finally {
      a.proc.kill('SIGKILL');
      await exited(a.proc);
      cleanup(dir);
      cleanup(dir2);
    }
  });

  it('refuses an impossible setting at start with one line and exit code 1', async () => {
    const dir = tempDir();
    try {
      const err = await spawnServer(dir, ['--max-anonymous-per-address', '0']).then(
        () => '',
        (e: Error) => e.message,
      );
      expect(err).toMatch(/^server exited with 1:\n/);
      expect(err.split('\n').slice(1).join('\n').trim()).toBe(
        'switchboard: invalid realtime.maxAnonymousPerAddress 0: must be a positive integer',
      );
    } finally {
      cleanup(dir);
    }
  });

  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const dir = tempDir();
    const s = await spawnServer(dir);
    try {
      const admin = new Client(s.url);
      await admin.login();
      await admin.post('/api/v1/collections', POSTS);
      const body = JSON.stringify({ title: 'sent across a shutdown', n: 7 });
      const u = new URL(s.url);
      const res = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            method: 'POST',
            path: '/api/v1/collections/posts/records',
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              authorization: `Bearer ${admin.token}`,
            },
          },
          (r) => {
            let text = '';
            r.on('data', (d) => (text += d));
            r.on('end', () => resolve({ status: r.statusCode!, text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 10));
        // The request is in flight (headers and part of the body sent) when the signal arrives.
        setTimeout(() => {
          s.proc.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(10)), 200);
        }, 200);
      });
      const r = await res;
      expect(r.status).toBe(201);
      expect(JSON.parse(r.text).title).toBe('sent across a shutdown');
      expect(await exited(s.proc)).toEqual({ code: 0, signal: null });

      const again = await spawnServer(dir);
      try {
        const c = new Client(again.url);
        await c.login(ADMIN_EMAIL, ADMIN_PASSWORD);
        expect((await c.get('/api/v1/collections/posts/records')).body.items[0].title).toBe(
          'sent across a shutdown',
        );
      } finally {
        again.proc.kill('SIGTERM');
        await exited(again.proc);
      }
    } finally {
      s.proc.kill('SIGKILL');
      cleanup(dir);
    }
  });
});
