import type { IncomingMessage, ServerResponse } from 'node:http';
import { commaList, NAME_PATTERN, type Collection } from '../../../shared/schema';
import type { Authenticator } from '../../auth';
import { credentialOf } from '../../auth/credential';
import { ruleAccess } from '../../auth/rules';
import type { Hub } from '../hub';
import { verifyCredential } from '../spec';
import { openSse, resumeAfter, sseMessage, type SseStream } from '../sse';
import type { LiveEvent, SubscriptionSpec } from '../types';
import { ALL_OPERATIONS, eventsOf, type Operation } from './operations';
import { closeReason, collectionError, eventBody, parseOps } from './snackbase';

/**
 * SnackBase's stream: `event: heartbeat` with a fresh timestamp after an idle period (not on a
 * fixed beat), token expiry in its own words.
 */
const stream = (idleMs: number): SseStream => ({
  dialect: 'snackbase-sse',
  heartbeat: () => sseMessage('heartbeat', JSON.stringify({ timestamp: new Date().toISOString() })),
  heartbeatMs: idleMs,
  beatWhenIdle: true,
  closeReason,
});

/** One collection and its operations, as an SSE query names them. */
export interface SseSub {
  collection: string;
  ops: Operation[];
}

/**
 * `collection=a&collection=b` (all operations) and `collections=a:create,update;b` (repeatable).
 * An empty name (`collection=`, `collections=;a`) is an error, not a stream without it.
 */
export function parseSseQuery(q: URLSearchParams): SseSub[] | string {
  const byName = new Map<string, Set<Operation>>();
  const add = (name: string, ops: Operation[]) => {
    const set = byName.get(name) ?? new Set<Operation>();
    for (const o of ops) set.add(o);
    byName.set(name, set);
  };
  for (const name of q.getAll('collection')) {
    if (!name.trim()) return 'Missing collection';
    add(name, ALL_OPERATIONS);
  }
  for (const value of q.getAll('collections')) {
    for (const item of value.split(';')) {
      const [name = '', list] = item.split(':', 2).map((s) => s.trim());
      if (!name) return 'Missing collection';
      const ops = parseOps(list ? commaList(list) : undefined);
      if (typeof ops === 'string') return `${ops} (collection '${name}')`;
      add(name, ops);
    }
  }
  return [...byName].map(([collection, ops]) => ({ collection, ops: [...ops] }));
}

/** The SSE frame of a record event: `id: SEQ`, `event: message`, the WebSocket message as data. */
export function sseFrame(ev: LiveEvent): string | null {
  const body = eventBody(ev);
  return body === null ? null : sseMessage('message', body, ev.seq);
}

/**
 * The hub subscription of an SSE connection. One collection subscribes to it; several share
 * one subscription to every collection whose encoder keeps theirs, so a resume replays them
 * in seq order and `Last-Event-ID` never skips an event.
 */
export function sseSpec(subs: SseSub[]): Omit<SubscriptionSpec, 'since'> {
  const events = eventsOf(subs.flatMap((s) => s.ops));
  if (subs.length === 1) {
    const { collection } = subs[0]!;
    return {
      key: collection,
      collection,
      events,
      leaves: false,
      presence: false,
      shape: 'snackbase-sse',
      encode: sseFrame,
    };
  }
  const wanted = new Map(subs.map((s) => [s.collection, eventsOf(s.ops)]));
  const key = subs
    .map((s) => `${s.collection}:${[...s.ops].sort().join(',')}`)
    .sort()
    .join(';');
  return {
    key,
    collection: '*',
    events,
    leaves: false,
    presence: false,
    shape: `snackbase-sse|${key}`,
    encode: (ev) => (ev.collection && wanted.get(ev.collection)?.has(ev.type) ? sseFrame(ev) : null),
  };
}

/** Answers an SSE request with SnackBase's error body. */
function refuse(res: ServerResponse, status: number, detail: string): void {
  const body = JSON.stringify({ detail });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The SnackBase SSE endpoint (`GET /api/v1/realtime/subscribe`, DIALECTS.md §3): token by
 * `Authorization: Bearer` or `?token=` (`credentialOf`); 401 `{"detail"}` without a valid one; `event: message`
 * frames with `id: SEQ` so `Last-Event-ID` resumes.
 */
export function snackbaseSse(
  hub: Hub,
  auth: Authenticator,
  collection: (name: string) => Collection | undefined,
) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const q = url.searchParams;
    const token = credentialOf(req, url);
    if (!token) return refuse(res, 401, 'Missing token');
    const v = await verifyCredential(auth, token);
    if (!v.ok) return refuse(res, 401, 'Invalid token');
    const principal = v.principal;
    const subs = parseSseQuery(q);
    if (typeof subs === 'string') return refuse(res, 400, subs);
    for (const s of subs) {
      const bad = collectionError(s.collection, collection);
      if (bad) return refuse(res, NAME_PATTERN.test(s.collection) ? 404 : 400, bad);
      const a = ruleAccess(principal, collection(s.collection)!, 'view');
      if (!a.allowed) return refuse(res, 403, a.reason);
    }
    const since = resumeAfter(req, q);
    if (typeof since === 'string') return refuse(res, 400, since);
    if (!hub.hasRoom())
      return refuse(res, 503, `The server is at its connection limit (${hub.opts.maxConnections}).`);
    if (!hub.hasRoomFor(principal))
      return refuse(
        res,
        503,
        `Too many connections for this user (at most ${hub.opts.maxConnectionsPerUser}).`,
      );

    await openSse(hub, req, res, {
      stream: stream(hub.opts.pingEveryMs),
      principal,
      since,
      specs: subs.length ? [sseSpec(subs)] : [],
    });
  };
}
