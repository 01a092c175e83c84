import { expect } from 'vitest';
import type { ClientOptions } from 'ws';
import { userClient, type Client } from '../helpers/server';
import {
  closeAll,
  openWs,
  within,
  WAIT_MS,
  sse as sseFrames,
  type SseClient as FrameStream,
  type Frame,
  type SseFrame,
  type WsClient,
} from '../helpers/ws';
import { createCollection, uniq } from '../api/support';

// The dialect tests' WebSocket and SSE clients are the shared ones (tests/helpers/ws.ts); this module adds the
// shapes these tests read (subprotocols first, SSE events as EventSource gives them) and the REST steps.
export { closeAll, within, WAIT_MS };
export type { Frame, Pred } from '../helpers/ws';
export type Ws = WsClient;

/** `http://…` -> `ws://…` + path (+ query). */
export const wsUrl = (base: string, pathAndQuery: string) => base.replace(/^http/, 'ws') + pathAndQuery;

/** Opens a WebSocket (with subprotocols if given) and resolves once it is open. */
export const open = (url: string, protocols: string[] = [], opts: ClientOptions = {}): Promise<Ws> =>
  openWs(url, opts, protocols);

/** How the server closed a socket (waits for it). */
export const closeOf = (c: Ws) => c.waitClose();

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

/** One Server-Sent Event as the browser's EventSource gives it (type `message` unless named, data as text). */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** A streaming SSE response (or the refusal, with its JSON body), read event by event. */
export interface SseClient {
  status: number;
  headers: FrameStream['headers'];
  /** The parsed JSON body of a non-200 answer. */
  body: unknown;
  readonly events: SseEvent[];
  next(pred?: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

// Comment-only blocks (heartbeats) are not events to EventSource.
const isEvent = (f: SseFrame) => f.text !== undefined || f.event !== undefined || f.id !== undefined;
const asEvent = (f: SseFrame): SseEvent => ({
  ...(f.id !== undefined && { id: f.id }),
  event: f.event ?? 'message',
  data: f.text ?? '',
});

/** Opens an SSE stream (the shared client) and reads it as EventSource would. */
export async function sse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const s = await sseFrames(url, headers, true);
  return {
    status: s.status,
    headers: s.headers,
    body: s.body,
    get events() {
      return s.frames.filter(isEvent).map(asEvent);
    },
    next: (pred = () => true, timeoutMs = WAIT_MS) =>
      s.next((f) => isEvent(f) && pred(asEvent(f)), timeoutMs).then(asEvent),
    ended: s.ended,
    close: () => s.close(),
  };
}

/** The JSON of an SSE event's data. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (e: SseEvent): any => JSON.parse(e.data);

export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
