import { request, type IncomingHttpHeaders } from 'node:http';
import { expect } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { userClient, type Client } from '../helpers/server';
import { createCollection, uniq } from '../api/support';

// note: generous for a loaded CI box, still far below the test timeout.
export const WAIT_MS = 5000;

/** Rejects after `ms` with a message that says what was awaited. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** A received frame (its JSON, or `{ raw }` when it is not JSON), or a record as REST returns it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = Record<string, any>;
export type Pred = (f: Frame) => boolean;

/** A WebSocket client that queues frames and lets a test await the one it wants. */
export interface Ws {
  ws: WebSocket;
  frames: Frame[];
  send(msg: unknown): void;
  next(pred?: Pred, timeoutMs?: number): Promise<Frame>;
  /** Frames received and not taken yet. */
  pending(): Frame[];
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

const openSockets = new Set<Ws>();

/** `http://…` -> `ws://…` + path (+ query). */
export const wsUrl = (base: string, pathAndQuery: string) => base.replace(/^http/, 'ws') + pathAndQuery;

/** Opens a WebSocket (with subprotocols if given) and resolves once it is open. */
export function open(url: string, protocols: string[] = [], opts: ClientOptions = {}): Promise<Ws> {
  const ws = new WebSocket(url, protocols, opts);
  const frames: Frame[] = [];
  const queue: Frame[] = [];
  const waiters: { pred: Pred; resolve: (f: Frame) => void }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.once('close', (code, reason) => r({ code, reason: reason.toString() })),
  );
  ws.on('message', (data) => {
    const text = data.toString();
    let f: Frame;
    try {
      f = JSON.parse(text) as Frame;
      if (typeof f !== 'object' || f === null) f = { raw: text };
    } catch {
      f = { raw: text };
    }
    frames.push(f);
    const i = waiters.findIndex((w) => w.pred(f));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(f);
    else queue.push(f);
  });
  const client: Ws = {
    ws,
    frames,
    closed,
    send: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    next(pred = () => true, timeoutMs = WAIT_MS) {
      const i = queue.findIndex(pred);
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]!);
      const w = { pred, resolve: (_f: Frame) => {} };
      waiters.push(w);
      return within(
        new Promise<Frame>((r) => (w.resolve = r)),
        timeoutMs,
        `a frame; last frames: ${JSON.stringify(frames.slice(-3)).slice(0, 600)}`,
      ).catch((e: unknown) => {
        waiters.splice(waiters.indexOf(w), 1);
        throw e;
      });
    },
    pending: () => [...queue],
    async close() {
      openSockets.delete(client);
      if (ws.readyState === WebSocket.CLOSED) return;
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close();
      await within(closed, WAIT_MS, 'our close').catch(() => ws.terminate());
    },
  };
  openSockets.add(client);
  return within(
    new Promise<Ws>((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    }),
    WAIT_MS,
    `${url} to open`,
  );
}

/** How the server closed a socket (waits for it). */
export const closeOf = (c: Ws) => within(c.closed, WAIT_MS, 'the server to close the socket');

/** Closes every socket and stream a test left open; call from afterEach. */
export async function closeAll(): Promise<void> {
  for (const c of [...openSse]) c.close();
  await Promise.all([...openSockets].map((c) => c.close()));
}

/** A `rules` object with one read rule for list and view; anyone signed in may write. */
export const rules = (view: unknown = 'public') => ({
  list: view,
  view,
  create: 'auth',
  update: 'auth',
  delete: 'auth',
});

/** A fresh collection with title/status/n/owner fields and the given read rule. */
export async function collection(admin: Client, view: unknown = 'public', prefix = 'd'): Promise<string> {
  const name = uniq(prefix);
  await createCollection(admin, {
    name,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'status', type: 'text' },
      { name: 'n', type: 'number' },
      { name: 'owner', type: 'text' },
    ],
    rules: rules(view),
  });
  return name;
}

export const recs = (name: string) => `/api/v1/collections/${name}/records`;

