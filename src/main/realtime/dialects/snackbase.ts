import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { MAX_JSON_DEPTH, nestedDeeper } from '../../../shared/json-depth';
import { commaList, NAME_PATTERN, type Collection } from '../../../shared/schema';
import type { Authenticator, Principal } from '../../auth';
import { credentialOf } from '../../auth/credential';
import { ruleAccess } from '../../auth/rules';
import { CLOSE, type Hub } from '../hub';
import { SseTransport, startSse } from '../sse';
import { verifyCredential } from '../spec';
import type { Connection, Encoder, LiveEvent, SubscriptionSpec } from '../types';
import { remoteOf, WsTransport } from '../ws-transport';
import { wireSocket, type WsDialect } from '../ws-server';
import { ALL_OPERATIONS, eventsOf, isOperation, OPERATION_OF, type Operation } from './operations';

const now = () => new Date().toISOString();

/** `{"type":"posts.create","timestamp","data":{record}}`, or null for anything but a record event. */
export function eventBody(ev: LiveEvent): string | null {
  const op = OPERATION_OF[ev.type];
  return op
    ? JSON.stringify({ type: `${ev.collection}.${op}`, timestamp: ev.timestamp, data: ev.data })
    : null;
}

/** The operations a client asked for: omitted or empty means all; anything else is an error. */
export function parseOps(raw: unknown): Operation[] | string {
  if (raw === undefined || raw === null) return ALL_OPERATIONS;
  if (!Array.isArray(raw) || !raw.every(isOperation)) {
    return `Invalid operations: use a list of ${ALL_OPERATIONS.join(', ')}`;
  }
  return raw.length ? [...new Set(raw)] : ALL_OPERATIONS;
}

/** Why a name is not a collection a client may subscribe to (`*` is not a name here), or null. */
function collectionError(name: string, collection: (name: string) => Collection | undefined): string | null {
  if (!NAME_PATTERN.test(name))
    return `Invalid collection name '${name.slice(0, 64)}': use ^[a-z][a-z0-9_]{0,62}$`;
  return collection(name) ? null : `Collection '${name}' not found`;
}

/**
 * The token of a SnackBase WebSocket, read by `credentialOf`: `Authorization: Bearer`, then the
 * raw `Sec-WebSocket-Protocol` value (what browsers can send), then `?token=`.
 */
function wsToken(req: IncomingMessage, url: URL): string | undefined {
  return credentialOf(req, url, () => {
    const raw = (req.headers['sec-websocket-protocol'] ?? '').trim();
    // The original takes the header as is; a client that lists more than one value (`Bearer, T`) means the last.
    return raw
      .split(',')
      .map((s) => s.trim())
      .findLast(Boolean);
  });
}

/** SnackBase's WebSocket transport: its heartbeat message, and token expiry as a 1008 close. */
class SnackbaseTransport extends WsTransport {
  constructor(ws: WebSocket, req: IncomingMessage) {
    super(ws, 'snackbase', req, () => JSON.stringify({ type: 'heartbeat', timestamp: now() }));
  }

  override close(code: number, reason: string): void {
    if (code === CLOSE.tokenExpired.code) super.close(1008, 'Token expired');
    else super.close(code, reason);
  }
}

/**
 * The SnackBase WebSocket dialect (DIALECTS.md §3): authentication required, then
 * `subscribe`/`unsubscribe`/`ping` actions; one event message per record.
 */
export function snackbaseDialect(
  hub: Hub,
  auth: Authenticator,
  collection: (name: string) => Collection | undefined,
): WsDialect {
  const reply = (conn: Connection, body: Record<string, unknown>) => hub.send(conn, JSON.stringify(body));
  const error = (conn: Connection, message: string): void => {
    reply(conn, { error: message });
  };
  const encode: Encoder = (ev) => eventBody(ev);

  async function onMessage(conn: Connection, raw: RawData): Promise<void> {
    if (conn.closed || !conn.principal) return;
    let msg: unknown;
    const text = raw.toString();
    try {
      msg = JSON.parse(text);
    } catch {
      error(conn, 'Invalid JSON');
      return;
    }
    if (nestedDeeper(text)) {
      error(conn, `Invalid message: nests deeper than ${MAX_JSON_DEPTH} levels`);
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      error(conn, 'Invalid message: expected a JSON object with an action');
      return;
    }
    const m = msg as Record<string, unknown>;
    hub.message(conn, m);
    const action = typeof m.action === 'string' ? m.action.toLowerCase() : '';
    switch (action) {
      case 'ping':
        reply(conn, { type: 'pong' });
        return;
      case 'pong':
        return;
      case 'subscribe': {
        const name = m.collection;
        if (typeof name !== 'string' || name === '') return error(conn, 'Missing collection');
        const bad = collectionError(name, collection);
        if (bad) return error(conn, bad);
        const ops = parseOps(m.operations);
        if (typeof ops === 'string') return error(conn, ops);
        const r = await hub.subscribe(conn, {
          key: name,
          collection: name,
          events: eventsOf(ops),
          leaves: false,
          presence: false,
          shape: 'snackbase',
          encode,
        });
        if (!r.ok) return error(conn, r.message);
        // The server sends `status`, the SDK waits for `type`: both (DIALECTS.md §3).
        reply(conn, { type: 'subscribed', status: 'subscribed', collection: name });
        return;
      }
      case 'unsubscribe': {
        const name = m.collection;
        if (typeof name !== 'string' || name === '') return error(conn, 'Missing collection');
        if (!NAME_PATTERN.test(name))
          return error(conn, `Invalid collection name '${name.slice(0, 64)}': use ^[a-z][a-z0-9_]{0,62}$`);
        if (!hub.unsubscribe(conn, name)) return error(conn, `Not subscribed to '${name}'`);
        reply(conn, { type: 'unsubscribed', status: 'unsubscribed', collection: name });
        return;
      }
      default:
        error(conn, `Unknown action: ${String(m.action ?? '').slice(0, 64)}`);
    }
  }

  return {
    name: 'snackbase',
    paths: ['/api/v1/realtime/ws'],
    // A browser that sends the token as its subprotocol aborts unless the server picks one.
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
    open(ws: WebSocket, req: IncomingMessage, url: URL) {
      const token = wsToken(req, url);
      const conn = hub.attach(new SnackbaseTransport(ws, req), null, !!token);
      const queue = wireSocket(ws, hub, conn, onMessage);
      // SnackBase accepts, then closes with 1008 when authentication fails.
      if (!token) {
        hub.close(conn, 1008, 'Missing token');
        return;
      }
      // Messages queue behind the check, so a subscribe sent right after open is not lost.
      queue(async () => {
        const v = await verifyCredential(auth, token);
        // a connection that closed meanwhile must not join presence
        if (conn.closed) return;
        if (!v.ok) hub.close(conn, 1008, 'Authentication failed');
        else hub.authenticate(conn, v.principal);
      });
    },
  };
}

