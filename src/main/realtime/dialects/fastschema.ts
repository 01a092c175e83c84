import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { EventType } from '../../../shared/events';
import { FilterError, parseFilter, type FilterNode } from '../../../shared/filter';
import { commaList, NAME_PATTERN, type Collection } from '../../../shared/schema';
import type { Authenticator, Principal } from '../../auth';
import { credentialOf } from '../../auth/credential';
import { fieldTypes } from '../../store/collections';
import type { Hub } from '../hub';
import { verifyCredential } from '../spec';
import type { Connection, LiveEvent } from '../types';
import { wireSocket, type WsDialect } from '../ws-server';
import { FastschemaTransport, fastschemaEncoder, Writes } from './fastschema-writes';
import { ALL_OPERATIONS, eventsOf, isOperation } from './operations';

// note: record ids are short strings; anything longer than this cannot name one.
const MAX_ID = 128;

/** The value of one cookie. */
function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(v) || undefined;
      } catch {
        return v || undefined;
      }
    }
  }
  return undefined;
}

/**
 * A FastSchema token, read by `credentialOf`: `Authorization: Bearer`, then FastSchema's own
 * `X-Auth-Token`, cookie `token` and the browser form `Sec-WebSocket-Protocol: Authorization,
 * <token>`, then (as everywhere) `?token=`.
 */
export function fastschemaToken(req: IncomingMessage, url: URL): string | undefined {
  return credentialOf(req, url, () => {
    const x = req.headers['x-auth-token'];
    if (typeof x === 'string' && x.trim()) return x.trim();
    const c = cookie(req.headers.cookie, 'token');
    if (c) return c;
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (protocols[0]?.toLowerCase() === 'authorization' && protocols[1]) return protocols[1];
    return undefined;
  });
}

/** A checked FastSchema query string, or the close reason. */
type Parsed =
  | {
      ok: true;
      collection: string;
      events: Set<EventType>;
      filter?: FilterNode;
      id?: string;
      select?: string[];
    }
  | { ok: false; reason: string };

/** Checks `event`, `schema`, `filter`, `id` and `select` in FastSchema's order and words. */
export function parseQuery(q: URLSearchParams, collection: (name: string) => Collection | undefined): Parsed {
  const event = q.get('event') || '*';
  if (event !== '*' && !isOperation(event))
    return { ok: false, reason: `realtime.content: invalid event '${event.slice(0, 64)}'` };
  const name = q.get('schema') ?? '';
  const c = NAME_PATTERN.test(name) ? collection(name) : undefined;
  if (!c) return { ok: false, reason: `realtime.content: schema not found: ${name}` };
  const types = fieldTypes(c);
  let filter: FilterNode | undefined;
  const rawFilter = q.get('filter');
  if (rawFilter) {
    try {
      // parseFilter takes the JSON raw or URL-encoded once more (DIALECTS.md §2).
      filter = parseFilter(rawFilter, types);
    } catch (e) {
      if (e instanceof FilterError)
        return { ok: false, reason: `realtime.content: invalid filter: ${e.message}` };
      throw e;
    }
  }
  const id = q.get('id') || undefined;
  if (id !== undefined && id.length > MAX_ID) return { ok: false, reason: 'realtime.content: invalid id' };
  let select: string[] | undefined;
  const rawSelect = q.get('select');
  if (rawSelect) {
    select = commaList(rawSelect);
    const unknown = select.find((f) => !Object.hasOwn(types, f));
    if (unknown !== undefined)
      return {
        ok: false,
        reason: `realtime.content: invalid select: unknown field '${unknown.slice(0, 64)}'`,
      };
  }
  const events = eventsOf(event === '*' ? ALL_OPERATIONS : [event]);
  return { ok: true, collection: c.name, events, filter, id, select };
}

/**
 * The FastSchema dialect (DIALECTS.md §2): one subscription per socket, chosen by the query
 * string; errors close with 1000 and FastSchema's reason; any client frame is echoed back.
 */
export function fastschemaDialect(
  hub: Hub,
  auth: Authenticator,
  collection: (name: string) => Collection | undefined,
): WsDialect {
  const writes = new Writes();
  hub.hooks.on('on_batch_end', () => writes.flushAll());

  async function setup(conn: Connection, req: IncomingMessage, url: URL) {
    // Events committed while the token is checked would be missed (FastSchema has no
    // acknowledgement to wait for), so note the first one and replay from there.
    let firstSeq: number | undefined;
    const watch = (ev: LiveEvent) => {
      if (firstSeq === undefined && ev.seq !== undefined) firstSeq = ev.seq;
    };
    const unwatch = hub.hooks.on('on_fanout', watch);
    try {
      let principal: Principal | null = null;
      const token = fastschemaToken(req, url);
      if (token) {
        const v = await verifyCredential(auth, token);
        if (conn.closed) return;
        if (!v.ok) return hub.close(conn, 1000, 'Unauthorized');
        principal = v.principal;
      }
      const q = parseQuery(url.searchParams, collection);
      if (!q.ok) return hub.close(conn, 1000, q.reason);
      if (principal && !hub.authenticate(conn, principal)) return;
      const r = await hub.subscribe(conn, {
        key: 'content',
        collection: q.collection,
        filter: q.filter,
        events: q.events,
        recordId: q.id,
        leaves: false,
        since: firstSeq === undefined ? undefined : firstSeq - 1,
        presence: false,
        shape: `fastschema|${q.id === undefined ? 'n' : '1'}|${q.select?.join(',') ?? ''}`,
        encode: fastschemaEncoder(q.id !== undefined, q.select),
      });
      if (r.ok) return;
      if (r.code === 'forbidden') hub.close(conn, 1000, conn.principal ? 'Forbidden' : 'Unauthorized');
      else if (r.code === 'not_found')
        hub.close(conn, 1000, `realtime.content: schema not found: ${q.collection}`);
      else hub.close(conn, 1000, `realtime.content: ${r.message}`);
    } finally {
      unwatch();
    }
  }

  return {
    name: 'fastschema',
    paths: ['/api/realtime/content', '/realtime/content'],
    // Browsers send `Authorization, <token>` and abort unless the server picks a protocol.
    handleProtocols(protocols) {
      for (const p of protocols) if (p.toLowerCase() === 'authorization') return p;
      return protocols.values().next().value ?? false;
    },
    open(ws: WebSocket, req: IncomingMessage, url: URL) {
      const transport = new FastschemaTransport(ws, req, writes);
      const conn = hub.attach(transport, null, !!fastschemaToken(req, url));
      const queue = wireSocket(ws, hub, conn, (c, raw: RawData) => {
        const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
        const text = bytes.toString();
        hub.message(c, text);
        // FastSchema reads nothing from the client and writes every frame back as text.
        hub.send(c, text);
      });
      // The setup goes first in the socket's queue: a client frame is echoed only once the
      // subscription is registered, so an echo round trip proves the client is subscribed.
      queue(() => setup(conn, req, url).catch(() => hub.close(conn, 1011, 'internal error')));
    },
  };
}
