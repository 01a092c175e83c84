import { request } from 'node:http';
import { afterAll, beforeAll, expect } from 'vitest';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server';

/** One server per test file, with an admin (the superuser) already signed in. */
export interface Env {
  s: TestServer;
  admin: Client;
  /** An anonymous client. */
  anon: Client;
}

/** Starts a server before the file's tests and stops it after; read the fields inside tests only. */
export function useServer(overrides: Parameters<typeof startServer>[0] = {}): Env {
  const env = {} as Env;
  beforeAll(async () => {
    env.s = await startServer(overrides);
    env.admin = await adminClient(env.s);
    env.anon = new Client(env.s.url);
  });
  afterAll(async () => {
    await env.s?.stop();
  });
  return env;
}

let counter = 0;
/** A collection name no other test in this file uses. */
export function uniq(prefix = 'c'): string {
  counter += 1;
  return `${prefix}_${counter}_${Math.random().toString(36).slice(2, 7)}`;
}

/** Creates a collection and checks it was created. */
export async function createCollection(admin: Client, body: Record<string, unknown>) {
  const r = await admin.post('/api/v1/collections', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** Creates a record and checks it was created. */
export async function createRecord(c: Client, collection: string, body: Record<string, unknown>) {
  const r = await c.post(`/api/v1/collections/${collection}/records`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** The newest seq of the event log. */
export async function lastSeq(admin: Client): Promise<number> {
  const r = await admin.get('/api/v1/events?since=0&limit=1');
  expect(r.status).toBe(200);
  return r.body.last_seq as number;
}

/** Every event after `since` the client may see (follows next_since until the end). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function eventsSince(c: Client, since: number, collection?: string): Promise<any[]> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const out: any[] = [];
  let cursor = since;
  for (;;) {
    const q = `/api/v1/events?since=${cursor}&limit=1000${collection ? `&collection=${collection}` : ''}`;
    const r = await c.get(q);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    out.push(...r.body.events);
    if (r.body.next_since === cursor) return out;
    cursor = r.body.next_since;
  }
}

/** Adds a query string to a path: values are URL-encoded. */
export function withQuery(path: string, q: Record<string, string | number | object>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) p.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  return `${path}?${p.toString()}`;
}

/** A request over node:http, for what fetch will not send (raw paths, bodies without a length). */
export function rawRequest(
  url: string,
  opts: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
    chunks?: Buffer[];
  },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method: opts.method, path: opts.path, headers: opts.headers },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(parts).toString() }),
        );
        res.on('error', reject);
      },
    );
    // note: the server may answer and close before the whole body is sent (413); that is not a failure here.
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
    });
    if (opts.chunks) {
      for (const c of opts.chunks) req.write(c);
      req.end();
    } else req.end(opts.body);
  });
}