/**
 * SnackBase's SSE transport: `event: heartbeat` with a fresh timestamp after `idleMs` without
 * a frame (not on a fixed beat), and token expiry said in SnackBase's words.
 */
class SnackbaseSseTransport extends SseTransport {
  private readonly idle: NodeJS.Timeout;
  private ended = false;

  constructor(res: ServerResponse, remote: string, idleMs: number) {
    // note: the base class's fixed beat is parked at setTimeout's maximum; the idle timer below replaces it.
    super(res, 'snackbase-sse', remote, '', 2 ** 31 - 1);
    this.idle = setTimeout(() => this.beat(), idleMs);
    this.idle.unref();
    res.on('close', () => this.stop());
  }

  override send(frame: string | Buffer): void {
    if (this.ended) return;
    super.send(frame);
    this.idle.refresh();
  }

  /** The hub's periodic call: SnackBase beats on idleness instead, so nothing here. */
  override heartbeat(): void {}

  private beat(): void {
    this.send(`event: heartbeat\ndata: ${JSON.stringify({ timestamp: now() })}\n\n`);
  }

  private stop(): void {
    this.ended = true;
    clearTimeout(this.idle);
  }

  override close(code: number, reason: string): void {
    this.stop();
    super.close(code, code === CLOSE.tokenExpired.code ? 'Token expired' : reason);
  }
}

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
  if (body === null) return null;
  return `${ev.seq !== undefined ? `id: ${ev.seq}\n` : ''}event: message\ndata: ${body}\n\n`;
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
    const principal: Principal = v.principal;
    const subs = parseSseQuery(q);
    if (typeof subs === 'string') return refuse(res, 400, subs);
    for (const s of subs) {
      const bad = collectionError(s.collection, collection);
      if (bad) return refuse(res, NAME_PATTERN.test(s.collection) ? 404 : 400, bad);
      const a = ruleAccess(principal, collection(s.collection)!, 'view');
      if (!a.allowed) return refuse(res, 403, a.reason);
    }
    const last = req.headers['last-event-id'] ?? q.get('last_event_id') ?? '';
    if (last !== '' && !/^\d+$/.test(String(last))) {
      return refuse(res, 400, `Last-Event-ID must be a seq, got '${String(last).slice(0, 32)}'`);
    }
    const since = last === '' ? undefined : Number(last);
    if (!hub.hasRoom())
      return refuse(res, 503, `The server is at its connection limit (${hub.opts.maxConnections}).`);
    if (!hub.hasRoomFor(principal))
      return refuse(
        res,
        503,
        `Too many connections for this user (at most ${hub.opts.maxConnectionsPerUser}).`,
      );

    startSse(res);
    const transport = new SnackbaseSseTransport(res, remoteOf(req), hub.opts.pingEveryMs);
    const conn = hub.attach(transport, principal);
    if (conn.closed) return;
    res.on('close', () => hub.detach(conn, 1000, 'client closed'));
    if (subs.length === 0) return;
    const spec = sseSpec(subs);
    let r = await hub.subscribe(conn, { ...spec, since });
    if (!r.ok && r.code === 'resume_gap') {
      transport.send(
        `event: resume_gap\ndata: ${JSON.stringify({ code: 'resume_gap', message: r.message })}\n\n`,
      );
      r = await hub.subscribe(conn, spec);
    }
    if (!r.ok) hub.close(conn, 1008, r.message);
  };
}