/** Creates a record and returns it as REST does. */
export async function create(c: Client, name: string, body: Record<string, unknown>): Promise<Frame> {
  const r = await c.post(recs(name), body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** Updates a record and returns it. */
export async function update(
  c: Client,
  name: string,
  id: string,
  body: Record<string, unknown>,
): Promise<Frame> {
  const r = await c.patch(`${recs(name)}/${id}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

export async function remove(c: Client, name: string, id: string): Promise<void> {
  const r = await c.del(`${recs(name)}/${id}`);
  expect(r.status, JSON.stringify(r.body)).toBe(204);
}

/** A bulk update (one request, one transaction, one trace_id for all its events). */
export async function bulkUpdate(
  c: Client,
  name: string,
  filter: unknown,
  body: Record<string, unknown>,
): Promise<number> {
  const r = await c.patch(`${recs(name)}?filter=${encodeURIComponent(JSON.stringify(filter))}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.updated;
}

export async function bulkDelete(c: Client, name: string, filter: unknown): Promise<number> {
  const r = await c.del(`${recs(name)}?filter=${encodeURIComponent(JSON.stringify(filter))}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.deleted;
}

/**
 * Waits until the hub holds `n` subscriptions on `name` (dialects without an acknowledgement
 * subscribe in the background; the admin's stats say when they are in place).
 */
export async function waitSubs(admin: Client, name: string, n = 1): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const r = await admin.get('/api/v1/stats');
    const count = (r.body.subscriptions_by_collection as Record<string, number>)[name] ?? 0;
    if (count >= n) return;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${n} subscriptions on ${name} (have ${count})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until `n` subscriptions whose key passes `match` are live (from the admin's stats). */
export async function waitKeys(admin: Client, match: (key: string) => boolean, n = 1): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const r = await admin.get('/api/v1/stats');
    const keys = Object.values(r.body.subscriptions as Record<string, string[]>).flat();
    const count = keys.filter(match).length;
    if (count >= n) return;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${n} subscriptions (have ${JSON.stringify(keys)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Connections per dialect, from the admin's stats. */
export async function dialectCounts(admin: Client): Promise<Record<string, number>> {
  return (await admin.get('/api/v1/stats')).body.connections_by_dialect;
}

let users = 0;
/** A new user of the given role (and account), signed in. */
export const user = (admin: Client, role: 'admin' | 'editor' | 'viewer' = 'editor', account?: string) =>
  userClient(admin, `dialect-${++users}-${Math.random().toString(36).slice(2, 6)}@test.local`, role, account);

/** One Server-Sent Event as the browser's EventSource parses it. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** A streaming SSE response (or the refusal, with its JSON body). */
export interface SseClient {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body of a non-200 answer. */
  body: unknown;
  events: SseEvent[];
  next(pred?: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

const openSse = new Set<SseClient>();

/** Opens an SSE stream with node:http (EventSource's parsing: blocks split by a blank line). */
export function sse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return within(
    new Promise<SseClient>((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        const events: SseEvent[] = [];
        const queue: SseEvent[] = [];
        const waiters: { pred: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
        let buf = '';
        let body = '';
        let endResolve = () => {};
        const ended = new Promise<void>((r) => (endResolve = r));
        res.setEncoding('utf8');
        res.on('end', () => endResolve());
        res.on('close', () => endResolve());
        const client: SseClient = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: undefined,
          events,
          ended,
          next(pred = () => true, timeoutMs = WAIT_MS) {
            const i = queue.findIndex(pred);
            if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]!);
            const w = { pred, resolve: (_e: SseEvent) => {} };
            waiters.push(w);
            return within(
              new Promise<SseEvent>((r) => (w.resolve = r)),
              timeoutMs,
              `an SSE event; last: ${JSON.stringify(events.slice(-3))}`,
            ).catch((e: unknown) => {
              waiters.splice(waiters.indexOf(w), 1);
              throw e;
            });
          },
          close() {
            openSse.delete(client);
            req.destroy();
          },
        };
        if (res.statusCode !== 200) {
          res.on('data', (d: string) => (body += d));
          res.on('end', () => {
            client.body = body ? JSON.parse(body) : undefined;
            resolve(client);
          });
          return;
        }
        openSse.add(client);
        res.on('data', (d: string) => {
          buf += d;
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const e: SseEvent = { event: 'message', data: '' };
            const data: string[] = [];
            let any = false;
            for (const line of block.split('\n')) {
              if (line.startsWith(':') || line === '') continue;
              const c = line.indexOf(':');
              const field = c < 0 ? line : line.slice(0, c);
              const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
              any = true;
              if (field === 'id') e.id = value;
              else if (field === 'event') e.event = value;
              else if (field === 'data') data.push(value);
            }
            if (!any) continue;
            e.data = data.join('\n');
            events.push(e);
            const w = waiters.findIndex((x) => x.pred(e));
            if (w >= 0) waiters.splice(w, 1)[0]!.resolve(e);
            else queue.push(e);
          }
        });
        resolve(client);
      });
      req.on('error', reject);
      req.end();
    }),
    WAIT_MS,
    `${url} to answer`,
  );
}

/** The JSON of an SSE event's data. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (e: SseEvent): any => JSON.parse(e.data);

export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
