import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/server';
import {
  createCollection,
  printOutputOnFailure,
  ROOT,
  startCluster,
  subscribeWhenKnown,
  type TestCluster,
} from '../helpers/cluster';
import { EXAMPLE_CONF, renderConfig, startNginx, type TestNginx } from '../helpers/nginx';
import { closeAll, event, eventually, native, sse } from '../helpers/ws';

let c: TestCluster;
let lb: TestNginx;
beforeAll(async () => {
  c = await startCluster({ edges: 2 });
  lb = await startNginx(c.edges.map((e) => e.url));
});
afterAll(async () => {
  await lb?.stop();
  await c?.stop();
});
afterEach(closeAll);
printOutputOnFailure(() => ({ output: () => `${c?.output()}\n--- nginx\n${lb?.output()}` }));

describe('nginx (docs/nginx.conf.example) balancing the edges', () => {
  it('renders the example with one upstream line per edge and the chosen listen port', () => {
    const conf = renderConfig(
      ['http://127.0.0.1:1111', 'http://127.0.0.1:2222', 'http://127.0.0.1:3333'],
      4444,
    );
    expect(conf.match(/^\s*server 127\.0\.0\.1:\d+.*;$/gm)!.map((l) => l.trim())).toEqual([
      'server 127.0.0.1:1111 max_fails=1 fail_timeout=5s;',
      'server 127.0.0.1:2222 max_fails=1 fail_timeout=5s;',
      'server 127.0.0.1:3333 max_fails=1 fail_timeout=5s;',
    ]);
    expect(conf).toContain('listen 127.0.0.1:4444;');
    // What WebSocket and SSE need from a proxy is in it.
    for (const directive of [
      'proxy_http_version 1.1;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection $connection_upgrade;',
      'proxy_read_timeout 1h;',
      'proxy_buffering off;',
    ])
      expect(conf).toContain(directive);
  });

  it('docs/scaling.md shows docs/nginx.conf.example unchanged', () => {
    const doc = readFileSync(join(ROOT, 'docs/scaling.md'), 'utf8');
    const block = /```nginx\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBe(readFileSync(EXAMPLE_CONF, 'utf8'));
  });

  it('a native WebSocket subscriber and an SSE subscriber through nginx receive a write made through nginx', async () => {
    // Everything through the one address: sign in, create the collection, subscribe, write.
    const admin = new Client(lb.url);
    await admin.login();
    const name = await createCollection(admin, 'through_nginx');
    const ws = await native(lb.url, { token: admin.token });
    await subscribeWhenKnown(ws, { collection: name });
    // The edges learn the collection from the stream; the SSE subscriber may land on the other one.
    const stream = await eventually(
      () => sse(`${lb.url}/api/v1/sse/realtime?collection=${name}&token=${admin.token}`),
      (s) => s.status !== 404 || (s.close(), false),
    );
    expect(stream.status, JSON.stringify(stream.body)).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);

    const r = await admin.post(`/api/v1/collections/${name}/records`, { title: 'via nginx' });
    expect(r.status).toBe(201);
    const got = await ws.next(event('record.created', name));
    expect(got.data).toMatchObject({ record_id: r.body.id, data: { title: 'via nginx' } });
    // Unbuffered (proxy_buffering off, and the server's X-Accel-Buffering: no): the one small
    // event arrives on its own, not when a buffer fills.
    const frame = await stream.next((f) => f.event === 'record.created');
    expect(frame.data).toMatchObject({ record_id: r.body.id, seq: got.data.seq });
    expect(frame.id).toBe(String(got.data.seq));

    // least_conn over the shared zone: the two long-lived connections went to different edges.
    stream.close();
    await ws.close();
    const edges = c.edges.map((e) => new URL(e.url).host);
    const upstreams = await eventually(
      async () =>
        lb
          .accessLog()
          .split('\n')
          .filter((l) => /"GET \/api\/v1\/(ws\/realtime" 101|sse\/realtime" 200) /.test(l))
          .map((l) => /upstream=(\S+)/.exec(l)?.[1]),
      (u) => u.length >= 2,
    );
    expect(
      upstreams.every((u) => edges.includes(u!)),
      lb.output(),
    ).toBe(true);
    expect(new Set(upstreams).size, upstreams.join(' ')).toBe(2);
    // The access log never holds a token (clients send it as ?token=).
    expect(lb.accessLog()).not.toContain(admin.token!);
  });
});
